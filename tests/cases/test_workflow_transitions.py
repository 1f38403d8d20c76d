"""The workflow (DESIGN.md §3): every transition from every state, through the services.

The matrix is read from the state machine itself, so a transition added to ``Case`` without a
row in ``PERFORM`` below fails the suite instead of going untested.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import User
from audit import actions
from audit.models import AuditEvent
from cases import access, services, workflow
from cases.choices import ADVISOR_OUTCOMES, Affiliation, Channel, Committee, Kind, Outcome, State
from cases.exceptions import (
    CaseNotFound,
    InvalidTransitionInput,
    NotPermitted,
    TransitionUnavailable,
)
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseNote,
    CaseParty,
    CaseUserObjectPermission,
)
from cases.transitions import SPECS, available_actions
from crypto.destroyed import DESTROYED
from tests.cases.factories_cases import NARRATIVE, case_input, make_case
from tests.conftest import Personas

pytestmark = pytest.mark.django_db

TRANSITIONS = list(Case._meta.get_field("state").get_all_transitions(Case))
ALLOWED: dict[tuple[str, str], str] = {(str(t.source), t.name): str(t.target)
                                       for t in TRANSITIONS}
NAMES = sorted({t.name for t in TRANSITIONS})


@dataclass(frozen=True)
class People:
    advisor: User
    member: User  # of the Misconduct Complaints Committee (the cases concern UMC staff)
    coordinator: User


@dataclass(frozen=True)
class Perform:
    action: str  # the audit action the service records
    run: Callable[[Case, People], Case]
    by_committee: bool = False


def _close(case: Case, people: People) -> Case:
    outcome = (Outcome.DECIDED_BY_COMMITTEE if case.state == State.DECIDED
               else Outcome.ADVICE_GIVEN)
    return services.case_close(case_id=case.pk, actor=people.advisor, outcome=outcome)


PERFORM: dict[str, Perform] = {
    "acknowledge": Perform(actions.CASE_ACKNOWLEDGED, lambda c, p: services.case_acknowledge(
        case_id=c.pk, actor=p.advisor)),
    "start": Perform(actions.CASE_STARTED, lambda c, p: services.case_start(
        case_id=c.pk, actor=p.advisor)),
    "refer": Perform(actions.CASE_REFERRED, lambda c, p: services.case_refer(
        case_id=c.pk, actor=p.advisor, committee=Committee.MISCONDUCT)),
    "return_to_office": Perform(actions.CASE_RETURNED, lambda c, p: services.case_return(
        case_id=c.pk, actor=p.member, reason="Not within our jurisdiction."),
        by_committee=True),
    "accept": Perform(actions.CASE_ACCEPTED, lambda c, p: services.case_accept(
        case_id=c.pk, actor=p.member), by_committee=True),
    "decide": Perform(actions.CASE_DECIDED, lambda c, p: services.case_decide(
        case_id=c.pk, actor=p.member, decision="Well-founded."), by_committee=True),
    "close": Perform(actions.CASE_CLOSED, _close),
    "withdraw": Perform(actions.CASE_WITHDRAWN, lambda c, p: services.case_withdraw(
        case_id=c.pk, actor=p.advisor)),
    "destroy": Perform(actions.CASE_DESTROYED, lambda c, p: services.case_destroy(
        case_id=c.pk, actor=p.coordinator)),
}


def test_every_transition_of_the_state_machine_is_covered_here_and_in_specs() -> None:
    assert set(PERFORM) == set(NAMES)
    assert {spec.method for spec in SPECS.values()} == set(NAMES)
    assert set(services.STEP_SERVICES) == set(SPECS)  # every step the page offers can be done


def test_the_state_machine_is_the_one_the_design_describes() -> None:
    assert ALLOWED == {
        (State.RECEIVED, "acknowledge"): State.ACKNOWLEDGED,
        (State.ACKNOWLEDGED, "start"): State.IN_PROGRESS,
        (State.IN_PROGRESS, "refer"): State.REFERRED,
        (State.REFERRED, "return_to_office"): State.IN_PROGRESS,
        (State.REFERRED, "accept"): State.UNDER_REVIEW,
        (State.UNDER_REVIEW, "decide"): State.DECIDED,
        (State.IN_PROGRESS, "close"): State.CLOSED,
        (State.DECIDED, "close"): State.CLOSED,
        (State.RECEIVED, "withdraw"): State.CLOSED,
        (State.ACKNOWLEDGED, "withdraw"): State.CLOSED,
        (State.IN_PROGRESS, "withdraw"): State.CLOSED,
        (State.CLOSED, "destroy"): State.DESTROYED,
    }


@pytest.fixture
def people(personas: Personas) -> People:
    return People(advisor=personas.advisor, member=personas.misconduct_committee,
                  coordinator=personas.coordinator)


def case_in(state: str, people: People) -> Case:
    return make_case(state=state, advisor=people.advisor, committee_actor=people.member,
                     coordinator=people.coordinator)


def raw_row(case_id: UUID) -> tuple[Any, ...]:
    """The stored row as the database holds it (ciphertext, not decrypted values)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_case WHERE id = %s",
                       [Case._meta.pk.get_db_prep_value(case_id, connection)])
        return tuple(bytes(v) if isinstance(v, memoryview) else v for v in cursor.fetchone())


def raw_columns() -> list[str]:
    """The names of ``raw_row``'s values, in the table's own order (a SQLite rebuild may
    differ from the model's field order)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM cases_case WHERE 1 = 0")
        return [column[0] for column in cursor.description]


def audit_trail(case_id: UUID) -> list[tuple[int, str, str]]:
    return list(AuditEvent.objects.filter(stream=str(case_id)).order_by("seq")
                .values_list("seq", "action", "hash"))


def grants(case_id: UUID) -> list[tuple[Any, ...]]:
    users = CaseUserObjectPermission.objects.filter(content_object_id=case_id).values_list(
        "user_id", "permission__codename")
    groups = CaseGroupObjectPermission.objects.filter(content_object_id=case_id).values_list(
        "group__name", "permission__codename")
    return sorted(map(tuple, users)) + sorted(map(tuple, groups))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("state", State.values)
def test_transition_from_state(state: str, name: str, people: People) -> None:
    case = case_in(state, people)
    perform = PERFORM[name]
    target = ALLOWED.get((state, name))
    if target is None and perform.by_committee and not access.has_case_permission(
            people.member, access.REVIEW, case):
        # The committee cannot see a case that was never referred to it (that is a 404, see
        # test_services); give it access here so that only the state machine can say no.
        access.grant_committee(case, Committee.MISCONDUCT)
    before = (raw_row(case.pk), audit_trail(case.pk), grants(case.pk))

    if target is None:
        with pytest.raises(TransitionUnavailable) as refused:
            perform.run(case, people)
        label = State(state).label
        assert str(refused.value) == f"This is not possible while the case is “{label}”."
        assert (raw_row(case.pk), audit_trail(case.pk), grants(case.pk)) == before
        return

    returned = perform.run(case, people)
    stored = Case.objects.get(pk=case.pk)
    assert returned.state == stored.state == target
    trail = audit_trail(case.pk)
    new_actions = [action for _, action, _ in trail[len(before[1]):]]
    assert new_actions[0] == perform.action
    event = AuditEvent.objects.get(stream=str(case.pk), seq=trail[len(before[1])][0])
    # What the transition declares it writes is what was saved and what the trail names.
    declared = next(t for t in TRANSITIONS if (t.source, t.name) == (state, name))
    writes = set(declared.custom["writes"])
    assert set(event.changed_field_names) == writes
    columns = raw_columns()
    changed = {column for column, old, new in zip(columns, before[0], raw_row(case.pk),
                                                  strict=True) if old != new}
    # Shredding writes the key columns in a step of its own, named in its own audit event.
    shredded = {"wrapped_key", "key_id", "key_destroyed_at", "reporter_email_index",
                *(f.column for f in Case._meta.concrete_fields
                  if f.get_internal_type() == "BinaryField")} if name == "destroy" else set()
    assert changed - {"updated_at"} - shredded <= writes
    assert "state" in changed


# --- the referral rules, one at a time --------------------------------------------------------


RULE_CASES: dict[str, dict[str, Any]] = {  # keyword arguments of make_case()
    # rule that fails: a case that breaks it and as few other rules as the services allow
    "is_report": dict(kind=Kind.CONSULTATION),
    "is_named": dict(channel=Channel.ANONYMOUS),
    "has_written_statement": dict(statement_in_writing=False),
    "has_referral_consent": dict(consent=False),
    "affiliation_external": dict(affiliation=Affiliation.EXTERNAL),
    "affiliation_unknown": dict(affiliation=Affiliation.UNKNOWN),
}
# Consent can be recorded for named reports only, so a consultation or an anonymous report
# also lacks it; everything else fails exactly one rule.
EXPECTED_RULES = {
    "is_report": [workflow.IS_REPORT, workflow.HAS_REFERRAL_CONSENT],
    "is_named": [workflow.IS_NAMED, workflow.HAS_REFERRAL_CONSENT],
    "has_written_statement": [workflow.HAS_WRITTEN_STATEMENT],
    "has_referral_consent": [workflow.HAS_REFERRAL_CONSENT],
    "affiliation_external": [workflow.AFFILIATION_HAS_COMMITTEE],
    "affiliation_unknown": [workflow.AFFILIATION_HAS_COMMITTEE],
}


def _ready_to_refer(**changes: Any) -> Case:
    """An unsaved case that meets every referral rule, with ``changes`` applied."""
    values: dict[str, Any] = dict(kind=Kind.REPORT, channel=Channel.NAMED,
                                  statement_in_writing=True, referral_consent_at=timezone.now(),
                                  accused_affiliation=Affiliation.UMC_STAFF)
    return Case(**{**values, **changes})


@pytest.mark.parametrize(("rule", "change"), [
    (workflow.IS_REPORT, dict(kind=Kind.CONSULTATION)),
    (workflow.IS_NAMED, dict(channel=Channel.ANONYMOUS)),
    (workflow.HAS_WRITTEN_STATEMENT, dict(statement_in_writing=False)),
    (workflow.HAS_REFERRAL_CONSENT, dict(referral_consent_at=None)),
    (workflow.AFFILIATION_HAS_COMMITTEE, dict(accused_affiliation=Affiliation.EXTERNAL)),
    (workflow.AFFILIATION_HAS_COMMITTEE, dict(accused_affiliation=Affiliation.UNKNOWN)),
])
def test_each_rule_alone_explains_itself(rule: workflow.Rule, change: dict[str, Any]) -> None:
    assert workflow.explain(workflow.REFERRAL_RULES, _ready_to_refer()) == []
    assert workflow.explain(workflow.REFERRAL_RULES, _ready_to_refer(**change)) == [rule.reason]


@pytest.mark.parametrize("affiliation", [Affiliation.UMC_STAFF, Affiliation.UU_AFFILIATED,
                                         Affiliation.DUAL])
def test_affiliations_with_a_committee_pass_the_rule(affiliation: str) -> None:
    assert workflow.AFFILIATION_HAS_COMMITTEE(_ready_to_refer(accused_affiliation=affiliation))


@pytest.mark.parametrize("broken", list(RULE_CASES))
def test_refer_refuses_with_the_reasons_of_the_rules_that_fail(broken: str,
                                                               people: People) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=people.advisor, **RULE_CASES[broken])
    before = (raw_row(case.pk), audit_trail(case.pk), grants(case.pk))
    committee = case.referral_committees[0] if case.referral_committees else Committee.MISCONDUCT
    with pytest.raises(TransitionUnavailable) as refused:
        services.case_refer(case_id=case.pk, actor=people.advisor, committee=committee,
                            reason="why")
    assert str(refused.value) == " ".join(str(rule.reason) for rule in EXPECTED_RULES[broken])
    assert (raw_row(case.pk), audit_trail(case.pk), grants(case.pk)) == before


def test_refer_works_once_the_written_statement_is_recorded(people: People) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=people.advisor,
                     statement_in_writing=False)
    with pytest.raises(TransitionUnavailable):
        services.case_refer(case_id=case.pk, actor=people.advisor,
                            committee=Committee.MISCONDUCT)
    services.case_record_consent(case_id=case.pk, actor=people.advisor,
                                 statement_in_writing=True)
    referred = services.case_refer(case_id=case.pk, actor=people.advisor,
                                   committee=Committee.MISCONDUCT)
    assert referred.state == State.REFERRED


def test_a_converted_consultation_still_needs_consent_to_be_referred(people: People) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=people.advisor, kind=Kind.CONSULTATION)
    services.case_convert_to_report(case_id=case.pk, actor=people.advisor)
    with pytest.raises(TransitionUnavailable) as refused:
        services.case_refer(case_id=case.pk, actor=people.advisor,
                            committee=Committee.MISCONDUCT)
    assert str(refused.value) == str(workflow.HAS_REFERRAL_CONSENT.reason)
    services.case_record_consent(case_id=case.pk, actor=people.advisor,
                                 statement_in_writing=True)
    assert services.case_refer(case_id=case.pk, actor=people.advisor,
                               committee=Committee.MISCONDUCT).state == State.REFERRED


# --- which committee ---------------------------------------------------------------------------


@pytest.mark.parametrize(("affiliation", "committee", "allowed"), [
    (Affiliation.UMC_STAFF, Committee.MISCONDUCT, True),
    (Affiliation.UMC_STAFF, Committee.UU_INTEGRITY, False),
    (Affiliation.UU_AFFILIATED, Committee.UU_INTEGRITY, True),
    (Affiliation.UU_AFFILIATED, Committee.MISCONDUCT, False),
    (Affiliation.UMC_STAFF, "somebody_else", False),
])
def test_the_committee_must_match_the_affiliation(affiliation: str, committee: str,
                                                  allowed: bool, personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor, affiliation=affiliation)
    if not allowed:
        before = (raw_row(case.pk), audit_trail(case.pk), grants(case.pk))
        with pytest.raises(InvalidTransitionInput, match="does not handle complaints"):
            services.case_refer(case_id=case.pk, actor=personas.advisor, committee=committee)
        assert (raw_row(case.pk), audit_trail(case.pk), grants(case.pk)) == before
        return
    services.case_refer(case_id=case.pk, actor=personas.advisor, committee=committee)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.committee) == (State.REFERRED, committee)
    # Only that committee's members can now read it.
    members = {Committee.MISCONDUCT: personas.misconduct_committee,
               Committee.UU_INTEGRITY: personas.uu_committee}
    for other, member in members.items():
        assert access.has_case_permission(member, access.VIEW, stored) is (other == committee)
    assert stored.referral_reason is None  # no reason needed when there is no choice


@pytest.mark.parametrize("committee", [Committee.MISCONDUCT, Committee.UU_INTEGRITY])
def test_dual_appointment_goes_to_either_committee_with_a_reason(committee: str,
                                                                 people: People) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=people.advisor,
                     affiliation=Affiliation.DUAL)
    for blank in ("", "   "):
        with pytest.raises(InvalidTransitionInput, match="record why this one"):
            services.case_refer(case_id=case.pk, actor=people.advisor, committee=committee,
                                reason=blank)
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS
    services.case_refer(case_id=case.pk, actor=people.advisor, committee=committee,
                        reason="  Mainly works at the UMC.  ")
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.committee) == (State.REFERRED, committee)
    assert stored.referral_reason == "Mainly works at the UMC."
    event = AuditEvent.objects.get(stream=str(case.pk), action=actions.CASE_REFERRED)
    assert event.detail_items == {"committee": committee}
    assert "referral_reason" in event.changed_field_names


def test_referring_counts_as_feedback_and_clears_the_deadline(people: People) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=people.advisor)
    assert case.next_deadline_at == case.feedback_due_at
    services.case_refer(case_id=case.pk, actor=people.advisor, committee=Committee.MISCONDUCT)
    stored = Case.objects.get(pk=case.pk)
    assert stored.feedback_given_at == stored.referred_at is not None
    assert stored.next_deadline_at is None


# --- returning a file ------------------------------------------------------------------------


def test_return_revokes_the_committee_and_goes_back_to_the_advisor(personas: Personas) -> None:
    member = personas.misconduct_committee
    case = make_case(state=State.REFERRED, advisor=personas.advisor)
    assert access.has_case_permission(member, access.VIEW, case)
    assert access.has_case_permission(member, access.REVIEW, case)

    services.case_return(case_id=case.pk, actor=member, reason="  Not our jurisdiction. ")

    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.committee, stored.referred_at) == (State.IN_PROGRESS, "", None)
    assert stored.return_reason == "Not our jurisdiction."
    assert not access.has_case_permission(member, access.VIEW, stored)
    assert not access.has_case_permission(member, access.REVIEW, stored)
    assert not access.cases_visible_to(member).filter(pk=case.pk).exists()
    assert not CaseGroupObjectPermission.objects.filter(content_object_id=case.pk).exists()
    # The advisor keeps the case and can act on it again.
    assert access.has_case_permission(personas.advisor, access.HANDLE, stored)
    trail = [action for _, action, _ in audit_trail(case.pk)][-2:]
    assert trail == [actions.CASE_RETURNED, actions.PERMISSION_REVOKED]
    # ... and the returned committee cannot act any more: for it the case does not exist.
    with pytest.raises(CaseNotFound):
        services.case_accept(case_id=case.pk, actor=member)


def test_return_needs_a_reason(personas: Personas) -> None:
    case = make_case(state=State.REFERRED, advisor=personas.advisor)
    with pytest.raises(InvalidTransitionInput):
        services.case_return(case_id=case.pk, actor=personas.misconduct_committee, reason=" ")
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == State.REFERRED
    assert access.has_case_permission(personas.misconduct_committee, access.VIEW, stored)


def test_a_returned_dual_case_can_go_to_the_other_committee(personas: Personas) -> None:
    case = make_case(state=State.REFERRED, advisor=personas.advisor,
                     affiliation=Affiliation.DUAL, committee=Committee.MISCONDUCT)
    services.case_return(case_id=case.pk, actor=personas.misconduct_committee,
                         reason="The UU handles this one.")
    assert Case.objects.get(pk=case.pk).return_reason == "The UU handles this one."
    services.case_refer(case_id=case.pk, actor=personas.advisor,
                        committee=Committee.UU_INTEGRITY, reason="Returned by the UMC.")
    stored = Case.objects.get(pk=case.pk)
    assert stored.committee == Committee.UU_INTEGRITY
    assert stored.return_reason is None
    assert access.has_case_permission(personas.uu_committee, access.VIEW, stored)
    assert not access.has_case_permission(personas.misconduct_committee, access.VIEW, stored)


# --- closing ---------------------------------------------------------------------------------


CLOSE_OUTCOMES = [(State.IN_PROGRESS, outcome, outcome in ADVISOR_OUTCOMES)
                  for outcome in Outcome.values] + [
                  (State.DECIDED, outcome, outcome == Outcome.DECIDED_BY_COMMITTEE)
                  for outcome in Outcome.values]


@pytest.mark.parametrize(("state", "outcome", "allowed"), CLOSE_OUTCOMES)
def test_close_outcomes_depend_on_where_the_case_comes_from(state: str, outcome: str,
                                                            allowed: bool,
                                                            people: People) -> None:
    case = case_in(state, people)
    before = (raw_row(case.pk), audit_trail(case.pk))
    if not allowed:
        with pytest.raises(InvalidTransitionInput, match="Choose one of the outcomes"):
            services.case_close(case_id=case.pk, actor=people.advisor, outcome=outcome)
        assert (raw_row(case.pk), audit_trail(case.pk)) == before
        return
    services.case_close(case_id=case.pk, actor=people.advisor, outcome=outcome)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.outcome) == (State.CLOSED, outcome)
    assert stored.closed_at is not None and stored.next_deadline_at is None
    event = AuditEvent.objects.get(stream=str(case.pk), action=actions.CASE_CLOSED)
    assert event.detail_items == {"outcome": outcome}


def test_the_committee_cannot_close_a_decided_case(people: People) -> None:
    case = case_in(State.DECIDED, people)
    with pytest.raises(NotPermitted):
        services.case_close(case_id=case.pk, actor=people.member,
                            outcome=Outcome.DECIDED_BY_COMMITTEE)


@pytest.mark.parametrize("state", [State.RECEIVED, State.ACKNOWLEDGED, State.IN_PROGRESS])
def test_withdraw_closes_as_withdrawn(state: str, people: People) -> None:
    case = case_in(state, people)
    services.case_withdraw(case_id=case.pk, actor=people.advisor)
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.outcome) == (State.CLOSED, Outcome.WITHDRAWN)
    assert stored.closed_at is not None and stored.next_deadline_at is None
    event = AuditEvent.objects.get(stream=str(case.pk), action=actions.CASE_WITHDRAWN)
    assert set(event.changed_field_names) >= {"state", "outcome", "closed_at"}


def test_decide_needs_the_decision_written_down(people: People) -> None:
    case = case_in(State.UNDER_REVIEW, people)
    with pytest.raises(InvalidTransitionInput):
        services.case_decide(case_id=case.pk, actor=people.member, decision="  \n ")
    assert Case.objects.get(pk=case.pk).state == State.UNDER_REVIEW
    services.case_decide(case_id=case.pk, actor=people.member, decision=" Well-founded. ")
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.decision) == (State.DECIDED, "Well-founded.")
    assert stored.decided_at is not None


# --- destroying ------------------------------------------------------------------------------


def test_destroy_shreds_the_key_and_every_content_of_the_case(people: People) -> None:
    data = case_input(parties=[services.PartyInput(role=CaseParty.PartyRole.COMPLAINED_ABOUT,
                                                   name="Dr. Jane Roe",
                                                   affiliation=Affiliation.UMC_STAFF)])
    case = make_case(state=State.IN_PROGRESS, advisor=people.advisor, data=data)
    services.note_add(case_id=case.pk, actor=people.advisor, body="Spoke on the phone.")
    services.case_close(case_id=case.pk, actor=people.advisor, outcome=Outcome.ADVICE_GIVEN)
    assert CaseParty.objects.filter(case=case).exclude(name_index="").exists()

    destroyed = services.case_destroy(case_id=case.pk, actor=people.coordinator)

    assert destroyed.narrative is DESTROYED
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == State.DESTROYED
    assert stored.key_destroyed_at is not None and stored.wrapped_key is None
    for name in ("narrative", "reporter_name", "reporter_email"):
        assert getattr(stored, name) is DESTROYED, name
    assert stored.reporter_email_index == ""
    note = CaseNote.objects.select_related("case").get(case=case)
    assert note.body is DESTROYED
    party = CaseParty.objects.select_related("case").get(case=case)
    assert party.name is DESTROYED
    # The blind index would still answer "was this person in that case?".
    assert party.name_index == ""
    trail = [action for _, action, _ in audit_trail(case.pk)][-2:]
    assert trail == [actions.CASE_DESTROYED, actions.CASE_KEY_DESTROYED]
    assert NARRATIVE not in str(raw_row(case.pk))


def test_only_a_coordinator_destroys(people: People, personas: Personas) -> None:
    case = case_in(State.CLOSED, people)
    for someone in (people.advisor, personas.superuser, personas.auditor):
        with pytest.raises(CaseNotFound):
            services.case_destroy(case_id=case.pk, actor=someone)
    assert Case.objects.get(pk=case.pk).state == State.CLOSED


# --- what the case page offers -----------------------------------------------------------------


def offered(case: Case, person: User) -> dict[str, list[str]]:
    actions_ = available_actions(case, permissions=access.case_permissions(person, case),
                                 is_coordinator=access.is_coordinator(person))
    return {action.spec.slug: [str(reason) for reason in action.reasons]
            for action in actions_}


def test_the_page_offers_each_person_the_steps_of_this_state(personas: Personas) -> None:
    received = make_case(advisor=personas.advisor)
    assert offered(received, personas.advisor) == {"acknowledge": [], "withdraw": []}
    assert offered(received, personas.coordinator) == {}
    in_progress = make_case(state=State.IN_PROGRESS, advisor=personas.advisor, consent=False)
    assert offered(in_progress, personas.advisor) == {
        "refer": [str(workflow.HAS_REFERRAL_CONSENT.reason)], "close": [], "withdraw": []}
    referred = make_case(state=State.REFERRED, advisor=personas.advisor)
    assert offered(referred, personas.misconduct_committee) == {"accept": [], "return": []}
    assert offered(referred, personas.advisor) == {}
    decided = make_case(state=State.DECIDED, advisor=personas.advisor)
    assert offered(decided, personas.advisor) == {"close": []}
    assert offered(decided, personas.misconduct_committee) == {}
    closed = make_case(state=State.CLOSED, advisor=personas.advisor)
    assert offered(closed, personas.coordinator) == {"destroy": []}
    assert offered(closed, personas.advisor) == {}
    for nobody in (personas.superuser, personas.auditor, personas.uu_committee):
        for case in (received, in_progress, referred, decided, closed):
            assert offered(case, nobody) == {}
