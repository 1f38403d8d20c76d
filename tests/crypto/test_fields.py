"""Encrypted fields: round trips, binding to row and field, failures that raise, laziness."""

from __future__ import annotations

import logging
import pickle

import pytest
from django.core.exceptions import FieldError
from django.db import models, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries, Settings

from cases.models import Case
from crypto.envelope import VALUE_OVERHEAD_BYTES, DataKey
from crypto.exceptions import DecryptionError, UnboundWriteError, UnknownKeyError
from crypto.fields import Sealed
from tests.crypto.helpers import fresh, key_line, raw_column, write_raw_column
from tests.crypto.probe import ProbeNote

pytestmark = pytest.mark.django_db

DB_EXAMPLES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=20,
)


# --- round trips ------------------------------------------------------------------------------

@DB_EXAMPLES
@given(text=st.text())
def test_text_round_trips_through_the_database(probe_tables: None, case: Case, text: str) -> None:
    note = ProbeNote.objects.create(case=case, body=text)
    assert fresh(note).body == text


@DB_EXAMPLES
@given(value=json_values.filter(lambda v: v is not None))
def test_json_round_trips_through_the_database(
    probe_tables: None, case: Case, value: object
) -> None:
    note = ProbeNote.objects.create(case=case, data=value)
    assert fresh(note).data == value


@DB_EXAMPLES
@given(value=st.binary(max_size=4096))
def test_bytes_round_trip_through_the_database(
    probe_tables: None, case: Case, value: bytes
) -> None:
    note = ProbeNote.objects.create(case=case, blob=value)
    loaded = fresh(note).blob
    assert loaded == value
    assert type(loaded) is bytes


def test_a_large_value_round_trips(probe_tables: None, case: Case) -> None:
    value = bytes(range(256)) * 4096  # 1 MiB
    note = ProbeNote.objects.create(case=case, blob=value)
    assert fresh(note).blob == value


def test_empty_and_none_stay_distinct(probe_tables: None, case: Case) -> None:
    empty = ProbeNote.objects.create(case=case, body="", blob=b"", data="")
    missing = ProbeNote.objects.create(case=case)
    loaded_empty, loaded_missing = fresh(empty), fresh(missing)
    assert (loaded_empty.body, loaded_empty.blob, loaded_empty.data) == ("", b"", "")
    assert (loaded_missing.body, loaded_missing.blob, loaded_missing.data) == (None, None, None)
    # "" is encrypted like any value; None is SQL NULL.
    assert raw_column(ProbeNote, empty.pk, "body") is not None
    assert raw_column(ProbeNote, missing.pk, "body") is None
    assert ProbeNote.objects.filter(body__isnull=True).get() == missing


def test_case_fields_round_trip(case: Case) -> None:
    case.set_reporter_email("reporter@example.org")
    case.save(update_fields=["reporter_email", "reporter_email_index"])
    assert fresh(case).reporter_email == "reporter@example.org"


def test_a_changed_value_is_re_encrypted_and_an_unread_one_kept(note: ProbeNote) -> None:
    stored_summary = raw_column(ProbeNote, note.pk, "summary")
    stored_body = raw_column(ProbeNote, note.pk, "body")
    loaded = fresh(note)
    loaded.body = "changed"
    loaded.save()
    assert fresh(note).body == "changed"
    assert raw_column(ProbeNote, note.pk, "body") != stored_body
    # Never read, so saved back exactly as stored (no needless re-encryption).
    assert raw_column(ProbeNote, note.pk, "summary") == stored_summary


def test_the_stored_format_is_versioned_and_carries_its_key_id(note: ProbeNote) -> None:
    stored = raw_column(ProbeNote, note.pk, "body")
    assert stored is not None
    assert stored[0] == 1  # format version
    assert len(stored) == VALUE_OVERHEAD_BYTES + len(b"a note body")
    # Same case, same data key id in every value of the case.
    summary = raw_column(ProbeNote, note.pk, "summary")
    assert summary is not None
    assert stored[1:9] == summary[1:9]


# --- failures raise, never return stored bytes -------------------------------------------------

def test_every_tampered_byte_is_refused(note: ProbeNote) -> None:
    original = raw_column(ProbeNote, note.pk, "body")
    assert original is not None
    for position in range(len(original)):
        tampered = bytearray(original)
        tampered[position] ^= 0x01
        write_raw_column(ProbeNote, note.pk, "body", bytes(tampered))
        with pytest.raises(DecryptionError):
            _ = fresh(note).body
    for truncated in (original[:-1], original[:VALUE_OVERHEAD_BYTES - 1], b""):
        write_raw_column(ProbeNote, note.pk, "body", truncated)
        with pytest.raises(DecryptionError):
            _ = fresh(note).body


def test_a_value_swapped_between_two_rows_of_one_case_is_refused(
    note: ProbeNote, case: Case
) -> None:
    other = ProbeNote.objects.create(case=case, body="the other body")
    mine, theirs = raw_column(ProbeNote, note.pk, "body"), raw_column(ProbeNote, other.pk, "body")
    write_raw_column(ProbeNote, note.pk, "body", theirs)
    write_raw_column(ProbeNote, other.pk, "body", mine)
    with pytest.raises(DecryptionError, match="altered, or moved"):
        _ = fresh(note).body
    with pytest.raises(DecryptionError):
        _ = fresh(other).body


def test_a_value_copied_to_another_case_is_refused(note: ProbeNote) -> None:
    elsewhere = ProbeNote.objects.create(case=Case.objects.create(), body="x")
    write_raw_column(ProbeNote, elsewhere.pk, "body", raw_column(ProbeNote, note.pk, "body"))
    with pytest.raises(DecryptionError, match="another data key"):
        _ = fresh(elsewhere).body


def test_a_value_swapped_between_two_fields_is_refused(note: ProbeNote) -> None:
    body = raw_column(ProbeNote, note.pk, "body")
    summary = raw_column(ProbeNote, note.pk, "summary")
    write_raw_column(ProbeNote, note.pk, "body", summary)
    write_raw_column(ProbeNote, note.pk, "summary", body)
    loaded = fresh(note)
    with pytest.raises(DecryptionError):
        _ = loaded.body
    with pytest.raises(DecryptionError):
        _ = loaded.summary


def test_a_wrapped_key_copied_to_another_case_is_refused(case: Case) -> None:
    case.set_reporter_email("someone@example.org")
    case.save()
    other = Case.objects.create()
    write_raw_column(Case, other.pk, "wrapped_key", raw_column(Case, case.pk, "wrapped_key"))
    with pytest.raises(DecryptionError):
        fresh(other).crypto_data_key()


def test_a_wrong_key_encryption_key_is_refused(case: Case, settings: Settings) -> None:
    case.set_reporter_email("someone@example.org")
    case.save()
    key_id = case.key_id
    settings.ENCRYPTION_KEYS = key_line(key_id, 0x5A)
    with pytest.raises(DecryptionError, match="does not open"):
        _ = fresh(case).reporter_email


def test_an_unconfigured_key_encryption_key_is_refused(case: Case, settings: Settings) -> None:
    case.set_reporter_email("someone@example.org")
    case.save()
    settings.ENCRYPTION_KEYS = key_line("some-other-key", 0x5A)
    with pytest.raises(UnknownKeyError):
        _ = fresh(case).reporter_email


def test_failures_are_logged_without_content(
    note: ProbeNote, caplog: pytest.LogCaptureFixture
) -> None:
    stored = raw_column(ProbeNote, note.pk, "body")
    assert stored is not None
    write_raw_column(ProbeNote, note.pk, "body", stored[:-1] + bytes([stored[-1] ^ 1]))
    with caplog.at_level(logging.ERROR, logger="crypto"), pytest.raises(
        DecryptionError
    ) as failure:
        _ = fresh(note).body
    logged = caplog.text
    assert "Decryption failed: cryptoprobe.ProbeNote.body" in logged
    for text in (logged, str(failure.value)):
        assert "a note body" not in text
        assert stored.hex() not in text
        assert repr(stored)[2:20] not in text


# --- laziness and keys per instance -------------------------------------------------------------

def test_values_stay_sealed_until_read(note: ProbeNote) -> None:
    loaded = ProbeNote.objects.select_related("case").get(pk=note.pk)
    assert isinstance(loaded.__dict__["body"], Sealed)
    assert "_crypto_data_key" not in loaded.case.__dict__  # nothing unwrapped yet
    assert loaded.body == "a note body"
    assert isinstance(loaded.__dict__["summary"], Sealed)  # the other field is still sealed
    assert "sealed value" in repr(loaded.__dict__["summary"])
    assert "summary" not in repr(loaded.__dict__["summary"])


def test_reading_n_cases_costs_one_query(
    db: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for number in range(12):
        case = Case()
        case.set_reporter_email(f"person{number}@example.org")
        case.save()
    with django_assert_num_queries(1):
        emails = [c.reporter_email for c in Case.objects.order_by("pk")]
    assert len(emails) == 12
    assert all(e.endswith("@example.org") for e in emails)


def test_reading_n_notes_with_their_cases_costs_one_query(
    probe_tables: None, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(4):
        case = Case.objects.create()
        for number in range(3):
            ProbeNote.objects.create(case=case, body=f"body {number}")
    with django_assert_num_queries(1):
        bodies = [n.body for n in ProbeNote.objects.select_related("case")]
    assert sorted(bodies) == sorted(f"body {n}" for _ in range(4) for n in range(3))


def test_a_deferred_field_is_fetched_sealed_and_decrypted(note: ProbeNote) -> None:
    loaded = ProbeNote.objects.select_related("case").defer("body").get(pk=note.pk)
    assert "body" not in loaded.__dict__
    assert loaded.body == "a note body"


def test_refresh_from_db_reloads_values(note: ProbeNote) -> None:
    loaded = fresh(note)
    other = fresh(note)
    other.body = "changed elsewhere"
    other.save()
    loaded.refresh_from_db()
    assert loaded.body == "changed elsewhere"


def test_the_data_key_is_cached_per_instance_and_never_pickled(case: Case) -> None:
    case.set_reporter_email("someone@example.org")
    case.save()
    loaded = fresh(case)
    key = loaded.crypto_data_key()
    assert loaded.crypto_data_key() is key
    assert fresh(case).crypto_data_key() is not key  # another instance, its own unwrap
    with pytest.raises(TypeError):
        pickle.dumps(key)
    revived = pickle.loads(pickle.dumps(loaded))  # noqa: S301 - our own bytes
    assert "_crypto_data_key" not in revived.__dict__
    assert revived.reporter_email == "someone@example.org"


# --- writes that cannot bind are refused ---------------------------------------------------------

def test_queryset_update_and_bulk_update_are_refused(note: ProbeNote) -> None:
    # Both run in atomic blocks that the refusal rolls back.
    with pytest.raises(UnboundWriteError), transaction.atomic():
        ProbeNote.objects.filter(pk=note.pk).update(body="plaintext via update")
    loaded = fresh(note)
    loaded.body = "plaintext via bulk_update"
    with pytest.raises(UnboundWriteError), transaction.atomic():
        ProbeNote.objects.bulk_update([loaded], ["body"])
    assert fresh(note).body == "a note body"


def test_a_loaded_value_cannot_be_saved_into_a_new_row(note: ProbeNote) -> None:
    copy = fresh(note)
    copy.pk = None
    copy.id = None
    copy._state.adding = True
    copy.id = ProbeNote._meta.pk.get_default()
    with pytest.raises(UnboundWriteError):
        copy.save()


def test_bulk_create_binds_each_row(probe_tables: None, case: Case) -> None:
    notes = ProbeNote.objects.bulk_create(
        [ProbeNote(case=case, body=f"bulk {n}") for n in range(3)]
    )
    assert [fresh(n).body for n in notes] == ["bulk 0", "bulk 1", "bulk 2"]
    cases = Case.objects.bulk_create([Case(), Case()])
    assert all(fresh(c).crypto_data_key() for c in cases)


def test_lookups_on_ciphertext_are_refused(note: ProbeNote) -> None:
    with pytest.raises(FieldError):
        ProbeNote.objects.filter(body="a note body").exists()
    with pytest.raises(FieldError):
        ProbeNote.objects.filter(body__icontains="note").exists()


def test_wrong_types_are_refused(probe_tables: None, case: Case) -> None:
    with pytest.raises(TypeError):
        ProbeNote.objects.create(case=case, body=b"bytes, not text")
    with pytest.raises(TypeError):
        ProbeNote.objects.create(case=case, blob="text, not bytes")
    with pytest.raises(ValueError):
        ProbeNote.objects.create(case=case, data=float("nan"))


# --- declarations ---------------------------------------------------------------------------------

def test_field_deconstruction_and_migrations_hold_no_key_material() -> None:
    from pathlib import Path

    from django.conf import settings as django_settings

    import cases
    import crypto

    field = Case._meta.get_field("reporter_email")
    _, path, _args, kwargs = field.deconstruct()
    assert path == "crypto.fields.EncryptedTextField"
    assert set(kwargs) == {"verbose_name", "null", "blank"}
    materials = [
        entry.partition(":")[2]
        for setting in (django_settings.ENCRYPTION_KEYS, django_settings.BLIND_INDEX_KEYS)
        for entry in setting.split(",")
    ]
    migrations = [path for app in (cases, crypto)
                  for path in (Path(app.__path__[0]) / "migrations").glob("*.py")]
    for migration in migrations:
        text = migration.read_text()
        assert not any(material in text for material in materials), migration.name


def test_model_checks_require_a_uuid_key_and_a_key_path() -> None:
    from django.test.utils import isolate_apps

    from crypto.fields import EncryptedTextField

    with isolate_apps("cases"):
        class Unbound(models.Model):  # noqa: DJ008
            secret = EncryptedTextField(null=True, db_index=True)

            class Meta:
                app_label = "cases"

        ids = {error.id for error in Unbound._meta.get_field("secret").check()}
    assert ids == {"crypto.E001", "crypto.E002", "crypto.E003"}
    assert Case._meta.get_field("reporter_email").check() == []


def test_data_key_format_checks(db: None) -> None:
    key = DataKey(b"\x07" * 32)
    blob = key.encrypt(b"x", b"a:b:c")
    assert key.decrypt(blob, b"a:b:c") == b"x"
    with pytest.raises(DecryptionError, match="format version"):
        key.decrypt(b"\x02" + blob[1:], b"a:b:c")
    with pytest.raises(ValueError):
        DataKey(b"short")
