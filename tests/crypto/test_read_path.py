"""The fast read path of encrypted fields: what it keeps per instance, and that it refuses what
the plain path refuses.

Reading an attribute keeps, per instance and field, the associated data it built (the key's
header and the binding), and takes the case of a one-step key path from the instance's field
cache. These tests read values on instances that already hold both, so that every check runs
on the fast path: tampering, values moved between rows, fields and cases, a changed primary
key or case, a key destroyed on the very instance that was reading, pickling.
"""

from __future__ import annotations

import pickle
import uuid

import pytest
from pytest_django import DjangoAssertNumQueries

from cases.models import Case
from crypto.destroyed import DESTROYED
from crypto.envelope import LARGE_VALUE_BYTES, VALUE_OVERHEAD_BYTES, DataKey
from crypto.exceptions import DecryptionError
from crypto.fields import EncryptedField, Sealed
from tests.crypto.helpers import fresh, raw_column
from tests.crypto.probe import ProbeNote

pytestmark = pytest.mark.django_db

FIELDS = ("body", "summary", "data", "blob")


def _warm(note: ProbeNote) -> ProbeNote:
    """The note with its case, every field read once: key unwrapped, associated data kept."""
    loaded = ProbeNote.objects.select_related("case").get(pk=note.pk)
    for name in FIELDS:
        getattr(loaded, name)
    assert "_crypto_data_key" in loaded.case.__dict__
    assert all(f"_crypto_associated_{name}" in loaded.__dict__ for name in FIELDS)
    return loaded


def _reseal(instance: object, name: str, blob: bytes | None) -> None:
    """Put a stored value back into a (warm) instance, as loading would."""
    assert blob is not None
    instance.__dict__[name] = Sealed(blob)


def _stored(note: ProbeNote, name: str) -> bytes:
    blob = raw_column(ProbeNote, note.pk, name)
    assert blob is not None
    return blob


def test_a_warm_instance_reads_what_was_stored(note: ProbeNote) -> None:
    loaded = _warm(note)
    for name in FIELDS:
        _reseal(loaded, name, _stored(note, name))
    assert (loaded.body, loaded.summary, loaded.data, loaded.blob) == (
        "a note body", "a summary", {"k": [1, "two"]}, b"\x00\x01bytes"
    )


def test_every_tampered_byte_is_refused_on_a_warm_instance(note: ProbeNote) -> None:
    loaded = _warm(note)
    original = _stored(note, "body")
    for position in range(len(original)):
        tampered = bytearray(original)
        tampered[position] ^= 0x01
        _reseal(loaded, "body", bytes(tampered))
        with pytest.raises(DecryptionError):
            _ = loaded.body
    _reseal(loaded, "body", original)
    assert loaded.body == "a note body"  # the refusals left nothing behind


@pytest.mark.parametrize("length", [0, 1, 8, 9, 12, 20, 21, 30, VALUE_OVERHEAD_BYTES - 1])
def test_a_value_too_short_is_refused_with_its_reason(note: ProbeNote, length: int) -> None:
    loaded = _warm(note)
    _reseal(loaded, "body", _stored(note, "body")[:length])
    with pytest.raises(DecryptionError, match="too short to be a ciphertext"):
        _ = loaded.body


def test_the_reasons_are_those_of_the_data_key(note: ProbeNote) -> None:
    loaded = _warm(note)
    stored = _stored(note, "body")
    foreign = bytes(DataKey(b"\x09" * 32).encrypt(b"x", b"cryptoprobe.probenote:x:body"))
    cases = {
        b"\x02" + stored[1:]: "unknown format version",
        foreign: "encrypted under another data key",
        stored[:-1] + bytes([stored[-1] ^ 1]): "failed authentication",
    }
    for blob, reason in cases.items():
        _reseal(loaded, "body", blob)
        with pytest.raises(DecryptionError, match=reason):
            _ = loaded.body


def test_values_moved_between_rows_and_fields_are_refused_on_a_warm_instance(
    note: ProbeNote, case: Case
) -> None:
    other = ProbeNote.objects.create(case=case, body="the other body")
    loaded = _warm(note)
    _reseal(loaded, "body", _stored(other, "body"))
    with pytest.raises(DecryptionError, match="altered, or moved"):
        _ = loaded.body
    _reseal(loaded, "body", _stored(note, "summary"))
    with pytest.raises(DecryptionError, match="altered, or moved"):
        _ = loaded.body


def test_a_value_from_another_case_is_refused_on_a_warm_instance(note: ProbeNote) -> None:
    elsewhere = ProbeNote.objects.create(case=Case.objects.create(), body="elsewhere")
    loaded = _warm(note)
    _reseal(loaded, "body", _stored(elsewhere, "body"))
    with pytest.raises(DecryptionError, match="another data key"):
        _ = loaded.body


def test_a_tampered_large_value_is_refused(note: ProbeNote) -> None:
    value = bytes(range(256)) * (LARGE_VALUE_BYTES // 256 + 1)
    loaded = _warm(note)
    loaded.blob = value
    loaded.save()
    stored = _stored(note, "blob")
    assert len(stored) > LARGE_VALUE_BYTES
    _reseal(loaded, "blob", stored)
    assert loaded.blob == value
    _reseal(loaded, "blob", stored[:-1] + bytes([stored[-1] ^ 1]))
    with pytest.raises(DecryptionError, match="failed authentication"):
        _ = loaded.blob


def test_a_changed_primary_key_binds_afresh(note: ProbeNote) -> None:
    loaded = _warm(note)
    loaded.id = uuid.uuid4()  # kept associated data was built for the old primary key
    _reseal(loaded, "body", _stored(note, "body"))
    with pytest.raises(DecryptionError, match="altered, or moved"):
        _ = loaded.body
    # The same value object again (not just an equal one) opens once more.
    loaded.id = note.pk
    assert loaded.body == "a note body"


def test_a_note_moved_to_another_case_is_written_under_that_case_key(note: ProbeNote) -> None:
    loaded = _warm(note)
    stored_body = _stored(note, "body")
    other_case = Case.objects.create()
    loaded.case = other_case
    _reseal(loaded, "summary", _stored(note, "summary"))
    with pytest.raises(DecryptionError, match="another data key"):
        _ = loaded.summary  # under the new case's key, the old value does not open
    loaded.body = "written for the other case"
    loaded.save(update_fields=["case", "body"])
    key = other_case.crypto_data_key()
    assert isinstance(key, DataKey)
    assert _stored(note, "body")[1:9] == key.header[1:]
    assert _stored(note, "body") != stored_body
    assert fresh(note).body == "written for the other case"


def test_a_key_destroyed_on_the_reading_instance_reads_as_destroyed(note: ProbeNote) -> None:
    loaded = _warm(note)
    loaded.case.forget_data_key()  # not saved: this instance alone has lost its key
    for name in FIELDS:
        _reseal(loaded, name, _stored(note, name))
        assert getattr(loaded, name) is DESTROYED, name
    # A value read before the key was forgotten stays what it was: plaintext is per instance.
    assert fresh(note).body == "a note body"


def test_a_case_that_forgot_its_key_reads_its_own_values_as_destroyed(case: Case) -> None:
    case.set_reporter_email("someone@example.org")
    case.save()
    loaded = fresh(case)
    assert loaded.reporter_email == "someone@example.org"
    loaded.forget_data_key()
    _reseal(loaded, "reporter_email", raw_column(Case, case.pk, "reporter_email"))
    assert loaded.reporter_email is DESTROYED


def test_a_warm_instance_pickles_without_any_key(note: ProbeNote, case: Case) -> None:
    loaded = _warm(note)
    for name in FIELDS:
        kept = loaded.__dict__[f"_crypto_associated_{name}"]
        assert not any(isinstance(part, DataKey) for part in kept)
    pickle.dumps(loaded)  # a data key anywhere in it would refuse to be pickled
    case.set_reporter_email("someone@example.org")
    case.save()
    warm_case = fresh(case)
    assert warm_case.reporter_email == "someone@example.org"
    revived = pickle.loads(pickle.dumps(warm_case))  # noqa: S301 - our own bytes
    assert "_crypto_data_key" not in revived.__dict__
    _reseal(revived, "reporter_email", raw_column(Case, case.pk, "reporter_email"))
    assert revived.reporter_email == "someone@example.org"  # unwrapped afresh


def test_the_case_comes_from_the_field_cache_only_when_loaded(
    note: ProbeNote, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    field = ProbeNote._meta.get_field("body")
    reporter_email = Case._meta.get_field("reporter_email")
    assert isinstance(field, EncryptedField) and isinstance(reporter_email, EncryptedField)
    assert field.key_owner_cache_name == "case"
    assert reporter_email.key_owner_cache_name is None
    without_case = fresh(note)
    with django_assert_num_queries(1):
        assert without_case.body == "a note body"  # loads the case, as the descriptor would
    with django_assert_num_queries(0):
        assert without_case.summary == "a summary"
