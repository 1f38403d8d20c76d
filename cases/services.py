"""Writes on cases: one typed, keyword-only function per change (DESIGN.md §7, STYLE.md).

Each locks the case row, checks the actor's permission (a case they may not see raises
``Case.DoesNotExist``, exactly like one that does not exist), performs the django-fsm-2
transition or change, saves with ``update_fields``, and records the audit event in the same
durable transaction. The row lock serialises two advisors acting at once: the second waits,
then finds the case moved on and gets ``TransitionUnavailable`` with a sentence to show.

Views, the admin and tasks never call a transition or write a case model themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from audit import actions
from audit.actors import Actor
from audit.services import record, record_read
from cases import access, receipt_codes, workflow
from cases.choices import (
    Affiliation,
    Behaviour,
    Channel,
    Kind,
    MessageDirection,
    Population,
    ReceivedVia,
    ReporterRole,
    State,
)
from cases.crypto.blind_index import blind_index_fields
from cases.exceptions import (
    CaseKeyAlreadyDestroyedError,
    InvalidCaseInput,
    NotPermitted,
    TransitionUnavailable,
)
from cases.models import (
    KEY_FIELDS,
    Case,
    CaseAssignment,
    CaseAttachment,
    CaseMessage,
    CaseNote,
    CaseParty,
    ReceiptCode,
)

User = Any  # a saved staff user

TEXT_MAX = 20_000  # characters in a narrative, note or message
SHORT_TEXT_MAX = 500  # names, contact details, a reason


# --- shared steps --------------------------------------------------------------------------


def _audit(case: Case, actor: Actor, action: str, *, fields: Sequence[str] = (),
           detail: dict[str, Any] | None = None, target: tuple[str, str] | None = None) -> None:
    target_type, target_id = target or ("case", str(case.pk))
    record(stream=str(case.pk), action=action, actor=actor, target_type=target_type,
           target_id=target_id, fields=fields, detail=detail or {})


def _lock(case_id: UUID, actor: User, codename: str | None) -> Case:
    """The case, locked for this transaction, if ``actor`` may act on it with ``codename``
    (see ``access.require``). Locking comes first: waiting reveals nothing."""
    case = Case.objects.select_for_update(of=("self",)).get(pk=case_id)
    access.require(actor, codename, case)
    return case


def _transition(case: Case, name: str, **kwargs: Any) -> None:
    """Run one transition; if the state or a rule does not allow it, say why in words."""
    method: Callable[..., None] = getattr(case, name)
    try:
        method(**kwargs)
    except TransitionNotAllowed:
        reasons = workflow.explain(_transition_conditions(case, name), case)
        message = _("This is not possible while the case is “%(state)s”.") % {
            "state": case.get_state_display()}
        if reasons:
            message = " ".join(str(reason) for reason in reasons)
        raise TransitionUnavailable(message) from None


def _transition_conditions(case: Case, name: str) -> list[Callable[[Case], bool]]:
    for transition in case.get_all_state_transitions():
        if transition.name == name and transition.source == case.state:
            return transition.conditions
    return []


def _save(case: Case, fields: Iterable[str]) -> None:
    case.updated_at = timezone.now()
    try:
        case.save(update_fields=[*fields, "updated_at"])
    except ConcurrentTransition:
        # Not expected under the row lock; kept so a future path without it fails politely.
        raise TransitionUnavailable(
            _("Someone changed this case a moment ago. Reload the page to see it now.")
        ) from None


def _clean_text(value: str | None, *, label: str, required: bool = False,
                limit: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if required and not text:
        raise InvalidCaseInput(_("%(field)s cannot be empty.") % {"field": label})
    if len(text) > limit:
        raise InvalidCaseInput(
            _("%(field)s is too long: at most %(limit)s characters.")
            % {"field": label, "limit": limit})
    if "\x00" in text:
        raise InvalidCaseInput(_("%(field)s contains characters that cannot be stored.")
                               % {"field": label})
    return text


# --- registering a case --------------------------------------------------------------------


@dataclass(frozen=True)
class PartyInput:
    role: str
    name: str
    affiliation: str = Affiliation.UNKNOWN
    description: str = ""


@dataclass(frozen=True)
class CaseInput:
    """What is known when a case is registered. Plain values, already parsed by a form."""

    kind: str
    channel: str
    reporter_role: str
    reporter_population: str
    received_via: str = ReceivedVia.WEB
    behaviours: Sequence[str] = ()
    accused_affiliation: str = Affiliation.UNKNOWN
    narrative: str = ""
    occurred: str = ""
    desired_outcome: str = ""
    reporter_name: str = ""
    reporter_email: str = ""
    reporter_phone: str = ""
    statement_in_writing: bool = False
    parties: Sequence[PartyInput] = field(default_factory=tuple)


@dataclass(frozen=True)
class RegisteredCase:
    case: Case
    # Shown once, to whoever registered the case; never stored, logged or audited.
    receipt_code: str = field(repr=False)


def _validate_case_input(data: CaseInput) -> None:
    choices = [
        (data.kind, Kind, _("Kind")), (data.channel, Channel, _("Channel")),
        (data.received_via, ReceivedVia, _("Received via")),
        (data.reporter_role, ReporterRole, _("Reporter's role")),
        (data.reporter_population, Population, _("Reporter's population")),
        (data.accused_affiliation, Affiliation, _("Affiliation")),
    ]
    for value, enum, label in choices:
        if value not in enum.values:
            raise InvalidCaseInput(_("%(field)s: choose one of the options.") % {"field": label})
    if any(value not in Behaviour.values for value in data.behaviours):
        raise InvalidCaseInput(_("Behaviour: choose from the categories offered."))
    contact = (data.reporter_name, data.reporter_email, data.reporter_phone)
    if data.channel == Channel.ANONYMOUS and any(x.strip() for x in contact):
        raise InvalidCaseInput(_("An anonymous case holds no name or contact details."))
    if data.kind == Kind.REPORT and data.channel == Channel.NAMED and not any(
            x.strip() for x in contact):
        raise InvalidCaseInput(_("A named report needs the reporter's name or contact "
                                 "details."))
    if data.kind == Kind.REPORT and not data.narrative.strip():
        raise InvalidCaseInput(_("A report needs a description of what happened."))
    for party in data.parties:
        if party.role not in CaseParty.PartyRole.values or party.affiliation not in \
                Affiliation.values:
            raise InvalidCaseInput(_("People involved: choose one of the options."))


def _create_case(*, data: CaseInput, actor: Actor, registered_by: User | None,
                 must_replace_code: bool, received_at: datetime | None = None
                 ) -> RegisteredCase:
    """Store a new case with its parts and receipt code, and audit it; inside a transaction."""
    _validate_case_input(data)
    if received_at is not None and received_at > timezone.now():
        raise InvalidCaseInput(_("The time of receipt cannot be in the future."))
    case = Case(
        received_at=received_at or timezone.now(),
        kind=data.kind, channel=data.channel, received_via=data.received_via,
        reporter_role=data.reporter_role, reporter_population=data.reporter_population,
        behaviours=sorted(set(data.behaviours)), accused_affiliation=data.accused_affiliation,
        statement_in_writing=data.statement_in_writing, registered_by=registered_by,
        narrative=_clean_text(data.narrative, label=_("What happened")) or None,
        occurred=_clean_text(data.occurred, label=_("When and where"),
                             limit=SHORT_TEXT_MAX * 4) or None,
        desired_outcome=_clean_text(data.desired_outcome, label=_("Desired outcome")) or None,
        reporter_name=_clean_text(data.reporter_name, label=_("Name"),
                                  limit=SHORT_TEXT_MAX) or None,
        reporter_phone=_clean_text(data.reporter_phone, label=_("Phone"),
                                   limit=SHORT_TEXT_MAX) or None,
    )
    case.set_reporter_email(_clean_text(data.reporter_email, label=_("E-mail"),
                                        limit=SHORT_TEXT_MAX) or None)
    case.save()
    parties = []
    for party_input in data.parties:
        party = CaseParty(
            case=case, role=party_input.role, affiliation=party_input.affiliation,
            description=_clean_text(party_input.description, label=_("Description"),
                                    limit=SHORT_TEXT_MAX * 4) or None,
        )
        party.set_name(_clean_text(party_input.name, label=_("Name"), required=True,
                                   limit=SHORT_TEXT_MAX))
        parties.append(party)
    CaseParty.objects.bulk_create(parties)
    code = receipt_codes.new_code()
    # 30^8 selectors: a repeat is rare, but at a national service's millions of cases not
    # impossible, and the unique index would then fail the whole registration (a reporter's
    # report lost to an error page). Draw again instead.
    while ReceiptCode.objects.filter(selector=code.selector).exists():
        code = receipt_codes.new_code()
    ReceiptCode.objects.create(case=case, selector=code.selector,
                               verifier_mac=code.verifier_mac, must_replace=must_replace_code)
    _audit(case, actor, actions.CASE_CREATED,
           fields=["kind", "channel", "narrative", "reporter_name", "reporter_email",
                   *(["received_at"] if received_at is not None else [])],
           detail={"kind": case.kind, "channel": case.channel, "via": case.received_via,
                   "parties": len(parties)})
    _audit(case, actor, actions.RECEIPT_CODE_ISSUED,
           detail={"must_replace": must_replace_code})
    return RegisteredCase(case=case, receipt_code=code.display)


@transaction.atomic(durable=True)
def case_register(*, actor: User, data: CaseInput,
                  received_at: datetime | None = None) -> RegisteredCase:
    """Register a report or consultation received by phone or in person.

    The reporter gets the receipt code from the advisor, who has seen it, so it must be
    replaced on first use. An advisor who registers a case is assigned to it.

    ``received_at`` is when the office received it, if earlier than now (a call on Friday
    registered on Monday): the 7-day acknowledgement period runs from then. Never in the
    future.
    """
    if not access.may_register_cases(actor):
        raise NotPermitted(_("Only advisors and coordinators register cases."))
    if data.received_via == ReceivedVia.WEB:
        raise InvalidCaseInput(_("Say how the report was received: by phone or in person."))
    registered = _create_case(data=data, actor=Actor.user(actor), registered_by=actor,
                              must_replace_code=True, received_at=received_at)
    if access.may_be_assigned(actor):
        _set_advisors(registered.case, actor, [actor])
    return registered


# --- assignment ----------------------------------------------------------------------------


def _set_advisors(case: Case, actor: User, advisors: Sequence[User]) -> tuple[int, int]:
    current = {a.advisor_id: a for a in CaseAssignment.objects.filter(case=case)}
    wanted = {advisor.pk: advisor for advisor in advisors}
    added = [wanted[pk] for pk in wanted.keys() - current.keys()]
    removed = [current[pk] for pk in current.keys() - wanted.keys()]
    audit_actor = Actor.user(actor)
    for advisor in added:
        CaseAssignment.objects.create(case=case, advisor=advisor)
        access.grant_advisor(case, advisor)
        _audit(case, audit_actor, actions.PERMISSION_GRANTED,
               detail={"user": advisor.pk, "role": "advisor"})
    for assignment in removed:
        access.revoke_advisor(case, assignment.advisor)
        assignment.delete()
        _audit(case, audit_actor, actions.PERMISSION_REVOKED,
               detail={"user": assignment.advisor_id, "role": "advisor"})
    if added or removed:
        case.is_assigned = bool(wanted)
        _save(case, ["is_assigned"])
        _audit(case, audit_actor, actions.CASE_ASSIGNED, fields=["advisors"],
               detail={"added": len(added), "removed": len(removed),
                       "advisors": len(wanted)})
    return len(added), len(removed)


@transaction.atomic(durable=True)
def case_assign(*, case_id: UUID, actor: User, advisor_ids: Iterable[int]) -> Case:
    """Set the advisors of a case (coordinators only): new ones get the advisor's
    permissions on it, removed ones lose them, in the same transaction."""
    case = _lock(case_id, actor, None)
    if case.state in (State.CLOSED, State.DESTROYED):
        raise TransitionUnavailable(_("A closed case is not assigned any more."))
    ids = set(advisor_ids)
    advisors = list(get_user_model().objects.filter(pk__in=ids, is_active=True))
    if len(advisors) != len(ids) or not all(access.may_be_assigned(a) for a in advisors):
        raise InvalidCaseInput(_("Only active confidential advisors can be assigned."))
    _set_advisors(case, actor, advisors)
    return case


# --- the workflow --------------------------------------------------------------------------


@transaction.atomic(durable=True)
def case_acknowledge(*, case_id: UUID, actor: User) -> Case:
    """The office's promise: an answer within a week. Never refused for being late; a late
    acknowledgement is recorded as late."""
    case = _lock(case_id, actor, access.HANDLE)
    _transition(case, "acknowledge", moment=timezone.now())
    fields = ["state", "acknowledged_at", "acknowledged_late", "feedback_due_at",
              "next_deadline_at"]
    _save(case, fields)
    _audit(case, Actor.user(actor), actions.CASE_ACKNOWLEDGED, fields=fields,
           detail={"late": case.acknowledged_late})
    return case


@transaction.atomic(durable=True)
def case_start(*, case_id: UUID, actor: User) -> Case:
    case = _lock(case_id, actor, access.HANDLE)
    _transition(case, "start")
    _save(case, ["state"])
    _audit(case, Actor.user(actor), actions.CASE_STARTED, fields=["state"])
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
    _transition(case, "refer", committee=committee, reason=_clean_text(
        reason, label=_("Reason"), limit=SHORT_TEXT_MAX * 4), moment=timezone.now())
    fields = ["state", "committee", "referral_reason", "return_reason", "referred_at",
              "feedback_given_at", "next_deadline_at"]
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
    _transition(case, "return_to_office",
                reason=_clean_text(reason, label=_("Reason"), limit=SHORT_TEXT_MAX * 4))
    fields = ["state", "committee", "return_reason", "referred_at"]
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
    _transition(case, "accept")
    _save(case, ["state"])
    _audit(case, Actor.user(actor), actions.CASE_ACCEPTED, fields=["state"],
           detail={"committee": case.committee})
    return case


@transaction.atomic(durable=True)
def case_decide(*, case_id: UUID, actor: User, decision: str) -> Case:
    case = _lock(case_id, actor, access.REVIEW)
    _transition(case, "decide", decision=_clean_text(decision, label=_("Decision")),
                moment=timezone.now())
    fields = ["state", "decision", "decided_at"]
    _save(case, fields)
    _audit(case, Actor.user(actor), actions.CASE_DECIDED, fields=fields,
           detail={"committee": case.committee})
    return case


@transaction.atomic(durable=True)
def case_close(*, case_id: UUID, actor: User, outcome: str) -> Case:
    case = _lock(case_id, actor, access.HANDLE)
    _transition(case, "close", outcome=outcome, moment=timezone.now())
    fields = ["state", "outcome", "closed_at", "feedback_given_at", "next_deadline_at"]
    _save(case, fields)
    _audit(case, Actor.user(actor), actions.CASE_CLOSED, fields=fields,
           detail={"outcome": case.outcome})
    return case


@transaction.atomic(durable=True)
def case_withdraw(*, case_id: UUID, actor: User) -> Case:
    """Close the case as withdrawn, at the reporter's request (they told their advisor)."""
    case = _lock(case_id, actor, access.HANDLE)
    _transition(case, "withdraw", moment=timezone.now())
    fields = ["state", "outcome", "closed_at", "next_deadline_at"]
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
    _transition(case, "destroy")
    _save(case, ["state"])
    _audit(case, Actor.user(actor), actions.CASE_DESTROYED, fields=["state"])
    return _destroy_key_locked(case=case, actor=actor)


# --- notes, messages, files ----------------------------------------------------------------


def _require_not_destroyed(case: Case) -> None:
    if case.state == State.DESTROYED:
        raise TransitionUnavailable(_("This case has been destroyed."))


@transaction.atomic(durable=True)
def note_add(*, case_id: UUID, actor: User, body: str) -> CaseNote:
    """A private note of the advisor; never shown to the reporter or a committee."""
    case = _lock(case_id, actor, access.HANDLE)
    _require_not_destroyed(case)
    note = CaseNote.objects.create(case=case, author=actor,
                                   body=_clean_text(body, label=_("Note"), required=True))
    _audit(case, Actor.user(actor), actions.NOTE_ADDED, fields=["body"],
           target=("note", str(note.pk)))
    return note


@transaction.atomic(durable=True)
def message_send(*, case_id: UUID, actor: User, body: str) -> CaseMessage:
    """A message to the reporter, read on the status page. The first one after the
    acknowledgement counts as the feedback the reporter is owed within three months."""
    case = _lock(case_id, actor, access.HANDLE)
    _require_not_destroyed(case)
    message = CaseMessage.objects.create(
        case=case, author=actor, direction=MessageDirection.TO_REPORTER,
        body=_clean_text(body, label=_("Message"), required=True))
    if case.record_feedback(message.created_at):
        _save(case, ["feedback_given_at", "next_deadline_at"])
    _audit(case, Actor.user(actor), actions.MESSAGE_SENT, fields=["body"],
           target=("message", str(message.pk)), detail={"direction": message.direction})
    return message


def _sniff_content_type(content: bytes) -> str:
    """A label for listing only; downloads are always served as an attachment with nosniff."""
    signatures = [(b"%PDF-", "application/pdf"), (b"\x89PNG\r\n\x1a\n", "image/png"),
                  (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif")]
    for signature, content_type in signatures:
        if content.startswith(signature):
            return content_type
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


@transaction.atomic(durable=True)
def attachment_add(*, case_id: UUID, actor: User, filename: str, content: bytes
                   ) -> CaseAttachment:
    """Add a file to the case (an advisor's upload), encrypted with the case key."""
    case = _lock(case_id, actor, access.HANDLE)
    _require_not_destroyed(case)
    limit = settings.ATTACHMENT_MAX_BYTES
    if not content:
        raise InvalidCaseInput(_("The file is empty."))
    if len(content) > limit:
        raise InvalidCaseInput(_("The file is too large: at most %(mb)s MB.")
                               % {"mb": limit // (1024 * 1024)})
    name = _clean_text(filename, label=_("File name"), required=True, limit=255)
    attachment = CaseAttachment.objects.create(
        case=case, added_by=actor, filename=name, size=len(content),
        content_type=_sniff_content_type(content), content=content)
    _audit(case, Actor.user(actor), actions.ATTACHMENT_ADDED, fields=["content"],
           target=("attachment", str(attachment.pk)), detail={"size": attachment.size})
    return attachment


# --- reads that count (DESIGN.md §5) -------------------------------------------------------


def case_viewed(*, case: Case, actor: User) -> None:
    """Record that ``actor`` opened the case page."""
    record_read(stream=str(case.pk), action=actions.CASE_VIEWED, actor=Actor.user(actor),
                target_type="case", target_id=str(case.pk))


def attachment_downloaded(*, attachment: CaseAttachment, actor: User) -> None:
    record_read(stream=str(attachment.case_id), action=actions.ATTACHMENT_DOWNLOADED,
                actor=Actor.user(actor), target_type="attachment",
                target_id=str(attachment.pk))


# --- crypto-shredding ----------------------------------------------------------------------


@transaction.atomic(durable=True)
def case_destroy_key(*, case_id: UUID, actor: AbstractBaseUser) -> Case:
    """Crypto-shred one case: destroy its data key, so every encrypted value of the case (in
    this database and, once they age out, in backups) reads as ``DESTROYED`` from now on.

    The blind indexes go too: they would otherwise still answer "was this person in that
    case?". Raises ``Case.DoesNotExist`` or ``CaseKeyAlreadyDestroyedError``.
    """
    case = Case.objects.select_for_update().get(pk=case_id)
    return _destroy_key_locked(case=case, actor=actor)


def _destroy_key_locked(*, case: Case, actor: AbstractBaseUser) -> Case:
    """The shredding step for a case already locked by the caller's transaction (so that the
    retention service can destroy a case and its key in one transaction)."""
    if case.is_key_destroyed:
        raise CaseKeyAlreadyDestroyedError(f"The data key of case {case.pk} is already destroyed.")
    case.forget_data_key()
    index_fields = [field.attname for field in blind_index_fields(Case)]
    for attname in index_fields:
        setattr(case, attname, "")
    # Named explicitly: a plain save() of a stored case never writes the key columns.
    case.save(update_fields=[*KEY_FIELDS, *index_fields])
    _clear_part_blind_indexes(case)
    record(
        stream=str(case.pk),
        action=actions.CASE_KEY_DESTROYED,
        actor=Actor.user(actor),
        target_type="case",
        target_id=str(case.pk),
        fields=["wrapped_key", *index_fields],
        detail={},
    )
    return case


def _clear_part_blind_indexes(case: Case) -> None:
    """The blind indexes of the case's parts (a party's name) go with the key: otherwise they
    would still answer "was this person in that case?" after the content is unreadable."""
    for relation in Case._meta.related_objects:
        attnames = [field.attname for field in blind_index_fields(relation.related_model)]
        if attnames:
            relation.related_model._base_manager.filter(**{relation.field.name: case}).update(
                **dict.fromkeys(attnames, ""))
