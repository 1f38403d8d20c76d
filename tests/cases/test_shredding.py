"""Crypto-shredding: case_destroy_key and what a shredded case reads as."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.template import Context, Template
from django.utils import translation
from pytest_django import Settings

from accounts.models import User
from accounts.roles import Role
from audit import actions
from audit.models import AuditEvent
from cases.exceptions import CaseKeyAlreadyDestroyedError, CaseNotFound, NotPermitted
from cases.models import Case
from cases.services import case_destroy_key
from crypto.destroyed import DESTROYED, is_destroyed
from crypto.exceptions import KeyDestroyedError
from tests.crypto.helpers import fresh, raw_column
from tests.crypto.probe import ProbeNote
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db: None) -> User:
    return StaffUserFactory.create(username="shred-actor", role=Role.COORDINATOR)


@pytest.fixture
def shredded(note: ProbeNote, case: Case, coordinator: User) -> Case:
    case.set_reporter_email("reporter@example.org")
    case.save(update_fields=["reporter_email", "reporter_email_index"])
    return case_destroy_key(case_id=case.pk, actor=coordinator)


def test_every_value_of_the_case_reads_as_destroyed(shredded: Case, note: ProbeNote) -> None:
    loaded = fresh(shredded)
    assert loaded.reporter_email is DESTROYED
    loaded_note = ProbeNote.objects.select_related("case").get(pk=note.pk)
    for name in ("body", "summary", "data", "blob"):
        assert is_destroyed(getattr(loaded_note, name)), name
    # The instance the service returned reads as destroyed too (its cached key is gone).
    assert shredded.reporter_email is DESTROYED


def test_values_that_were_none_stay_none(
        shredded: Case, note: ProbeNote, coordinator: User) -> None:
    empty = ProbeNote.objects.create(case=Case.objects.create())
    case_destroy_key(case_id=empty.case_id, actor=coordinator)
    assert fresh(empty).body is None


def test_destroyed_renders_as_a_translatable_word(shredded: Case) -> None:
    template = Template("{{ case.reporter_email }}|{% if case.reporter_email %}shown{% endif %}")
    with translation.override("en"):
        assert template.render(Context({"case": fresh(shredded)})) == "destroyed|shown"
    assert repr(DESTROYED) == "<destroyed>"


def test_the_key_and_the_blind_index_are_gone_from_the_row(shredded: Case) -> None:
    assert raw_column(Case, shredded.pk, "wrapped_key") is None
    loaded = fresh(shredded)
    assert loaded.key_destroyed_at is not None
    assert loaded.key_id == ""
    assert loaded.reporter_email_index == ""
    assert not Case.objects.with_reporter_email("reporter@example.org").exists()


def test_the_audit_event_is_recorded_in_the_case_stream(
    shredded: Case, coordinator: User
) -> None:
    event = AuditEvent.objects.get(action=actions.CASE_KEY_DESTROYED)
    assert event.stream == str(shredded.pk)
    assert (event.actor_kind, event.actor_id) == ("user", str(coordinator.pk))
    assert (event.target_type, event.target_id) == ("case", str(shredded.pk))
    assert event.changed_fields == "wrapped_key,reporter_email_index"
    assert event.detail == "{}"
    assert "example" not in event.changed_fields + event.detail


def test_destroying_twice_is_refused_without_a_second_event(
    shredded: Case, coordinator: User
) -> None:
    with pytest.raises(CaseKeyAlreadyDestroyedError):
        case_destroy_key(case_id=shredded.pk, actor=coordinator)
    assert AuditEvent.objects.filter(action=actions.CASE_KEY_DESTROYED).count() == 1


def test_nothing_new_can_be_encrypted_for_a_shredded_case(
    shredded: Case, note: ProbeNote
) -> None:
    loaded = fresh(shredded)
    loaded.reporter_email = "new@example.org"
    # Each refusal happens inside save()'s atomic block, rolled back here.
    with pytest.raises(KeyDestroyedError), transaction.atomic():
        loaded.save()
    with pytest.raises(KeyDestroyedError), transaction.atomic():
        ProbeNote.objects.create(case=loaded, body="new content")
    # Reading a value and saving the instance with everything does not sneak DESTROYED into it.
    reread = fresh(shredded)
    _ = reread.reporter_email
    reread.save()  # the value was never replaced in the instance: the ciphertext stays
    assert raw_column(Case, shredded.pk, "reporter_email") is not None


def test_an_unknown_case_raises(coordinator: User) -> None:
    import uuid

    with pytest.raises(CaseNotFound):
        case_destroy_key(case_id=uuid.uuid4(), actor=coordinator)


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.AUDITOR, None])
def test_only_a_coordinator_may_destroy_a_key(role: Role | None, case: Case) -> None:
    someone = StaffUserFactory.create(username=f"not-a-coordinator-{role}", role=role)
    with pytest.raises((CaseNotFound, NotPermitted)):
        case_destroy_key(case_id=case.pk, actor=someone)
    assert fresh(case).key_destroyed_at is None and fresh(case).wrapped_key is not None


def test_a_shredded_case_survives_a_key_change(shredded: Case, settings: Settings) -> None:
    from tests.crypto.helpers import key_line

    settings.ENCRYPTION_KEYS = key_line("k-after", 0x55)
    assert fresh(shredded).reporter_email is DESTROYED
