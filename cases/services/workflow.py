"""The workflow's steps (DESIGN.md §3): one service per transition, plus consent and
conversion. What each transition writes is declared beside it on ``Case``."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit import actions
from audit.actors import Actor
from cases import access
from cases.choices import Channel, Kind, State
from cases.exceptions import (
    InvalidCaseInput,
    TransitionUnavailable,
)
from cases.models import (
    Case,
)
from cases.services._common import (
    SHORT_TEXT_MAX,
    _audit,
    _clean_text,
    _lock,
    _save,
    _transition,
)
from cases.services.shredding import _destroy_key_locked


@transaction.atomic(durable=True)
def case_acknowledge(*, case_id: UUID, actor: User) -> Case:
    """The office's promise: an answer within a week. Never refused for being late; a late
    acknowledgement is recorded as late."""
    case = _lock(case_id, actor, access.HANDLE)
    fields = _transition(case, "acknowledge", moment=timezone.now())
    _save(case, fields)
    _audit(case, Actor.user(actor), actions.CASE_ACKNOWLEDGED, fields=fields,
           detail={"late": case.acknowledged_late})
    return case


@transaction.atomic(durable=True)
def case_start(*, case_id: UUID, actor: User) -> Case:
    case = _lock(case_id, actor, access.HANDLE)
    fields = _transition(case, "start")
    _save(case, fields)
    _audit(case, Actor.user(actor), actions.CASE_STARTED, fields=fields)
    return case


@transaction.atomic(durable=True)
def case_record_consent(*, case_id: UUID, actor: User, statement_in_writing: bool) -> Case:
    """Record the reporter's consent to refer their complaint (and, when it has come in,
    their written statement): two of the conditions of a referral."""
    case = _lock(case_id, actor, access.HANDLE)
    if case.kind != Kind.REPORT or case.channel != Channel.NAMED:
        raise InvalidCaseInput(_("Consent to refer applies to named reports only."))
    if case.state not in (State.RECEIVED, State.ACKNOWLEDGED, State.IN_PROGRESS):
        raise TransitionUnavailable(_("Consent can be recorded only before a referral."))
    fields = []
    if case.referral_consent_at is None:
        case.referral_consent_at = timezone.now()
        fields.append("referral_consent_at")
    if statement_in_writing and not case.statement_in_writing:
        case.statement_in_writing = True
        fields.append("statement_in_writing")
    if fields:
        _save(case, fields)
        _audit(case, Actor.user(actor), actions.CASE_CONSENT_RECORDED, fields=fields,
               detail={"purpose": "referral"})
    return case


@transaction.atomic(durable=True)
def case_convert_to_report(*, case_id: UUID, actor: User) -> Case:
    """A consultation becomes a named report, with the reporter's consent recorded in the
    same step (DESIGN.md §3): it is then a record that may, later, be referred."""
    case = _lock(case_id, actor, access.HANDLE)
    if case.kind != Kind.CONSULTATION:
        raise InvalidCaseInput(_("This case is already a report."))
    if case.state not in (State.RECEIVED, State.ACKNOWLEDGED, State.IN_PROGRESS):
        raise TransitionUnavailable(_("A closed consultation cannot become a report."))
    if case.channel != Channel.NAMED:
        raise InvalidCaseInput(_("An anonymous consultation cannot become a named report: "
                                 "nobody can ask the reporter for consent."))
    case.kind = Kind.REPORT
    _save(case, ["kind"])
    audit_actor = Actor.user(actor)
    _audit(case, audit_actor, actions.CASE_CONSENT_RECORDED, fields=["kind"],
           detail={"purpose": "conversion"})
    _audit(case, audit_actor, actions.CASE_CONVERTED, fields=["kind"],
           detail={"kind": Kind.REPORT})
    return case


@transaction.atomic(durable=True)
def case_refer(*, case_id: UUID, actor: User, committee: str, reason: str = "") -> Case:
    """Refer a named, written report with consent to the committee that matches the
    affiliation of the person complained about; that committee can then see it."""
    case = _lock(case_id, actor, access.HANDLE)
    fields = _transition(case, "refer", committee=committee, reason=_clean_text(
        reason, label=_("Reason"), limit=SHORT_TEXT_MAX * 4), moment=timezone.now())
    _save(case, fields)
    access.grant_committee(case, committee)
    audit_actor = Actor.user(actor)
    _audit(case, audit_actor, actions.CASE_REFERRED, fields=fields,
           detail={"committee": committee})
    _audit(case, audit_actor, actions.PERMISSION_GRANTED,
           detail={"committee": committee, "role": "committee"})
    return case


@transaction.atomic(durable=True)
def case_return(*, case_id: UUID, actor: User, reason: str) -> Case:
    """The committee declines jurisdiction: the file goes back to the advisor and the
    committee loses access."""
    case = _lock(case_id, actor, access.REVIEW)
    committee = case.committee
    fields = _transition(case, "return_to_office", reason=_clean_text(
        reason, label=_("Reason"), limit=SHORT_TEXT_MAX * 4))
    _save(case, fields)
    access.revoke_committee(case, committee)
    audit_actor = Actor.user(actor)
    _audit(case, audit_actor, actions.CASE_RETURNED, fields=fields,
           detail={"committee": committee})
    _audit(case, audit_actor, actions.PERMISSION_REVOKED,
           detail={"committee": committee, "role": "committee"})
    return case


@transaction.atomic(durable=True)
def case_accept(*, case_id: UUID, actor: User) -> Case:
    case = _lock(case_id, actor, access.REVIEW)
    fields = _transition(case, "accept")
    _save(case, fields)
    _audit(case, Actor.user(actor), actions.CASE_ACCEPTED, fields=fields,
           detail={"committee": case.committee})
    return case


@transaction.atomic(durable=True)
def case_decide(*, case_id: UUID, actor: User, decision: str) -> Case:
    case = _lock(case_id, actor, access.REVIEW)
    fields = _transition(case, "decide", decision=_clean_text(decision, label=_("Decision")),
                         moment=timezone.now())
    _save(case, fields)
    _audit(case, Actor.user(actor), actions.CASE_DECIDED, fields=fields,
           detail={"committee": case.committee})
    return case


@transaction.atomic(durable=True)
def case_close(*, case_id: UUID, actor: User, outcome: str) -> Case:
    case = _lock(case_id, actor, access.HANDLE)
    fields = _transition(case, "close", outcome=outcome, moment=timezone.now())
    _save(case, fields)
    _audit(case, Actor.user(actor), actions.CASE_CLOSED, fields=fields,
           detail={"outcome": case.outcome})
    return case


@transaction.atomic(durable=True)
def case_withdraw(*, case_id: UUID, actor: User) -> Case:
    """Close the case as withdrawn, at the reporter's request (they told their advisor)."""
    case = _lock(case_id, actor, access.HANDLE)
    fields = _transition(case, "withdraw", moment=timezone.now())
    _save(case, fields)
    _audit(case, Actor.user(actor), actions.CASE_WITHDRAWN, fields=fields,
           detail={"by": "advisor"})
    return case


@transaction.atomic(durable=True)
def case_destroy(*, case_id: UUID, actor: User) -> Case:
    """Destroy a closed case (coordinators): its state becomes ``destroyed`` and its data key
    is shredded in the same transaction, so everything it held is unreadable from now on.
    What remains is the statistical skeleton and the audit trail."""
    case = _lock(case_id, actor, None)
    fields = _transition(case, "destroy")
    _save(case, fields)
    _audit(case, Actor.user(actor), actions.CASE_DESTROYED, fields=fields)
    return _destroy_key_locked(case=case, actor=actor)


# The service that performs each step of ``cases.transitions.SPECS``, by its slug. Kept here,
# on the write side, so that the read side (selectors, which list the available steps) never
# imports a service.
STEP_SERVICES: dict[str, Callable[..., Case]] = {
    "acknowledge": case_acknowledge,
    "start": case_start,
    "refer": case_refer,
    "accept": case_accept,
    "return": case_return,
    "decide": case_decide,
    "close": case_close,
    "withdraw": case_withdraw,
    "destroy": case_destroy,
}
