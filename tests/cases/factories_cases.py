"""Cases in any workflow state, built only through ``cases.services``.

``make_case(state=State.DECIDED, advisor=personas.advisor)`` walks a new case through the same
services a person would use (register, acknowledge, start, record consent, refer, accept,
decide, close, destroy), so every case a test gets has the audit trail, permissions and
deadlines the real workflow gives it. Nothing here writes a state, a grant or an audit row.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from accounts.models import User
from accounts.roles import Role
from cases import services
from cases.choices import (
    Affiliation,
    Channel,
    Committee,
    Kind,
    Outcome,
    Population,
    ReceivedVia,
    ReporterRole,
    State,
)
from cases.models import Case
from tests.factories import StaffUserFactory

NARRATIVE = "My supervisor shouted at me in front of the team."

COMMITTEE_ROLES = {Committee.MISCONDUCT: Role.MISCONDUCT_COMMITTEE,
                   Committee.UU_INTEGRITY: Role.UU_COMMITTEE}

# The states a case passes through on its way to each state (besides registration).
_REFERRAL_PATH = (State.REFERRED, State.UNDER_REVIEW, State.DECIDED)


def case_input(*, kind: str = Kind.REPORT, channel: str = Channel.NAMED,
               affiliation: str = Affiliation.UMC_STAFF, statement_in_writing: bool = True,
               **overrides: Any) -> services.CaseInput:
    """A valid registration of a case received by phone; ``overrides`` replace any field."""
    named = channel == Channel.NAMED
    data = services.CaseInput(
        kind=kind, channel=channel, reporter_role=ReporterRole.AFFECTED,
        reporter_population=Population.STAFF, received_via=ReceivedVia.PHONE,
        behaviours=("verbal", "intimidation"), accused_affiliation=affiliation,
        narrative=NARRATIVE, reporter_name="Reporter Example" if named else "",
        reporter_email="reporter@example.org" if named else "",
        statement_in_writing=statement_in_writing,
    )
    return replace(data, **overrides)


def committee_member(committee: str) -> User:
    return StaffUserFactory.create(role=COMMITTEE_ROLES[Committee(committee)])


def make_case(
    *,
    state: str = State.RECEIVED,
    advisor: User | None = None,
    kind: str = Kind.REPORT,
    channel: str = Channel.NAMED,
    affiliation: str = Affiliation.UMC_STAFF,
    consent: bool = True,
    statement_in_writing: bool = True,
    committee: str | None = None,
    committee_actor: User | None = None,
    coordinator: User | None = None,
    outcome: str | None = None,
    data: services.CaseInput | None = None,
) -> Case:
    """A new case in ``state``, reached through the services, loaded fresh from the database.

    - ``advisor`` registers the case (and so is assigned to it) and performs the advisor's
      steps. ``None`` with ``state=RECEIVED`` registers it as a coordinator and leaves it
      unassigned; for any other state a new advisor is made.
    - ``consent`` has the advisor record the reporter's consent to refer right after
      registration (named reports with an advisor only; ignored otherwise), with
      ``statement_in_writing`` given at registration.
    - Referred states go to ``committee`` (default: the first committee for ``affiliation``);
      ``committee_actor`` (default: a new member of it) accepts and decides.
    - ``CLOSED`` closes with ``outcome``: an advisor's outcome (default ``ADVICE_GIVEN``) from
      in progress, ``DECIDED_BY_COMMITTEE`` by way of a committee decision, ``WITHDRAWN`` by
      withdrawing the received case. ``DESTROYED`` closes first, then ``coordinator`` (default:
      a new one) destroys it.
    """
    state = State(state)
    if advisor is None and state != State.RECEIVED:
        advisor = StaffUserFactory.create(role=Role.ADVISOR)
    registrar = advisor if advisor is not None else (
        coordinator or StaffUserFactory.create(role=Role.COORDINATOR))
    data = data or case_input(kind=kind, channel=channel, affiliation=affiliation,
                              statement_in_writing=statement_in_writing)
    case = services.case_register(actor=registrar, data=data).case
    pk = case.pk
    if consent and advisor is not None and data.kind == Kind.REPORT \
            and data.channel == Channel.NAMED:
        services.case_record_consent(case_id=pk, actor=advisor,
                                     statement_in_writing=data.statement_in_writing)
    if state == State.RECEIVED:
        return Case.objects.get(pk=pk)
    assert advisor is not None  # made above for every state but RECEIVED

    if state in (State.CLOSED, State.DESTROYED) and outcome == Outcome.WITHDRAWN:
        services.case_withdraw(case_id=pk, actor=advisor)
        return _destroy_if_asked(pk, state, coordinator)

    services.case_acknowledge(case_id=pk, actor=advisor)
    if state == State.ACKNOWLEDGED:
        return Case.objects.get(pk=pk)
    services.case_start(case_id=pk, actor=advisor)
    if state == State.IN_PROGRESS:
        return Case.objects.get(pk=pk)

    via_committee = state in _REFERRAL_PATH or outcome == Outcome.DECIDED_BY_COMMITTEE
    if via_committee:
        committee = committee or Case.objects.get(pk=pk).referral_committees[0]
        reason = "Dual appointment; the UMC employs them." if affiliation == Affiliation.DUAL \
            else ""
        services.case_refer(case_id=pk, actor=advisor, committee=committee, reason=reason)
        if state == State.REFERRED:
            return Case.objects.get(pk=pk)
        member = committee_actor or committee_member(committee)
        services.case_accept(case_id=pk, actor=member)
        if state == State.UNDER_REVIEW:
            return Case.objects.get(pk=pk)
        services.case_decide(case_id=pk, actor=member,
                             decision="The complaint is well-founded.")
        if state == State.DECIDED:
            return Case.objects.get(pk=pk)
        services.case_close(case_id=pk, actor=advisor, outcome=Outcome.DECIDED_BY_COMMITTEE)
    else:
        services.case_close(case_id=pk, actor=advisor, outcome=outcome or Outcome.ADVICE_GIVEN)
    return _destroy_if_asked(pk, state, coordinator)


def _destroy_if_asked(pk: UUID, state: State, coordinator: User | None) -> Case:
    if state == State.DESTROYED:
        services.case_destroy(case_id=pk,
                              actor=coordinator or StaffUserFactory.create(role=Role.COORDINATOR))
    return Case.objects.get(pk=pk)
