"""manage.py rotate_keys: re-wrap data keys under the newest KEK, then retire the old one.

The command as operators run it: its output, its audit event, its refusals. How the rotation
walks, resumes and yields to concurrent changes is tested in tests/crypto/test_rotation.py.
"""

from __future__ import annotations

import io

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from pytest_django import Settings

from audit import actions
from audit.models import AuditEvent
from cases.models import KEY_FIELDS, Case
from crypto.canary import verify_canary
from crypto.models import KeyCanary
from crypto.rotation import keys_to_rewrap
from tests.audit.triggers_off import erase_audit_trail
from tests.crypto.helpers import fresh, raw_column, write_raw_column
from tests.crypto.probe import NEW, OLD, ProbeNote, start_under_old_key


def _rotate(*args: str) -> str:
    out = io.StringIO()
    call_command("rotate_keys", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_rotation_then_retiring_the_old_key(settings: Settings, probe_tables: None) -> None:
    cases = start_under_old_key(settings, 5)
    note = ProbeNote.objects.create(case=cases[0], body="note body", data={"a": 1})
    destroyed = Case.objects.create()
    destroyed.forget_data_key()
    destroyed.save(update_fields=KEY_FIELDS)
    values_before = {c.pk: raw_column(Case, c.pk, "reporter_email") for c in cases}
    note_before = raw_column(ProbeNote, note.pk, "body")

    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"
    assert keys_to_rewrap() == 5
    output = _rotate("--batch-size", "2")
    assert "Newest key: 'k-new'. 5 case key(s) to re-wrap (batches of 2)." in output
    assert "re-wrapped 2/5" in output and "re-wrapped 4/5" in output and "5/5" in output
    assert "Re-wrapped 5 case key(s) under 'k-new'; canary re-wrapped." in output

    assert set(Case.objects.exclude(pk=destroyed.pk).values_list("key_id", flat=True)) == {
        "k-new"
    }
    assert KeyCanary.objects.get().key_id == "k-new"
    # Only the wrapped keys changed: every value ciphertext is byte for byte the same.
    assert {c.pk: raw_column(Case, c.pk, "reporter_email") for c in cases} == values_before
    assert raw_column(ProbeNote, note.pk, "body") == note_before

    event = AuditEvent.objects.get(action=actions.KEYS_ROTATED)
    assert (event.stream, event.actor_kind) == ("system", "system")
    assert event.detail == '{"rewrapped":5,"to_key":"k-new"}'

    settings.ENCRYPTION_KEYS = NEW  # the old key is gone from the configuration
    verify_canary()
    assert [fresh(c).reporter_email for c in cases] == [
        f"person{n}@example.org" for n in range(5)
    ]
    loaded_note = ProbeNote.objects.select_related("case").get(pk=note.pk)
    assert (loaded_note.body, loaded_note.data) == ("note body", {"a": 1})

    assert "Re-wrapped 0 case key(s)" in _rotate()  # nothing left: idempotent
    assert AuditEvent.objects.filter(action=actions.KEYS_ROTATED).count() == 2


@pytest.mark.django_db
def test_a_case_under_an_unconfigured_key_stops_the_run_before_any_change(
    settings: Settings,
) -> None:
    cases = start_under_old_key(settings, 2)
    settings.ENCRYPTION_KEYS = NEW
    with pytest.raises(CommandError, match="wrapped under 'k-old'"):
        _rotate()
    assert {fresh(c).key_id for c in cases} == {"k-old"}


@pytest.mark.django_db
def test_a_wrapped_key_that_does_not_open_stops_the_run_and_is_recorded(
    settings: Settings,
) -> None:
    cases = sorted(start_under_old_key(settings, 3), key=lambda c: c.pk)
    wrapped = raw_column(Case, cases[2].pk, "wrapped_key")
    assert wrapped is not None
    write_raw_column(Case, cases[2].pk, "wrapped_key", wrapped[:-1] + bytes([wrapped[-1] ^ 1]))
    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"
    with pytest.raises(CommandError, match="Stopped after 2 re-wrapped") as stopped:
        _rotate("--batch-size", "2")
    assert str(cases[2].pk) in str(stopped.value)
    assert AuditEvent.objects.get(action=actions.KEYS_ROTATED).detail == (
        '{"rewrapped":2,"to_key":"k-new"}'
    )
    assert KeyCanary.objects.get().key_id == "k-old"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_rotation_skips_rows_locked_by_the_running_application(settings: Settings) -> None:
    cases = start_under_old_key(settings, 3)
    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"
    params = connection.get_connection_params()
    other = psycopg.connect(
        **{k: v for k, v in params.items() if k in {"host", "port", "user", "password", "dbname"}}
    )
    try:
        with other.cursor() as cursor:  # a request holding a case's row lock
            cursor.execute("SELECT 1 FROM cases_case WHERE id = %s FOR UPDATE", [cases[1].pk])
            with pytest.raises(CommandError, match="1 case\\(s\\) were locked"):
                _rotate()  # returns instead of waiting for the lock
        assert fresh(cases[1]).key_id == "k-old"
        assert KeyCanary.objects.get().key_id == "k-old"
        other.commit()
        assert "Re-wrapped 1 case key(s) under 'k-new'; canary re-wrapped." in _rotate()
    finally:
        other.close()
        erase_audit_trail()  # the test runner's TRUNCATE is refused on a non-empty trail


@pytest.mark.django_db
def test_another_database_is_refused_before_any_change(settings: Settings) -> None:
    """The audit event can only be recorded on the default database (audit.services.record
    takes no alias), so a rotation of another database is refused rather than audited there."""
    cases = start_under_old_key(settings, 1)
    settings.ENCRYPTION_KEYS = f"{NEW},{OLD}"
    with pytest.raises(CommandError, match="'default' database only") as refused:
        _rotate("--database", "replica")
    assert "audit event" in str(refused.value)
    assert fresh(cases[0]).key_id == "k-old"
    assert not AuditEvent.objects.filter(action=actions.KEYS_ROTATED).exists()
