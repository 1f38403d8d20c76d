from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from audit import signing
        from audit.triggers import APPEND_ONLY_TRIGGERS
        from protections.registry import register as register_protection

        # A missing or malformed signing key stops start-up, not the first checkpoint at night.
        signing.keyring()
        register_protection(APPEND_ONLY_TRIGGERS)
