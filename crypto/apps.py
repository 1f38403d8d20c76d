"""The encryption layer as a Django app: its model (the key canary), checks and start-up."""

from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CryptoConfig(AppConfig):
    name = "crypto"
    verbose_name = "Encryption"

    def ready(self) -> None:
        # Imported for their side effect of registering the security system checks.
        from crypto import canary, checks  # noqa: F401
        from crypto.keys import validate_configured_keys

        # The app never runs without encryption: missing, short or malformed keys stop start-up
        # here with a message naming the variable (never its value).
        validate_configured_keys()
        post_migrate.connect(
            canary.create_canary_after_migrate, sender=self, dispatch_uid="crypto.canary"
        )
