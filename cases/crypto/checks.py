"""System checks: ``manage.py check --database default`` catches a wrong or missing key.

Without ``--database`` (or ``databases``) nothing here touches the database, as Django expects.
"""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from cases.crypto.canary import canary_table_exists, verify_canary
from cases.crypto.keys import ENCRYPTION_KEYS, encryption_keyring


def key_ids_in_use(using: str) -> list[str]:
    """KEK ids that case data keys are wrapped under (one index-only scan)."""
    from cases.models import Case

    return sorted(
        Case.objects.using(using).exclude(key_id="").order_by()
        .values_list("key_id", flat=True).distinct()
    )


@checks.register(checks.Tags.security, checks.Tags.database)
def check_encryption_keys(
    app_configs: list[AppConfig] | None = None, databases: list[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for alias in databases or ():
        # Before the first migrate there is nothing to check (and migrate itself runs checks).
        if not canary_table_exists(alias):
            continue
        try:
            verify_canary(using=alias)
        except ImproperlyConfigured as exc:
            errors.append(checks.Error(str(exc), id="cases.E101"))
            continue
        ring = encryption_keyring()
        missing = [key_id for key_id in key_ids_in_use(alias) if key_id not in ring]
        if missing:
            errors.append(checks.Error(
                f"Case data keys are wrapped under {', '.join(map(repr, missing))}, which "
                f"{ENCRYPTION_KEYS} does not contain; those cases cannot be read.",
                hint="Configure the key again and run `manage.py rotate_keys`.",
                id="cases.E102",
            ))
    return errors
