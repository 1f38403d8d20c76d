from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        # Imported for their side effect of registering the security system checks.
        from cases.crypto import canary, checks  # noqa: F401
        from cases.crypto.keys import validate_configured_keys
        from cases.protections import KEY_DESTROYED_TRIGGER
        from protections.registry import register as register_protection

        # The app never runs without encryption: missing, short or malformed keys stop start-up
        # here with a message naming the variable (never its value).
        validate_configured_keys()
        register_protection(KEY_DESTROYED_TRIGGER)
        post_migrate.connect(
            canary.create_canary_after_migrate, sender=self, dispatch_uid="cases.crypto.canary"
        )
