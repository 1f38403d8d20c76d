"""System checks: ``manage.py check --database default`` catches a wrong or missing key.

Without ``--database`` (or ``databases``) nothing here touches the database, as Django expects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from crypto.canary import canary_table_exists, verify_canary
from crypto.keys import ENCRYPTION_KEYS, encryption_keyring
from crypto.registry import key_owners


def key_ids_in_use(using: str) -> list[str]:
    """KEK ids that stored data keys, of any key owner, are wrapped under."""
    return sorted({key_id for owner in key_owners() for key_id in owner.key_ids_in_use(using)})


@checks.register(checks.Tags.security, checks.Tags.database)
def check_encryption_keys(
    app_configs: Sequence[AppConfig] | None = None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for alias in databases or ():
        # Before the first migrate there is nothing to check (and migrate itself runs checks).
        if not canary_table_exists(alias):
            continue
        try:
            verify_canary(using=alias)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="crypto.E101"))
            continue
        ring = encryption_keyring()
        for owner in key_owners():
            missing = [key_id for key_id in owner.key_ids_in_use(alias) if key_id not in ring]
            if missing:
                errors.append(checks.Error(
                    f"{owner.noun.capitalize()} data keys are wrapped under "
                    f"{', '.join(map(repr, missing))}, which {ENCRYPTION_KEYS} does not contain; "
                    f"those {owner.noun_plural} cannot be read.",
                    hint="Configure the key again and run `manage.py rotate_keys`.",
                    id="crypto.E102",
                ))
    return errors
