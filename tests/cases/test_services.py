"""The case services: who may do what, what the audit trail says, and what is stored.

Every refusal is checked against the database afterwards: a refused call stores nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from pytest_django import Settings

from accounts.models import User
from accounts.roles import Role
from audit import actions
from audit.actors import ActorKind
from audit.models import AuditEvent
from cases import access, receipt_codes, selectors, services
from cases.choices import (
    Affiliation,
    Channel,
    Committee,
    Kind,
    MessageDirection,
    Outcome,
    ReceivedVia,
    State,
)
from cases.exceptions import (
    CaseNotFound,
    InvalidCaseInput,
    NotPermitted,
    TransitionUnavailable,
)
from cases.models import (
    Case,
    CaseAssignment,
    CaseAttachment,
    CaseGroupObjectPermission,
    CaseMessage,
    CaseNote,
    CaseParty,
    CaseReferenceCounter,
    CaseUserObjectPermission,
    ReceiptCode,
    references,
)
from crypto.destroyed import DESTROYED
from files.checking import check_file
from files.exceptions import FileRefused
from tests.cases.factories_cases import case_input, make_case
from tests.conftest import Personas
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

MARKER = "plaintext7c1e"  # a token-like word: audit validation alone would let it through

STORED_MODELS = (Case, CaseParty, ReceiptCode, CaseAssignment, CaseNote, CaseMessage,
                 CaseAttachment, CaseUserObjectPermission, CaseGroupObjectPermission,
                 AuditEvent)


def stored_counts() -> dict[str, Any]:
    counts: dict[str, Any] = {model.__name__: model.objects.count() for model in STORED_MODELS}
    counts["counters"] = list(CaseReferenceCounter.objects.order_by("year")
                              .values_list("year", "last"))
    return counts


def trail(case: Case) -> list[str]:
    return list(AuditEvent.objects.filter(stream=str(case.pk)).order_by("seq")
                .values_list("action", flat=True))


# --- who may act -------------------------------------------------------------------------------

# The advisor's services, each called with valid arguments on a case in a state that allows it.
ADVISOR_SERVICES: dict[str, tuple[str, Callable[[Case, User], object]]] = {
    "acknowledge": (State.RECEIVED, lambda c, u: services.case_acknowledge(
        case_id=c.pk, actor=u)),
    "start": (State.ACKNOWLEDGED, lambda c, u: services.case_start(case_id=c.pk, actor=u)),
    "record_consent": (State.RECEIVED, lambda c, u: services.case_record_consent(
        case_id=c.pk, actor=u, statement_in_writing=True)),
    "refer": (State.IN_PROGRESS, lambda c, u: services.case_refer(
        case_id=c.pk, actor=u, committee=Committee.MISCONDUCT)),
    "close": (State.IN_PROGRESS, lambda c, u: services.case_close(
        case_id=c.pk, actor=u, outcome=Outcome.ADVICE_GIVEN)),
    "withdraw": (State.ACKNOWLEDGED, lambda c, u: services.case_withdraw(
        case_id=c.pk, actor=u)),
    "note_add": (State.IN_PROGRESS, lambda c, u: services.note_add(
        case_id=c.pk, actor=u, body="A note.")),
    "message_send": (State.IN_PROGRESS, lambda c, u: services.message_send(
        case_id=c.pk, actor=u, body="A message.")),
    "attachment_add": (State.IN_PROGRESS, lambda c, u: services.attachment_add(
        case_id=c.pk, actor=u, filename="a.txt", content=b"text")),
}
COMMITTEE_SERVICES: dict[str, tuple[str, Callable[[Case, User], object]]] = {
    "accept": (State.REFERRED, lambda c, u: services.case_accept(case_id=c.pk, actor=u)),
    "return": (State.REFERRED, lambda c, u: services.case_return(
        case_id=c.pk, actor=u, reason="Not ours.")),
    "decide": (State.UNDER_REVIEW, lambda c, u: services.case_decide(
        case_id=c.pk, actor=u, decision="Unfounded.")),
}


def _unchanged_after(case: Case, call: Callable[[], object], error: type[Exception]) -> None:
    before = (stored_counts(), trail(case), Case.objects.filter(pk=case.pk).values_list(
        "state", "updated_at").get())
    with pytest.raises(error):
        call()
    after = (stored_counts(), trail(case), Case.objects.filter(pk=case.pk).values_list(
        "state", "updated_at").get())
    assert after == before


@pytest.mark.parametrize("name", list(ADVISOR_SERVICES))
def test_the_assigned_advisor_may(name: str, personas: Personas) -> None:
    state, call = ADVISOR_SERVICES[name]
    case = make_case(state=state, advisor=personas.advisor)
    call(case, personas.advisor)  # no exception: the baseline for the refusals below


@pytest.mark.parametrize("persona", ["other_advisor", "superuser", "auditor", "no_role",
                                     "misconduct_committee", "uu_committee"])
@pytest.mark.parametrize("name", list(ADVISOR_SERVICES))
def test_who_cannot_see_the_case_is_told_it_does_not_exist(name: str, persona: str,
                                                           personas: Personas) -> None:
    state, call = ADVISOR_SERVICES[name]
    case = make_case(state=state, advisor=personas.advisor)
    _unchanged_after(case, lambda: call(case, getattr(personas, persona)), CaseNotFound)


@pytest.mark.parametrize("name", list(ADVISOR_SERVICES))
def test_a_coordinator_may_not_do_the_advisors_work(name: str, personas: Personas) -> None:
    state, call = ADVISOR_SERVICES[name]
    case = make_case(state=state, advisor=personas.advisor)
    _unchanged_after(case, lambda: call(case, personas.coordinator), NotPermitted)


@pytest.mark.parametrize("name", list(COMMITTEE_SERVICES))
def test_only_the_committee_the_case_went_to_acts_on_it(name: str, personas: Personas) -> None:
    state, call = COMMITTEE_SERVICES[name]
    case = make_case(state=state, advisor=personas.advisor,
                     committee_actor=personas.misconduct_committee)
    for outsider in (personas.uu_committee, personas.other_advisor, personas.superuser,
                     personas.auditor):
        _unchanged_after(case, partial(call, case, outsider), CaseNotFound)
    # Those who can see the case but are not the committee: the advisor, a coordinator.
    for onlooker in (personas.advisor, personas.coordinator):
        _unchanged_after(case, partial(call, case, onlooker), NotPermitted)
    call(case, personas.misconduct_committee)


def test_the_committee_may_not_do_the_advisors_work(personas: Personas) -> None:
    case = make_case(state=State.REFERRED, advisor=personas.advisor)
    member = personas.misconduct_committee
    for name in ("note_add", "message_send", "attachment_add", "withdraw", "close"):
        _unchanged_after(case, partial(ADVISOR_SERVICES[name][1], case, member), NotPermitted)


def test_the_other_committee_cannot_see_a_referred_case(personas: Personas) -> None:
    case = make_case(state=State.REFERRED, advisor=personas.advisor)
    uu = personas.uu_committee
    assert not access.cases_visible_to(uu).exists()
    assert access.case_permissions(uu, case) == frozenset()
    with pytest.raises(CaseNotFound):
        selectors.case_detail(actor=uu, case_id=case.pk)
    assert selectors.dashboard(actor=uu).committee_cases == []
    detail = selectors.case_detail(actor=personas.misconduct_committee, case_id=case.pk)
    assert detail.can_read and detail.can_review and not detail.can_handle


def test_a_superuser_without_a_role_gets_nothing(personas: Personas) -> None:
    root = personas.superuser
    # Even every global case permission must not count.
    root.user_permissions.add(*Permission.objects.filter(content_type__app_label="cases"))
    root = type(root).objects.get(pk=root.pk)
    case = make_case(state=State.REFERRED, advisor=personas.advisor)
    for codename in (access.VIEW, access.HANDLE, access.REVIEW):
        assert not access.has_case_permission(root, codename, case)
        assert not access.cases_with_permission(root, codename).exists()
    assert access.case_permissions(root, case) == frozenset()
    assert not access.cases_listable_by(root).exists()
    with pytest.raises(CaseNotFound):
        selectors.case_detail(actor=root, case_id=case.pk)
    board = selectors.dashboard(actor=root)
    assert board.my_cases == board.committee_cases == board.overdue == board.unassigned == []
    assert selectors.case_list(actor=root, filters=selectors.CaseFilters()).cases == []
    with pytest.raises(CaseNotFound):
        services.case_assign(case_id=case.pk, actor=root, advisor_ids=[root.pk])
    with pytest.raises(NotPermitted):
        services.case_register(actor=root, data=case_input())


def test_an_advisor_who_leaves_loses_access(personas: Personas) -> None:
    case = make_case(advisor=personas.advisor)
    personas.advisor.is_active = False
    personas.advisor.save(update_fields=["is_active"])
    leaver = type(personas.advisor).objects.get(pk=personas.advisor.pk)
    assert not access.has_case_permission(leaver, access.VIEW, case)
    _unchanged_after(case, lambda: services.case_acknowledge(case_id=case.pk, actor=leaver),
                     CaseNotFound)


def test_a_missing_case_and_a_forbidden_one_look_the_same(personas: Personas) -> None:
    case = make_case(advisor=personas.advisor)
    for case_id in (case.pk, uuid.uuid4()):
        with pytest.raises(CaseNotFound) as raised:
            services.case_acknowledge(case_id=case_id, actor=personas.other_advisor)
        assert type(raised.value) is CaseNotFound
        assert str(case.pk) not in str(raised.value) and case.reference not in str(raised.value)


# --- registration ------------------------------------------------------------------------------


def test_registration_hands_back_a_code_that_verifies_and_must_be_replaced(
        personas: Personas) -> None:
    registered = services.case_register(actor=personas.advisor, data=case_input())
    code = receipt_codes.normalise(registered.receipt_code)
    assert code is not None
    selector, verifier = receipt_codes.split(code)
    stored = ReceiptCode.objects.get(selector=selector)
    assert stored.case_id == registered.case.pk
    assert stored.must_replace is True
    assert receipt_codes.verifier_matches(verifier, stored.verifier_mac)
    assert MARKER not in repr(registered)
    assert registered.receipt_code not in repr(registered)
    # The code is nowhere in the database, in any form.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_receiptcode")
        rows = str(cursor.fetchall())
    assert verifier not in rows and verifier.lower() not in rows


def test_registration_by_an_advisor_assigns_them(personas: Personas) -> None:
    case = services.case_register(actor=personas.advisor, data=case_input()).case
    stored = Case.objects.get(pk=case.pk)
    assert stored.is_assigned
    assert stored.registered_by == personas.advisor
    assert list(access.advisors_with_access(stored)) == [personas.advisor.pk]
    assert access.case_permissions(personas.advisor, stored) == {access.VIEW, access.HANDLE}
    assert trail(stored) == [actions.CASE_CREATED, actions.RECEIPT_CODE_ISSUED,
                             actions.PERMISSION_GRANTED, actions.CASE_ASSIGNED]
    created = AuditEvent.objects.get(stream=str(case.pk), action=actions.CASE_CREATED)
    assert (created.actor_kind, created.actor_id) == (ActorKind.USER, str(personas.advisor.pk))
    assert created.detail_items == {"kind": "report", "channel": "named", "via": "phone",
                                    "parties": 0, "files": 0, "unwanted_advisor": False}
    issued = AuditEvent.objects.get(stream=str(case.pk), action=actions.RECEIPT_CODE_ISSUED)
    assert issued.detail_items == {"must_replace": True}


def test_registration_by_a_coordinator_leaves_the_case_unassigned(personas: Personas) -> None:
    case = services.case_register(actor=personas.coordinator, data=case_input()).case
    stored = Case.objects.get(pk=case.pk)
    assert not stored.is_assigned
    assert list(access.advisors_with_access(stored)) == []
    assert access.case_permissions(personas.coordinator, stored) == frozenset()
    assert trail(stored) == [actions.CASE_CREATED, actions.RECEIPT_CODE_ISSUED]


def test_registration_stores_what_was_said_encrypted(personas: Personas) -> None:
    data = case_input(
        narrative=f"  {MARKER} happened.  ", occurred="Monday", desired_outcome="An apology",
        reporter_phone="+31 30 000 0000", behaviours=("verbal", "verbal", "bullying"),
        parties=[services.PartyInput(role=CaseParty.PartyRole.COMPLAINED_ABOUT,
                                     name=f"Dr. {MARKER}", affiliation=Affiliation.UMC_STAFF,
                                     description="Team lead")])
    case = services.case_register(actor=personas.advisor, data=data).case
    stored = Case.objects.get(pk=case.pk)
    assert stored.narrative == f"{MARKER} happened."
    assert stored.behaviours == ["bullying", "verbal"]
    assert stored.received_via == ReceivedVia.PHONE
    party = CaseParty.objects.select_related("case").get(case=case)
    assert party.name == f"Dr. {MARKER}"
    assert party.name_index  # findable across cases without decrypting
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_case")
        cases_raw = str(cursor.fetchall())
        cursor.execute("SELECT * FROM cases_caseparty")
        parties_raw = str(cursor.fetchall())
    assert MARKER not in cases_raw and MARKER not in parties_raw


def test_references_are_sequential_and_unique(personas: Personas) -> None:
    cases = [services.case_register(actor=personas.advisor, data=case_input()).case
             for _ in range(5)]
    years = {case.reference.split("-")[0] for case in cases}
    assert len(years) == 1
    numbers = [int(case.reference.split("-")[1]) for case in cases]
    assert numbers == list(range(numbers[0], numbers[0] + 5))
    assert all(len(case.reference.split("-")[1]) >= 4 for case in cases)
    assert Case.objects.values("reference").distinct().count() == Case.objects.count()


def test_references_count_per_year() -> None:
    with transaction.atomic():
        assert references.next_reference(2031) == "2031-0001"
        assert references.next_reference(2031) == "2031-0002"
        assert references.next_reference(2032) == "2032-0001"
        assert references.next_reference(2031) == "2031-0003"
        references.ensure_counter_at_least(2032, 41)
        assert references.next_reference(2032) == "2032-0042"
        references.ensure_counter_at_least(2032, 5)  # never goes back
        assert references.next_reference(2032) == "2032-0043"
    assert references.format_reference(2026, 12345) == "2026-12345"


INVALID_INPUTS: dict[str, dict[str, Any]] = {
    "received on the web": dict(received_via=ReceivedVia.WEB),
    "unknown kind": dict(kind="complaint"),
    "unknown channel": dict(channel="pigeon"),
    "unknown role": dict(reporter_role="boss"),
    "unknown population": dict(reporter_population="alumni"),
    "unknown affiliation": dict(accused_affiliation="mars"),
    "unknown behaviour": dict(behaviours=("verbal", "rudeness")),
    "anonymous with a name": dict(channel=Channel.ANONYMOUS, reporter_email="",
                                  reporter_name="Someone"),
    "named report without contact": dict(reporter_name=" ", reporter_email=""),
    "report without narrative": dict(narrative="   "),
    "narrative too long": dict(narrative="x" * (services.TEXT_MAX + 1)),
    "narrative with NUL": dict(narrative="a\x00b"),
    "e-mail too long": dict(reporter_email="x" * (services.SHORT_TEXT_MAX + 1)),
    # Parties are checked after the case row is inserted: the transaction must undo it.
    "party without a name": dict(parties=[services.PartyInput(role="witness", name="  ")]),
    "party name too long": dict(parties=[services.PartyInput(
        role="witness", name="x" * (services.SHORT_TEXT_MAX + 1))]),
    "party with an unknown role": dict(parties=[services.PartyInput(role="judge", name="A")]),
    "second party broken": dict(parties=[services.PartyInput(role="witness", name="Fine"),
                                         services.PartyInput(role="witness", name="a\x00")]),
}


@pytest.mark.parametrize("problem", list(INVALID_INPUTS))
@pytest.mark.parametrize("registrar", ["advisor", "coordinator"])
def test_invalid_registrations_store_nothing(problem: str, registrar: str,
                                             personas: Personas) -> None:
    services.case_register(actor=personas.advisor, data=case_input())  # a counter to watch
    data = replace(case_input(), **INVALID_INPUTS[problem])
    before = stored_counts()
    with pytest.raises(InvalidCaseInput):
        services.case_register(actor=getattr(personas, registrar), data=data)
    assert stored_counts() == before


@pytest.mark.parametrize("persona", ["auditor", "no_role", "superuser", "misconduct_committee"])
def test_only_advisors_and_coordinators_register(persona: str, personas: Personas) -> None:
    before = stored_counts()
    with pytest.raises(NotPermitted):
        services.case_register(actor=getattr(personas, persona), data=case_input())
    assert stored_counts() == before


def test_anonymous_cases_and_named_consultations_register(personas: Personas) -> None:
    anonymous = services.case_register(actor=personas.advisor, data=case_input(
        channel=Channel.ANONYMOUS)).case
    assert anonymous.reporter_name is None and anonymous.reporter_email_index == ""
    talk = services.case_register(actor=personas.advisor, data=case_input(
        kind=Kind.CONSULTATION, narrative="", reporter_email="", reporter_name="")).case
    assert (talk.kind, talk.narrative) == (Kind.CONSULTATION, None)


# --- assignment --------------------------------------------------------------------------------


def test_assignment_grants_and_reassignment_revokes(personas: Personas) -> None:
    case = make_case(advisor=None, coordinator=personas.coordinator)
    first, second = personas.advisor, personas.other_advisor

    services.case_assign(case_id=case.pk, actor=personas.coordinator, advisor_ids=[first.pk])
    stored = Case.objects.get(pk=case.pk)
    assert stored.is_assigned
    assert access.case_permissions(first, stored) == {access.VIEW, access.HANDLE}
    assert trail(stored)[-2:] == [actions.PERMISSION_GRANTED, actions.CASE_ASSIGNED]
    granted = AuditEvent.objects.filter(stream=str(case.pk),
                                        action=actions.PERMISSION_GRANTED).last()
    assert granted is not None
    assert granted.detail_items == {"user": first.pk, "role": "advisor"}
    services.case_acknowledge(case_id=case.pk, actor=first)

    services.case_assign(case_id=case.pk, actor=personas.coordinator, advisor_ids=[second.pk])
    stored = Case.objects.get(pk=case.pk)
    assert access.case_permissions(first, stored) == frozenset()
    assert access.case_permissions(second, stored) == {access.VIEW, access.HANDLE}
    assert list(CaseAssignment.objects.filter(case=case).values_list("advisor", flat=True)) \
        == [second.pk]
    revoked = AuditEvent.objects.get(stream=str(case.pk), action=actions.PERMISSION_REVOKED)
    assert revoked.detail_items == {"user": first.pk, "role": "advisor"}
    assigned = AuditEvent.objects.filter(stream=str(case.pk),
                                         action=actions.CASE_ASSIGNED).last()
    assert assigned is not None
    assert assigned.detail_items == {"added": 1, "removed": 1, "advisors": 1}
    with pytest.raises(CaseNotFound):
        services.case_start(case_id=case.pk, actor=first)
    services.case_start(case_id=case.pk, actor=second)


def test_assigning_the_same_advisors_again_changes_nothing(personas: Personas) -> None:
    case = make_case(advisor=personas.advisor)
    before = stored_counts()
    services.case_assign(case_id=case.pk, actor=personas.coordinator,
                         advisor_ids=[personas.advisor.pk])
    assert stored_counts() == before


def test_unassigning_everyone_puts_the_case_back_in_the_queue(personas: Personas) -> None:
    case = make_case(advisor=personas.advisor)
    services.case_assign(case_id=case.pk, actor=personas.coordinator, advisor_ids=[])
    stored = Case.objects.get(pk=case.pk)
    assert not stored.is_assigned
    assert list(access.advisors_with_access(stored)) == []
    assert [c.pk for c in selectors.dashboard(actor=personas.coordinator).unassigned] \
        == [case.pk]


def test_two_advisors_can_share_a_case(personas: Personas) -> None:
    case = make_case(advisor=personas.advisor)
    services.case_assign(case_id=case.pk, actor=personas.coordinator,
                         advisor_ids=[personas.advisor.pk, personas.other_advisor.pk])
    assert sorted(access.advisors_with_access(case)) == sorted(
        [personas.advisor.pk, personas.other_advisor.pk])
    services.case_acknowledge(case_id=case.pk, actor=personas.other_advisor)


@pytest.mark.parametrize("who", ["coordinator", "misconduct_committee", "auditor", "superuser",
                                 "inactive", "missing"])
def test_only_active_advisors_can_be_assigned(who: str, personas: Personas) -> None:
    case = make_case(advisor=personas.advisor)
    if who == "inactive":
        ids = [personas.advisor.pk, StaffUserFactory.create(role=Role.ADVISOR, is_active=False).pk]
    elif who == "missing":
        ids = [personas.advisor.pk, 987654]
    else:
        ids = [getattr(personas, who).pk]
    _unchanged_after(case, lambda: services.case_assign(
        case_id=case.pk, actor=personas.coordinator, advisor_ids=ids), InvalidCaseInput)
    assert list(access.advisors_with_access(case)) == [personas.advisor.pk]


@pytest.mark.parametrize("persona", ["advisor", "other_advisor", "misconduct_committee",
                                     "auditor", "superuser"])
def test_only_coordinators_assign(persona: str, personas: Personas) -> None:
    case = make_case(advisor=personas.advisor)
    _unchanged_after(case, lambda: services.case_assign(
        case_id=case.pk, actor=getattr(personas, persona),
        advisor_ids=[personas.other_advisor.pk]), CaseNotFound)


@pytest.mark.parametrize("state", [State.CLOSED, State.DESTROYED])
def test_a_closed_case_is_not_assigned(state: str, personas: Personas) -> None:
    case = make_case(state=state, advisor=personas.advisor)
    _unchanged_after(case, lambda: services.case_assign(
        case_id=case.pk, actor=personas.coordinator,
        advisor_ids=[personas.other_advisor.pk]), TransitionUnavailable)


# --- consent and conversion ----------------------------------------------------------------


def test_consent_is_recorded_once_with_the_written_statement(personas: Personas) -> None:
    case = make_case(advisor=personas.advisor, consent=False, statement_in_writing=False)
    services.case_record_consent(case_id=case.pk, actor=personas.advisor,
                                 statement_in_writing=False)
    first = Case.objects.get(pk=case.pk)
    assert first.referral_consent_at is not None and not first.statement_in_writing
    services.case_record_consent(case_id=case.pk, actor=personas.advisor,
                                 statement_in_writing=True)
    second = Case.objects.get(pk=case.pk)
    assert second.referral_consent_at == first.referral_consent_at
    assert second.statement_in_writing
    events = AuditEvent.objects.filter(stream=str(case.pk),
                                       action=actions.CASE_CONSENT_RECORDED).order_by("seq")
    assert [e.changed_field_names for e in events] == [["referral_consent_at"],
                                                      ["statement_in_writing"]]
    before = stored_counts()
    services.case_record_consent(case_id=case.pk, actor=personas.advisor,
                                 statement_in_writing=True)
    assert stored_counts() == before


@pytest.mark.parametrize(("changes", "error"), [
    (dict(channel=Channel.ANONYMOUS), InvalidCaseInput),
    (dict(kind=Kind.CONSULTATION), InvalidCaseInput),
    (dict(state=State.REFERRED), TransitionUnavailable),
    (dict(state=State.CLOSED), TransitionUnavailable),
])
def test_consent_applies_to_named_reports_before_referral(changes: dict[str, Any],
                                                          error: type[Exception],
                                                          personas: Personas) -> None:
    case = make_case(advisor=personas.advisor, **{"state": State.IN_PROGRESS, **changes})
    _unchanged_after(case, lambda: services.case_record_consent(
        case_id=case.pk, actor=personas.advisor, statement_in_writing=True), error)


def test_a_named_consultation_becomes_a_report(personas: Personas) -> None:
    case = make_case(advisor=personas.advisor, kind=Kind.CONSULTATION)
    services.case_convert_to_report(case_id=case.pk, actor=personas.advisor)
    assert Case.objects.get(pk=case.pk).kind == Kind.REPORT
    assert trail(case)[-2:] == [actions.CASE_CONSENT_RECORDED, actions.CASE_CONVERTED]


@pytest.mark.parametrize(("changes", "error"), [
    (dict(kind=Kind.REPORT), InvalidCaseInput),
    (dict(channel=Channel.ANONYMOUS), InvalidCaseInput),
    (dict(state=State.CLOSED), TransitionUnavailable),
])
def test_conversion_refusals(changes: dict[str, Any], error: type[Exception],
                             personas: Personas) -> None:
    case = make_case(advisor=personas.advisor, **{"kind": Kind.CONSULTATION, **changes})
    _unchanged_after(case, lambda: services.case_convert_to_report(
        case_id=case.pk, actor=personas.advisor), error)


# --- notes, messages, files ------------------------------------------------------------------


def test_a_message_counts_as_feedback_once(personas: Personas) -> None:
    case = make_case(state=State.ACKNOWLEDGED, advisor=personas.advisor)
    assert case.next_deadline_at == case.feedback_due_at
    first = services.message_send(case_id=case.pk, actor=personas.advisor, body="Hello.")
    stored = Case.objects.get(pk=case.pk)
    assert stored.feedback_given_at == first.created_at
    assert stored.next_deadline_at is None
    services.message_send(case_id=case.pk, actor=personas.advisor, body="Again.")
    assert Case.objects.get(pk=case.pk).feedback_given_at == first.created_at
    sent = AuditEvent.objects.filter(stream=str(case.pk), action=actions.MESSAGE_SENT)
    assert sent.count() == 2
    assert {e.detail_items["direction"] for e in sent} == {MessageDirection.TO_REPORTER}
    assert CaseMessage.objects.filter(case=case).count() == 2


def test_a_message_before_the_acknowledgement_is_not_the_feedback(personas: Personas) -> None:
    case = make_case(advisor=personas.advisor)
    services.message_send(case_id=case.pk, actor=personas.advisor, body="We got it.")
    stored = Case.objects.get(pk=case.pk)
    assert stored.feedback_given_at is None
    assert stored.next_deadline_at == stored.acknowledgement_due_at
    services.case_acknowledge(case_id=case.pk, actor=personas.advisor)
    acknowledged = Case.objects.get(pk=case.pk)
    assert acknowledged.feedback_given_at is None  # the reporter is still owed feedback
    assert acknowledged.next_deadline_at == acknowledged.feedback_due_at


@pytest.mark.parametrize("body", ["", "   \n", "a\x00b", "x" * (services.TEXT_MAX + 1)])
def test_empty_or_unstorable_notes_and_messages_are_refused(body: str,
                                                            personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    for service in (services.note_add, services.message_send):
        _unchanged_after(case, partial(service, case_id=case.pk, actor=personas.advisor,
                                       body=body), InvalidCaseInput)


def test_attachments_are_checked_and_stored_encrypted(personas: Personas,
                                                      settings: Settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 2048
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    for content in (b"", b"x" * 2049):
        _unchanged_after(case, partial(
            services.attachment_add, case_id=case.pk, actor=personas.advisor, filename="f.txt",
            content=content), InvalidCaseInput)
    _unchanged_after(case, lambda: services.attachment_add(
        case_id=case.pk, actor=personas.advisor, filename="  ", content=b"x"),
        InvalidCaseInput)
    # Checked by content, not by name (files.checking has the details): a kind not
    # on the allow-list, or a name that says something else than the content, is refused.
    refused = {"f.gif": b"GIF89a", "f.bin": b"\xff\xfe\x00\x81", "f.pdf": MARKER.encode()}
    for filename, content in refused.items():
        _unchanged_after(case, partial(
            services.attachment_add, case_id=case.pk, actor=personas.advisor, filename=filename,
            content=content), InvalidCaseInput)
    kinds = {b"%PDF-1.7 " + MARKER.encode(): ("pdf", "application/pdf"),
             MARKER.encode(): ("txt", "text/plain; charset=utf-8")}
    for content, (extension, content_type) in kinds.items():
        added = services.attachment_add(case_id=case.pk, actor=personas.advisor,
                                        filename=f"{MARKER}.{extension}", content=content)
        assert (added.content_type, added.size) == (content_type, len(content))
    loaded = CaseAttachment.objects.select_related("case").filter(case=case)
    assert {a.content for a in loaded} == set(kinds)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_caseattachment")
        raw = str(cursor.fetchall())
    assert MARKER not in raw and MARKER.encode().hex() not in raw


def test_a_refused_file_is_the_cases_own_error_in_the_files_own_words(
        personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    with pytest.raises(FileRefused) as by_files:
        check_file(filename="f.gif", content=b"GIF89a")
    with pytest.raises(InvalidCaseInput) as by_cases:
        services.attachment_add(case_id=case.pk, actor=personas.advisor, filename="f.gif",
                                content=b"GIF89a")
    assert str(by_cases.value) == str(by_files.value)
    assert isinstance(by_cases.value.__cause__, FileRefused)


@pytest.mark.parametrize("name", ["note_add", "message_send", "attachment_add"])
def test_nothing_is_added_to_a_destroyed_case(name: str, personas: Personas) -> None:
    case = make_case(state=State.DESTROYED, advisor=personas.advisor)
    _unchanged_after(case, lambda: ADVISOR_SERVICES[name][1](case, personas.advisor),
                     TransitionUnavailable)


def test_notes_are_for_the_advisors_only(personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    services.note_add(case_id=case.pk, actor=personas.advisor, body=f"Private {MARKER}")
    services.message_send(case_id=case.pk, actor=personas.advisor, body="To the reporter")
    services.case_refer(case_id=case.pk, actor=personas.advisor, committee=Committee.MISCONDUCT)

    mine = selectors.case_detail(actor=personas.advisor, case_id=case.pk)
    assert [note.body for note in mine.notes] == [f"Private {MARKER}"]
    assert mine.receipt_code is not None

    theirs = selectors.case_detail(actor=personas.misconduct_committee, case_id=case.pk)
    assert theirs.can_read and not theirs.can_handle
    assert theirs.notes == []
    assert theirs.receipt_code is None
    assert [m.body for m in theirs.messages] == ["To the reporter"]
    assert theirs.case.narrative  # the file itself is theirs to read

    coordinator = selectors.case_detail(actor=personas.coordinator, case_id=case.pk)
    assert not coordinator.can_read
    assert coordinator.notes == coordinator.messages == coordinator.parties == []
    assert coordinator.attachments == [] and coordinator.receipt_code is None


def test_reads_are_audited(personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    attachment = services.attachment_add(case_id=case.pk, actor=personas.advisor,
                                         filename="a.txt", content=b"abc")
    services.case_viewed(case=case, actor=personas.advisor)
    downloaded = selectors.attachment_for_download(actor=personas.advisor, case_id=case.pk,
                                                   attachment_id=attachment.pk)
    services.attachment_downloaded(attachment=downloaded, actor=personas.advisor,
                                   original=False)
    viewed, fetched = AuditEvent.objects.filter(stream=str(case.pk)).order_by("-seq")[:2][::-1]
    assert (viewed.action, viewed.target_type) == (actions.CASE_VIEWED, "case")
    assert (fetched.action, fetched.target_type, fetched.target_id) == (
        actions.ATTACHMENT_DOWNLOADED, "attachment", str(attachment.pk))
    for outsider in (personas.other_advisor, personas.superuser):
        with pytest.raises(CaseNotFound):
            selectors.attachment_for_download(actor=outsider, case_id=case.pk,
                                              attachment_id=attachment.pk)
    # The coordinator sees the case, not its content: refused, not told it does not exist.
    with pytest.raises(NotPermitted):
        selectors.attachment_for_download(actor=personas.coordinator, case_id=case.pk,
                                          attachment_id=attachment.pk)


# --- the audit trail never holds content -------------------------------------------------------


def test_no_plaintext_reaches_the_audit_trail(personas: Personas) -> None:
    m = MARKER
    data = case_input(
        affiliation=Affiliation.DUAL, narrative=f"{m} narrative", occurred=f"{m} when",
        desired_outcome=f"{m} wish", reporter_name=f"{m} name",
        reporter_email=f"{m}@example.org", reporter_phone=f"{m} phone",
        parties=[services.PartyInput(role="complained_about", name=f"{m} accused",
                                     affiliation=Affiliation.DUAL, description=f"{m} desc")])
    registered = services.case_register(actor=personas.advisor, data=data)
    pk = registered.case.pk
    advisor, member = personas.advisor, personas.uu_committee
    services.case_record_consent(case_id=pk, actor=advisor, statement_in_writing=True)
    services.case_acknowledge(case_id=pk, actor=advisor)
    services.case_start(case_id=pk, actor=advisor)
    services.note_add(case_id=pk, actor=advisor, body=f"{m} note")
    services.message_send(case_id=pk, actor=advisor, body=f"{m} message")
    services.attachment_add(case_id=pk, actor=advisor, filename=f"{m}.txt",
                            content=f"{m} file".encode())
    services.case_refer(case_id=pk, actor=advisor, committee=Committee.MISCONDUCT,
                        reason=f"{m} reason")
    services.case_return(case_id=pk, actor=personas.misconduct_committee,
                         reason=f"{m} return")
    services.case_refer(case_id=pk, actor=advisor, committee=Committee.UU_INTEGRITY,
                        reason=f"{m} second reason")
    services.case_accept(case_id=pk, actor=member)
    services.case_decide(case_id=pk, actor=member, decision=f"{m} decision")
    services.case_close(case_id=pk, actor=advisor, outcome=Outcome.DECIDED_BY_COMMITTEE)
    services.case_viewed(case=Case.objects.get(pk=pk), actor=advisor)

    code = receipt_codes.normalise(registered.receipt_code)
    assert code is not None
    forbidden = [m, m.upper(), registered.receipt_code, code, receipt_codes.split(code)[1],
                 "example.org"]
    events = list(AuditEvent.objects.filter(stream=str(pk)).values_list())
    assert len(events) >= 20
    dumped = repr(events)
    for secret in forbidden:
        assert secret not in dumped
    assert Case.objects.get(pk=pk).decision == f"{m} decision"  # it was stored, elsewhere


def test_a_destroyed_case_keeps_its_skeleton_and_trail(personas: Personas) -> None:
    case = make_case(state=State.CLOSED, advisor=personas.advisor)
    events = AuditEvent.objects.filter(stream=str(case.pk)).count()
    services.case_destroy(case_id=case.pk, actor=personas.coordinator)
    stored = Case.objects.get(pk=case.pk)
    assert stored.narrative is DESTROYED
    assert (stored.kind, stored.channel, stored.outcome, stored.behaviours) == (
        case.kind, case.channel, case.outcome, case.behaviours)
    assert AuditEvent.objects.filter(stream=str(case.pk)).count() == events + 2
    detail = selectors.case_detail(actor=personas.advisor, case_id=case.pk)
    assert detail.notes == detail.messages == detail.attachments == []


def test_a_selector_already_in_use_is_drawn_again(personas: Personas,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    taken = services.case_register(actor=personas.advisor, data=case_input())
    taken_selector = ReceiptCode.objects.get(case=taken.case).selector
    real_new_code = receipt_codes.new_code
    draws: list[str] = []

    def unlucky_first_draw() -> receipt_codes.NewCode:
        code = real_new_code()
        if not draws:  # the same selector as the existing case, another verifier
            code = replace(code, selector=taken_selector,
                           display=receipt_codes.group(taken_selector
                                                       + code.display.replace("-", "")[8:]))
        draws.append(code.selector)
        return code

    monkeypatch.setattr(receipt_codes, "new_code", unlucky_first_draw)
    second = services.case_register(actor=personas.advisor, data=case_input())
    assert draws[0] == taken_selector and len(draws) == 2
    code = receipt_codes.normalise(second.receipt_code)
    assert code is not None
    selector, verifier = receipt_codes.split(code)
    assert selector == draws[1] != taken_selector
    stored = ReceiptCode.objects.get(case=second.case)
    assert stored.selector == selector
    assert receipt_codes.verifier_matches(verifier, stored.verifier_mac)
    assert ReceiptCode.objects.get(case=taken.case).selector == taken_selector
