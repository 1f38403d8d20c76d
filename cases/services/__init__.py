"""Writes on cases: one typed, keyword-only function per change (DESIGN.md §7, STYLE.md).

Each locks the case row, checks the actor's permission (a case they may not see raises
``CaseNotFound``, exactly like one that does not exist), performs the django-fsm-2
transition or change, saves with ``update_fields``, and records the audit event in the same
durable transaction. The row lock serialises two advisors acting at once: the second waits,
then finds the case moved on and gets ``TransitionUnavailable`` with a sentence to show.

Views, the admin and tasks never call a transition or write a case model themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from uuid import UUID

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import actions
from audit.actors import Actor
from audit.services import record, record_read
from cases import access
from cases.attachment_files import CheckedFile
from cases.choices import Channel, Kind, MessageDirection, ReceivedVia, State
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
)
from cases.services._common import (
    SHORT_TEXT_MAX,
    TEXT_MAX,
    User,
    _audit,
    _clean_text,
    _lock,
    _require_not_destroyed,
    _save,
    _transition,
)
from cases.services._creation import (
    CaseInput,
    FileInput,
    PartyInput,
    RegisteredCase,
    check_files,
    create_case,
    file_too_large,
    store_attachment,
    too_many_files,
)


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
    registered = create_case(data=data, actor=Actor.user(actor), registered_by=actor,
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
    if case.unwanted_advisor_id is not None and case.unwanted_advisor_id in ids:
        raise InvalidCaseInput(_("The reporter asked that this advisor does not handle their "
                                 "case. Choose another advisor."))
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


def attachment_add(*, case_id: UUID, actor: User, filename: str, content: bytes
                   ) -> CaseAttachment:
    """Add a file to the case (an advisor's upload), encrypted with the case key. The file is
    checked (and its working copy made) before the case is locked: that can take seconds."""
    [(file, checked)] = check_files([FileInput(name=filename, content=content)])
    return _attachment_store(case_id=case_id, actor=actor, file=file, checked=checked)


@transaction.atomic(durable=True)
def _attachment_store(*, case_id: UUID, actor: User, file: FileInput,
                      checked: CheckedFile) -> CaseAttachment:
    case = _lock(case_id, actor, access.HANDLE)
    _require_not_destroyed(case)
    return store_attachment(case, actor=Actor.user(actor), added_by=actor, file=file,
                            checked=checked)


# --- reads that count (DESIGN.md §5) -------------------------------------------------------


def case_viewed(*, case: Case, actor: User) -> None:
    """Record that ``actor`` opened the case page."""
    record_read(stream=str(case.pk), action=actions.CASE_VIEWED, actor=Actor.user(actor),
                target_type="case", target_id=str(case.pk))


def attachment_downloaded(*, attachment: CaseAttachment, actor: User, original: bool) -> None:
    """Record a download: of the working copy, or of the original kept as evidence."""
    record_read(stream=str(attachment.case_id), action=actions.ATTACHMENT_DOWNLOADED,
                actor=Actor.user(actor), target_type="attachment",
                target_id=str(attachment.pk), detail={"copy": "original" if original
                                                      else "working"})


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


# The reporter's side (web form, status page); re-exported so that intake needs only this
# module. Imported last: it builds on the steps above.
from cases.services.reporter import (  # noqa: E402
    ReporterAccess,
    case_submit,
    receipt_code_replace,
    receipt_code_selector,
    receipt_code_sign_in,
    reporter_information_add,
    reporter_message_send,
    reporter_withdraw,
    status_viewed,
)

__all__ = [
    "SHORT_TEXT_MAX",
    "TEXT_MAX",
    "CaseInput",
    "FileInput",
    "PartyInput",
    "RegisteredCase",
    "ReporterAccess",
    "attachment_add",
    "attachment_downloaded",
    "case_accept",
    "case_acknowledge",
    "case_assign",
    "case_close",
    "case_convert_to_report",
    "case_decide",
    "case_destroy",
    "case_destroy_key",
    "case_record_consent",
    "case_refer",
    "case_register",
    "case_return",
    "case_start",
    "case_submit",
    "case_viewed",
    "case_withdraw",
    "file_too_large",
    "message_send",
    "note_add",
    "receipt_code_replace",
    "receipt_code_selector",
    "receipt_code_sign_in",
    "reporter_information_add",
    "reporter_message_send",
    "reporter_withdraw",
    "status_viewed",
    "too_many_files",
]
