"""The start-up canary and the security system check built on it."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from pytest_django import DjangoAssertNumQueries, Settings

from cases.models import Case
from crypto.canary import (
    CANARY_PK,
    create_canary_after_migrate,
    ensure_canary,
    recreate_canary,
    rewrap_canary,
    verify_canary,
)
from crypto.checks import check_encryption_keys
from crypto.models import KeyCanary
from tests.crypto.helpers import key_b64, key_line

pytestmark = pytest.mark.django_db

TEST_KEKS = "test-kek-2", "test-kek-1"


def test_migrate_created_the_canary_under_the_newest_keys() -> None:
    canary = KeyCanary.objects.get(pk=CANARY_PK)
    assert canary.key_id == TEST_KEKS[0]
    assert canary.index_key_id == "test-bik-1"
    verify_canary()


def test_the_canary_is_created_on_first_use_of_a_database_without_cases() -> None:
    KeyCanary.objects.all().delete()
    verify_canary()
    assert KeyCanary.objects.count() == 1
    assert ensure_canary().pk == CANARY_PK


def test_a_missing_canary_next_to_cases_is_not_recreated(settings: Settings) -> None:
    Case.objects.create()
    KeyCanary.objects.all().delete()
    settings.ENCRYPTION_KEYS = key_line(TEST_KEKS[0], 0x33)  # wrong material, right id
    with pytest.raises(ImproperlyConfigured) as refused:
        verify_canary()
    message = str(refused.value)
    assert "key canary" in message and "is missing, but the database holds cases" in message
    assert "pg_restore --data-only --table=cases_keycanary" in message
    assert "recreate_canary()" in message
    assert key_b64(0x33) not in message
    assert not KeyCanary.objects.exists()
    errors = check_encryption_keys(databases=["default"])
    assert [e.id for e in errors] == ["crypto.E101"]
    assert "is missing" in errors[0].msg


def test_post_migrate_does_not_recreate_a_missing_canary_next_to_cases(
    caplog: pytest.LogCaptureFixture,
) -> None:
    Case.objects.create()
    KeyCanary.objects.all().delete()
    create_canary_after_migrate(using="default")
    assert not KeyCanary.objects.exists()
    assert "is missing" in caplog.text
    Case.objects.all().delete()
    create_canary_after_migrate(using="default")  # an empty database gets its canary
    assert KeyCanary.objects.count() == 1


def test_recreate_canary_only_under_keys_that_open_the_stored_cases(settings: Settings) -> None:
    case = Case()
    case.set_reporter_email("someone@example.org")
    case.save()
    KeyCanary.objects.all().delete()
    right_keks, right_biks = settings.ENCRYPTION_KEYS, settings.BLIND_INDEX_KEYS

    settings.ENCRYPTION_KEYS = key_line(TEST_KEKS[0], 0x33)
    with pytest.raises(ImproperlyConfigured, match="'test-kek-2' does not open the data key"):
        recreate_canary()
    settings.ENCRYPTION_KEYS = key_line("k-other", 0x33)
    with pytest.raises(ImproperlyConfigured, match="does not contain the key 'test-kek-2'"):
        recreate_canary()
    settings.ENCRYPTION_KEYS = right_keks
    settings.BLIND_INDEX_KEYS = key_line("test-bik-1", 0x44)
    with pytest.raises(ImproperlyConfigured, match="'test-bik-1' does not reproduce"):
        recreate_canary()
    settings.BLIND_INDEX_KEYS = key_line("bik-other", 0x44)
    with pytest.raises(ImproperlyConfigured, match="does not contain the key 'test-bik-1'"):
        recreate_canary()
    assert not KeyCanary.objects.exists()

    settings.BLIND_INDEX_KEYS = right_biks
    assert recreate_canary().key_id == TEST_KEKS[0]
    verify_canary()


def test_wrong_key_material_is_refused_with_a_clear_message(settings: Settings) -> None:
    settings.ENCRYPTION_KEYS = key_line(TEST_KEKS[0], 0x33)
    with pytest.raises(ImproperlyConfigured) as refused:
        verify_canary()
    message = str(refused.value)
    assert message.startswith("ENCRYPTION_KEYS: the key 'test-kek-2' is not the key")
    assert key_b64(0x33) not in message


def test_a_removed_key_is_refused_naming_it(settings: Settings) -> None:
    settings.ENCRYPTION_KEYS = key_line("brand-new", 0x33)
    with pytest.raises(ImproperlyConfigured, match="does not contain the key 'test-kek-2'"):
        verify_canary()


def test_a_wrong_blind_index_key_is_refused(settings: Settings) -> None:
    settings.BLIND_INDEX_KEYS = key_line("test-bik-1", 0x44)
    with pytest.raises(ImproperlyConfigured, match=r"^BLIND_INDEX_KEYS: the key 'test-bik-1'"):
        verify_canary()
    settings.BLIND_INDEX_KEYS = key_line("bik-2", 0x44)
    with pytest.raises(ImproperlyConfigured, match="does not contain the key 'test-bik-1'"):
        verify_canary()


def test_the_system_check_uses_the_database_only_when_asked(
    settings: Settings, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    settings.ENCRYPTION_KEYS = key_line(TEST_KEKS[0], 0x33)
    with django_assert_num_queries(0):
        assert check_encryption_keys(databases=None) == []
        assert [
            e for e in run_checks(tags=["security"]) if e.id and e.id.startswith("crypto.")
        ] == []
    errors = check_encryption_keys(databases=["default"])
    assert [e.id for e in errors] == ["crypto.E101"]
    assert "test-kek-2" in errors[0].msg
    assert key_b64(0x33) not in errors[0].msg


def test_manage_py_check_with_a_database_catches_a_wrong_key(settings: Settings) -> None:
    call_command("check", "--database", "default", "--tag", "security")
    settings.ENCRYPTION_KEYS = key_line(TEST_KEKS[0], 0x33)
    with pytest.raises(SystemCheckError, match=r"crypto\.E101"):
        call_command("check", "--database", "default", "--tag", "security")


def test_the_check_names_keys_still_in_use_but_no_longer_configured(settings: Settings) -> None:
    old_case = Case.objects.create()  # wrapped under test-kek-2
    settings.ENCRYPTION_KEYS = f"{key_line('k-new', 0x21)},{settings.ENCRYPTION_KEYS}"
    # The canary still opens; every case still opens: nothing to report.
    assert check_encryption_keys(databases=["default"]) == []
    assert rewrap_canary()  # the canary moved to the new key, the case did not
    settings.ENCRYPTION_KEYS = key_line("k-new", 0x21)
    # The canary opens under the new key alone, but it cannot vouch for the old cases; the
    # check can.
    errors = check_encryption_keys(databases=["default"])
    assert [e.id for e in errors] == ["crypto.E102"]
    assert "'test-kek-2'" in errors[0].msg
    assert old_case.key_id == TEST_KEKS[0]
