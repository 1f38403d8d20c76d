"""The cases app: at start-up it makes its case keys known to the encryption layer and its
database protection known to the protections app."""

from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from cases.models import Case
        from cases.protections import KEY_DESTROYED_TRIGGER
        from crypto.registry import KeyOwner, register_key_owner
        from protections.registry import register as register_protection

        # Every case holds its own data key. crypto knows no domain app, so it reaches those
        # keys (for the start-up canary, the security check and rotate_keys) only through this.
        register_key_owner(KeyOwner(model=Case, noun="case", noun_plural="cases"))
        register_protection(KEY_DESTROYED_TRIGGER)
