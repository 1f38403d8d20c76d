"""Key owners register themselves, and the canary, the check and rotation reach every one.

``ProbeVault`` (tests.crypto.probe) is registered as a second key owner beside ``Case``.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django import Settings

from cases.models import Case
from crypto import registry
from crypto.blind_index import blind_index
from crypto.canary import recreate_canary, rewrap_canary, verify_canary
from crypto.checks import check_encryption_keys, key_ids_in_use
from crypto.models import KeyCanary
from crypto.registry import KeyOwner, key_owners, register_key_owner
from crypto.rotation import keys_to_rewrap, rewrap_data_keys
from tests.crypto.helpers import fresh, raw_column, write_raw_column
from tests.crypto.probe import NEW, OLD, ProbeNote, ProbeVault, start_under_old_key


@pytest.fixture
def own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations made in the test are undone after it."""
    monkeypatch.setattr(registry, "_owners", dict(registry._owners))


@pytest.fixture
def vaults(own_registry: None, probe_tables: None, db: None) -> KeyOwner:
    owner = KeyOwner(model=ProbeVault, noun="vault", noun_plural="vaults")
    register_key_owner(owner)
    return owner


def _vault(secret: str) -> ProbeVault:
    vault = ProbeVault(secret=secret, secret_index=blind_index(secret))
    vault.save()
    return vault


def test_the_cases_app_registers_case_as_a_key_owner() -> None:
    [owner] = [owner for owner in key_owners() if owner.model is Case]
    assert (owner.noun, owner.noun_plural) == ("case", "cases")
    assert [(index.name, value.name) for index, value in owner.blind_indexes()] == [
        ("reporter_email_index", "reporter_email")
    ]


def test_a_model_that_does_not_hold_keys_is_refused(own_registry: None) -> None:
    with pytest.raises(
        ImproperlyConfigured, match=r"cryptoprobe\.ProbeNote cannot own data keys: it has no field"
    ):
        register_key_owner(KeyOwner(model=ProbeNote, noun="note", noun_plural="notes"))
    assert ProbeNote not in {owner.model for owner in key_owners()}


def test_a_missing_canary_next_to_another_owners_rows_is_not_recreated(vaults: KeyOwner) -> None:
    assert not Case.objects.exists()
    _vault("kept in a vault")
    KeyCanary.objects.all().delete()
    with pytest.raises(ImproperlyConfigured, match="is missing, but the database holds vaults"):
        verify_canary()
    assert not KeyCanary.objects.exists()


def test_the_check_names_keys_another_owner_still_needs(
    settings: Settings, vaults: KeyOwner
) -> None:
    start_under_old_key(settings, 0)
    _vault("kept in a vault")
    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"
    assert rewrap_canary()  # the canary moved to the new key, the vault did not
    settings.ENCRYPTION_KEYS = NEW
    assert [(error.id, error.msg) for error in check_encryption_keys(databases=["default"])] == [
        ("crypto.E102", "Vault data keys are wrapped under 'k-old', which ENCRYPTION_KEYS does "
         "not contain; those vaults cannot be read.")
    ]


def test_rotation_and_a_recreated_canary_reach_every_key_owner(
    settings: Settings, vaults: KeyOwner
) -> None:
    start_under_old_key(settings, 2)
    vault = _vault("kept in a vault")
    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"
    assert key_ids_in_use("default") == ["k-old"]
    assert keys_to_rewrap() == 3

    result = rewrap_data_keys(batch_size=1)
    assert (result.rewrapped, result.skipped_busy, result.canary_rewrapped) == (3, 0, True)
    settings.ENCRYPTION_KEYS = NEW
    verify_canary()
    assert fresh(vault).secret == "kept in a vault"

    KeyCanary.objects.all().delete()
    wrapped = raw_column(ProbeVault, vault.pk, "wrapped_key")
    assert wrapped is not None
    write_raw_column(ProbeVault, vault.pk, "wrapped_key", wrapped[:-1] + bytes([wrapped[-1] ^ 1]))
    with pytest.raises(ImproperlyConfigured, match=f"the data key of vault {vault.pk}"):
        recreate_canary()
    write_raw_column(ProbeVault, vault.pk, "wrapped_key", wrapped)
    assert recreate_canary().key_id == "k-new"
