"""The key columns of a case change only on purpose: shredding cannot be undone, rotation
cannot be reverted by a stale instance, in the model layer and in the database itself."""

from __future__ import annotations

from datetime import datetime

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from pytest_django import Settings

from accounts.models import User
from accounts.roles import Role
from cases.models import KEY_FIELDS, Case
from cases.services import case_destroy_key
from crypto.blind_index import blind_index_fields
from crypto.destroyed import DESTROYED
from crypto.rotation import rewrap_data_keys
from tests.audit.triggers_off import erase_audit_trail
from tests.crypto.helpers import fresh, key_line, raw_column
from tests.crypto.probe import ProbeNote
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

EMAIL = "plain@example.org"


@pytest.fixture
def actor(db: None) -> User:
    return StaffUserFactory.create(username="key-columns-actor", role=Role.COORDINATOR)


def _case_with_email() -> Case:
    case = Case()
    case.set_reporter_email(EMAIL)
    case.save()
    return case


def _assert_destroyed(case: Case) -> None:
    loaded = fresh(case)
    assert loaded.key_destroyed_at is not None
    assert (loaded.wrapped_key, loaded.key_id) == (None, "")
    assert raw_column(Case, case.pk, "wrapped_key") is None
    assert all(getattr(loaded, f.attname) == "" for f in blind_index_fields(Case))
    assert loaded.reporter_email in (DESTROYED, None)
    assert not Case.objects.with_reporter_email(EMAIL).exists()


# --- the model layer: a plain save() leaves the key columns alone --------------------------------

def test_a_stale_save_after_shredding_keeps_the_case_destroyed(
    actor: User, probe_tables: None
) -> None:
    case = Case.objects.create()
    note = ProbeNote.objects.create(case=case, body="content of the case")
    stale = fresh(case)
    stale.crypto_data_key()  # loaded and its key unwrapped before the shredding
    case_destroy_key(case_id=case.pk, actor=actor)

    stale.save()  # writes every loaded column but the key columns
    _assert_destroyed(case)
    assert ProbeNote.objects.select_related("case").get(pk=note.pk).body is DESTROYED


def test_a_stale_save_that_would_restore_a_blind_index_is_refused(actor: User) -> None:
    case = _case_with_email()
    stale = fresh(case)
    assert stale.reporter_email == EMAIL
    case_destroy_key(case_id=case.pk, actor=actor)
    # The stale instance still holds the index it was loaded with; the database refuses it.
    with pytest.raises(IntegrityError), transaction.atomic():
        stale.save()
    _assert_destroyed(case)


def test_a_stale_save_after_rotation_does_not_revert_the_key(settings: Settings) -> None:
    case = _case_with_email()
    old_key_id = case.key_id
    stale = fresh(case)
    assert stale.reporter_email == EMAIL
    settings.ENCRYPTION_KEYS = f"{key_line('k-new', 0x0B)},{settings.ENCRYPTION_KEYS}"
    assert rewrap_data_keys().rewrapped == 1
    rotated = raw_column(Case, case.pk, "wrapped_key")

    stale.set_reporter_email("changed@example.org")
    stale.save()
    assert (old_key_id, fresh(case).key_id) == ("test-kek-2", "k-new")
    assert raw_column(Case, case.pk, "wrapped_key") == rotated
    settings.ENCRYPTION_KEYS = key_line("k-new", 0x0B)  # the old key can go: nothing needs it
    assert fresh(case).reporter_email == "changed@example.org"


def test_key_columns_are_written_when_update_fields_names_them() -> None:
    case = _case_with_email()
    loaded = fresh(case)
    loaded.forget_data_key()
    loaded.save()  # not named: nothing of the key changes
    assert fresh(case).key_destroyed_at is None
    assert fresh(case).reporter_email == EMAIL
    loaded.save(update_fields=KEY_FIELDS)
    assert fresh(case).key_destroyed_at is not None


def test_a_plain_save_of_a_deferred_case_writes_only_what_was_loaded() -> None:
    case = _case_with_email()
    partial = Case.objects.only("pk", "reporter_email_index").get(pk=case.pk)
    partial.save()
    loaded = fresh(case)
    assert (loaded.reporter_email, loaded.key_id) == (EMAIL, case.key_id)


def test_a_plain_save_of_a_deleted_case_does_not_bring_it_back() -> None:
    case = _case_with_email()
    stale = fresh(case)
    Case.objects.filter(pk=case.pk).delete()
    with pytest.raises(Exception, match="did not affect any rows"), transaction.atomic():
        stale.save()
    assert not Case.objects.filter(pk=case.pk).exists()


def test_a_new_case_is_inserted_with_its_key() -> None:
    case = _case_with_email()
    assert raw_column(Case, case.pk, "wrapped_key") is not None
    assert fresh(case).reporter_email == EMAIL


# --- the database: a trigger refuses to undo shredding -------------------------------------------

SQLParam = bytes | str | datetime | None

def _raw_update(case: Case, assignments: str, params: list[SQLParam]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE cases_case SET {assignments} WHERE id = %s",  # noqa: S608 - fixed SQL
            [*params, Case._meta.pk.get_db_prep_value(case.pk, connection)],
        )


def _resurrections(case: Case, wrapped: bytes) -> list[tuple[str, list[SQLParam]]]:
    attempts: list[tuple[str, list[SQLParam]]] = [
        ("wrapped_key = %s, key_id = %s, key_destroyed_at = NULL", [wrapped, case.key_id]),
        ("wrapped_key = %s", [wrapped]),
        ("key_destroyed_at = NULL", []),
        ("key_id = %s", [case.key_id]),
    ]
    attempts += [
        (f"{connection.ops.quote_name(f.column)} = %s", [case.reporter_email_index])
        for f in blind_index_fields(Case)
    ]
    return attempts


def test_the_database_refuses_every_raw_attempt_to_undo_shredding(actor: User) -> None:
    case = _case_with_email()
    wrapped = raw_column(Case, case.pk, "wrapped_key")
    assert wrapped is not None
    case_destroy_key(case_id=case.pk, actor=actor)
    for assignments, params in _resurrections(case, wrapped):
        with pytest.raises(IntegrityError, match="destroyed"), transaction.atomic():
            _raw_update(case, assignments, params)
    _assert_destroyed(case)


def test_the_trigger_lets_ordinary_updates_through(actor: User) -> None:
    live = _case_with_email()
    # A live case: its key columns may change (rotation, shredding).
    _raw_update(live, "wrapped_key = %s", [raw_column(Case, live.pk, "wrapped_key")])
    shredded = _case_with_email()
    case_destroy_key(case_id=shredded.pk, actor=actor)
    # A destroyed case: columns that bring nothing back may still be written.
    _raw_update(shredded, "reporter_email = NULL", [])
    _raw_update(shredded, "key_destroyed_at = %s", [timezone.now()])
    _raw_update(shredded, "key_id = ''", [])
    assert fresh(shredded).key_destroyed_at is not None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_the_trigger_holds_for_any_session_and_replication_role() -> None:
    actor = StaffUserFactory.create(username="key-columns-pg", role=Role.COORDINATOR)
    case = _case_with_email()
    wrapped = raw_column(Case, case.pk, "wrapped_key")
    case_destroy_key(case_id=case.pk, actor=actor)
    params = connection.get_connection_params()
    other = psycopg.connect(
        **{k: v for k, v in params.items() if k in {"host", "port", "user", "password", "dbname"}}
    )
    try:
        with other.cursor() as cursor:
            # What a restore tool or a logical-replication apply worker would run as.
            cursor.execute("SET session_replication_role = replica")
            with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="destroyed"):
                cursor.execute(
                    "UPDATE cases_case SET wrapped_key = %s, key_id = %s, "
                    "key_destroyed_at = NULL WHERE id = %s",
                    [wrapped, "test-kek-2", case.pk],
                )
        other.rollback()
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT tgenabled FROM pg_trigger WHERE tgname = 'cases_case_keep_key_destroyed'"
            )
            assert cursor.fetchall() == [("A",)]
    finally:
        other.close()
        _assert_destroyed(case)
        erase_audit_trail()  # the test runner's TRUNCATE is refused on a non-empty trail
