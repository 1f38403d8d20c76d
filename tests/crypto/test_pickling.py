"""A pickled instance (cache, task message, session) carries ciphertext, never plaintext."""

from __future__ import annotations

import copy
import pickle
from typing import TypeVar

import pytest
from django.db.models import Model

from accounts.roles import Role
from cases.models import Case
from cases.services import case_destroy_key
from crypto.destroyed import DESTROYED
from crypto.exceptions import CryptoError, KeyDestroyedError
from crypto.fields import Sealed
from tests.crypto.helpers import fresh, raw_column
from tests.crypto.probe import ProbeNote
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

M = TypeVar("M", bound=Model)

EMAIL = "plain@example.org"
BODY = "narrative-plaintext-body"
NOTE_FIELDS = {"body": BODY, "summary": "summary-plaintext", "data": {"who": "json-plaintext"},
               "blob": b"bytes-plaintext"}
MARKERS = [EMAIL.encode(), BODY.encode(), b"summary-plaintext", b"json-plaintext",
           b"bytes-plaintext"]


def _leaks(pickled: bytes) -> list[bytes]:
    return [marker for marker in MARKERS if marker in pickled]


def _revive(instance: M) -> M:
    """Pickle and unpickle. The probe model's app is not installed, so Django's unpickling
    helper cannot look it up: its pickled state is restored by hand, the way that helper does."""
    pickled = pickle.dumps(instance)
    assert _leaks(pickled) == [], "plaintext in the pickle"
    if isinstance(instance, Case):
        return pickle.loads(pickled)  # noqa: S301 - our own bytes
    reduced = instance.__reduce__()
    assert isinstance(reduced, tuple)
    _, _, state = reduced
    revived = type(instance).__new__(type(instance))
    # Model.__setstate__ exists (Django defines it); the stubs do not declare it.
    revived.__setstate__(pickle.loads(pickle.dumps(state)))  # type: ignore[attr-defined]  # noqa: S301 - our own bytes
    return revived


def _case() -> Case:
    case = Case()
    case.set_reporter_email(EMAIL)
    case.save()
    return case


def test_a_read_case_pickles_without_its_plaintext() -> None:
    loaded = fresh(_case())
    assert loaded.reporter_email == EMAIL  # the plaintext is now cached on the instance
    revived = _revive(loaded)
    assert isinstance(revived.__dict__["reporter_email"], Sealed)
    assert "_crypto_data_key" not in revived.__dict__
    assert revived.reporter_email == EMAIL
    # The live instance keeps its plaintext: pickling changed only the pickled copy.
    assert loaded.__dict__["reporter_email"] == EMAIL


def test_a_read_key_path_instance_and_its_case_pickle_without_plaintext(
    probe_tables: None,
) -> None:
    case = _case()
    note = ProbeNote.objects.create(case=case, **NOTE_FIELDS)
    loaded = ProbeNote.objects.select_related("case").get(pk=note.pk)
    assert {name: getattr(loaded, name) for name in NOTE_FIELDS} == NOTE_FIELDS
    assert loaded.case.reporter_email == EMAIL  # the related case, cached along with the note
    revived = _revive(loaded)
    assert {name: getattr(revived, name) for name in NOTE_FIELDS} == NOTE_FIELDS
    assert revived.case.reporter_email == EMAIL


def test_unsaved_changes_survive_pickling_encrypted(probe_tables: None) -> None:
    note = ProbeNote.objects.create(case=_case(), **NOTE_FIELDS)
    loaded = fresh(note)
    loaded.body = "edited-but-unsaved"
    loaded.data["who"] = "mutated-in-place"  # read, then changed in place
    pickled = pickle.dumps(loaded)
    assert b"edited-but-unsaved" not in pickled and b"mutated-in-place" not in pickled
    revived = _revive(loaded)
    assert (revived.body, revived.data) == ("edited-but-unsaved", {"who": "mutated-in-place"})
    revived.save()  # the re-sealed value is bound to this row and field: it saves as it is
    assert (fresh(note).body, fresh(note).data) == ("edited-but-unsaved",
                                                    {"who": "mutated-in-place"})


def test_copies_carry_no_plaintext_either() -> None:
    loaded = fresh(_case())
    assert loaded.reporter_email == EMAIL
    for duplicate in (copy.copy(loaded), copy.deepcopy(loaded)):
        assert isinstance(duplicate.__dict__["reporter_email"], Sealed)
        assert duplicate.reporter_email == EMAIL


def test_values_not_read_pickle_as_the_stored_ciphertext() -> None:
    case = _case()
    revived = _revive(fresh(case))
    assert revived.__dict__["reporter_email"].blob == raw_column(Case, case.pk, "reporter_email")


def test_an_unsaved_instance_with_plaintext_refuses_to_be_pickled() -> None:
    case = Case()
    case.set_reporter_email(EMAIL)
    with pytest.raises(CryptoError, match="save it first") as refused:
        pickle.dumps(case)
    assert EMAIL not in str(refused.value)
    pickle.dumps(Case())  # nothing to encrypt: fine


def test_a_destroyed_case_pickles_and_refuses_new_plaintext() -> None:
    actor = StaffUserFactory.create(role=Role.COORDINATOR)
    case = case_destroy_key(case_id=_case().pk, actor=actor)
    loaded = fresh(case)
    assert _revive(loaded).reporter_email is DESTROYED
    loaded.reporter_email = "new@example.org"
    with pytest.raises(KeyDestroyedError):
        pickle.dumps(loaded)
