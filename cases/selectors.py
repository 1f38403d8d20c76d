"""Reads for the staff workspace: permission-filtered, constant in queries, keyset-paginated.

A case someone may not see raises ``CaseNotFound``, exactly like one that does not exist.
Lists load only the plain columns they show (no ciphertext, so nothing is decrypted) and
paginate by (received_at, id), never by OFFSET.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from audit import actions
from audit.models import AuditEvent
from cases import access
from cases.choices import OPEN_STATES, Channel, Kind, State
from cases.exceptions import CaseNotFound
from cases.models import (
    Case,
    CaseAssignment,
    CaseAttachment,
    CaseMessage,
    CaseNote,
    CaseParty,
    ReceiptCode,
)

# The reporter's status page; re-exported so that intake needs only this module.
from cases.reporter_selectors import ReporterStatus as ReporterStatus
from cases.reporter_selectors import reporter_status as reporter_status
from cases.transitions import Action, available_actions

PAGE_SIZE = 50
DASHBOARD_SIZE = 10
TIMELINE_SIZE = 100
DUE_SOON = timedelta(days=3)
EARLY_STATES = (State.RECEIVED, State.ACKNOWLEDGED, State.IN_PROGRESS)

# The plain columns a list row shows; ciphertext columns are never loaded for a list.
LIST_COLUMNS = (
    "id", "reference", "kind", "channel", "state", "outcome", "received_at",
    "acknowledgement_due_at", "acknowledged_at", "feedback_due_at", "feedback_given_at",
    "next_deadline_at", "is_assigned", "committee",
)

def _with_advisors(cases: QuerySet[Case]) -> QuerySet[Case]:
    """One extra query per list for the advisors' names, however many rows."""
    user_model = get_user_model()
    return cases.only(*LIST_COLUMNS).prefetch_related(
        Prefetch("assignments", queryset=CaseAssignment.objects.select_related("advisor").only(
            "id", "case_id", "advisor_id", "advisor__first_name", "advisor__last_name",
            f"advisor__{user_model.USERNAME_FIELD}",
        ).order_by("assigned_at", "id")),
    )


# --- the dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    my_cases: list[Case] = field(default_factory=list)
    committee_cases: list[Case] = field(default_factory=list)
    unassigned: list[Case] = field(default_factory=list)
    overdue: list[Case] = field(default_factory=list)
    due_soon: list[Case] = field(default_factory=list)
    is_coordinator: bool = False


def dashboard(*, actor: User, now: datetime | None = None,
              size: int = DASHBOARD_SIZE) -> Dashboard:
    """What needs attention: my open cases, the committee's files, and (for coordinators)
    unassigned cases; deadlines overdue and due within three days. Each list is one query
    plus one for advisors' names, whatever the number of cases."""
    now = now or timezone.now()
    coordinator = access.is_coordinator(actor)
    mine = access.cases_with_permission(actor, access.HANDLE).filter(state__in=OPEN_STATES)
    committee = access.cases_with_permission(actor, access.REVIEW).filter(
        state__in=[State.REFERRED, State.UNDER_REVIEW, State.DECIDED])
    watched = Case.objects.all() if coordinator else mine
    overdue = watched.filter(next_deadline_at__lt=now).order_by("next_deadline_at", "id")
    due_soon = watched.filter(next_deadline_at__gte=now,
                              next_deadline_at__lt=now + DUE_SOON).order_by(
        "next_deadline_at", "id")
    unassigned = (_unassigned() if coordinator else Case.objects.none())
    return Dashboard(
        # Cases with no open deadline last on every database (SQLite sorts NULL first), or
        # they would push the urgent ones off a short list.
        my_cases=list(_with_advisors(mine.order_by(
            F("next_deadline_at").asc(nulls_last=True), "-received_at", "id"))[:size]),
        committee_cases=list(_with_advisors(committee.order_by("-received_at", "-id"))[:size]),
        unassigned=list(_with_advisors(unassigned)[:size]) if coordinator else [],
        overdue=list(_with_advisors(overdue)[:size]),
        due_soon=list(_with_advisors(due_soon)[:size]),
        is_coordinator=coordinator,
    )


def _unassigned() -> QuerySet[Case]:
    # Matches the partial index case_unassigned exactly, so it is an index scan.
    return Case.objects.filter(is_assigned=False).exclude(
        state__in=[State.CLOSED, State.DESTROYED]).order_by("-received_at", "-id")


# --- the case list -------------------------------------------------------------------------


_CURSOR = re.compile(r"(\d{1,19})\.([0-9a-f]{32})")


@dataclass(frozen=True)
class CaseCursor:
    """Where a page of the case list starts: just after the case with this (received_at, id)."""

    received_at: datetime
    id: UUID

    def __str__(self) -> str:
        delta = self.received_at - datetime(1970, 1, 1, tzinfo=UTC)
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return f"{micros}.{self.id.hex}"

    @classmethod
    def parse(cls, text: str) -> CaseCursor | None:
        match = _CURSOR.fullmatch(text or "")
        if not match:
            return None
        try:
            moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(match[1]))
        except OverflowError:
            return None
        return cls(moment, uuid.UUID(hex=match[2]))


@dataclass(frozen=True)
class CaseFilters:
    state: str = ""
    kind: str = ""
    channel: str = ""
    deadline: str = ""  # "overdue" | "due_soon"
    assignment: str = ""  # "mine" | "unassigned" (coordinators)
    reference: str = ""


@dataclass(frozen=True)
class CaseListPage:
    cases: list[Case]
    next_cursor: CaseCursor | None


def case_list(*, actor: User, filters: CaseFilters, after: CaseCursor | None = None,
              now: datetime | None = None, size: int = PAGE_SIZE) -> CaseListPage:
    """Cases the actor may list, newest first, filtered; two queries per page at any size."""
    now = now or timezone.now()
    cases = access.cases_listable_by(actor)
    if filters.assignment == "mine":
        cases = access.cases_with_permission(actor, access.HANDLE, cases)
    elif filters.assignment == "unassigned":
        cases = cases.filter(is_assigned=False).exclude(state__in=[State.CLOSED,
                                                                   State.DESTROYED])
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.kind:
        cases = cases.filter(kind=filters.kind)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.deadline == "overdue":
        cases = cases.filter(next_deadline_at__lt=now)
    elif filters.deadline == "due_soon":
        cases = cases.filter(next_deadline_at__gte=now, next_deadline_at__lt=now + DUE_SOON)
    if filters.reference:
        cases = cases.filter(reference=filters.reference.strip())
    if after is not None:
        cases = cases.filter(received_at__lte=after.received_at).filter(
            Q(received_at__lt=after.received_at) | Q(id__lt=after.id))
    rows = list(_with_advisors(cases.order_by("-received_at", "-id"))[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        next_cursor = CaseCursor(rows[-1].received_at, rows[-1].pk)
    return CaseListPage(rows, next_cursor)


# --- one case ------------------------------------------------------------------------------


# What each audit action means on a case's timeline.
ACTION_LABELS = {
    actions.CASE_CREATED: _("Case registered"),
    actions.RECEIPT_CODE_ISSUED: _("Receipt code issued"),
    actions.RECEIPT_CODE_REPLACED: _("Receipt code replaced"),
    actions.RECEIPT_CODE_USED: _("Receipt code first used"),
    actions.CASE_ASSIGNED: _("Advisors changed"),
    actions.PERMISSION_GRANTED: _("Access granted"),
    actions.PERMISSION_REVOKED: _("Access revoked"),
    actions.CASE_ACKNOWLEDGED: _("Receipt acknowledged"),
    actions.CASE_STARTED: _("Work started"),
    actions.CASE_CONSENT_RECORDED: _("Consent recorded"),
    actions.CASE_CONVERTED: _("Consultation became a report"),
    actions.CASE_REFERRED: _("Referred to a committee"),
    actions.CASE_RETURNED: _("Returned by the committee"),
    actions.CASE_ACCEPTED: _("Accepted by the committee"),
    actions.CASE_DECIDED: _("Decided by the committee"),
    actions.CASE_CLOSED: _("Closed"),
    actions.CASE_WITHDRAWN: _("Withdrawn"),
    actions.CASE_DESTROYED: _("Destroyed"),
    actions.CASE_KEY_DESTROYED: _("Content key destroyed"),
    actions.NOTE_ADDED: _("Note added"),
    actions.MESSAGE_SENT: _("Message"),
    actions.ATTACHMENT_ADDED: _("File added"),
    actions.CASE_VIEWED: _("Case viewed"),
    actions.STATUS_VIEWED: _("Status page viewed by the reporter"),
    actions.ATTACHMENT_DOWNLOADED: _("File downloaded"),
    actions.DOSSIER_DOWNLOADED: _("Dossier downloaded"),
}


@dataclass(frozen=True)
class TimelineEntry:
    event: AuditEvent
    actor_label: str

    @property
    def label(self) -> str:
        return str(ACTION_LABELS.get(self.event.action, self.event.action))


@dataclass(frozen=True)
class CaseDetail:
    """Everything the case page shows, loaded in a fixed number of queries.

    ``can_read`` is False for a coordinator who is not assigned: they see metadata, deadlines
    and the timeline, never content. Notes are loaded only for the case's advisors.
    """

    case: Case
    permissions: frozenset[str]
    is_coordinator: bool
    advisors: list[User]
    actions: list[Action]
    timeline: list[TimelineEntry] = field(default_factory=list)
    parties: list[CaseParty] = field(default_factory=list)
    notes: list[CaseNote] = field(default_factory=list)
    messages: list[CaseMessage] = field(default_factory=list)
    attachments: list[CaseAttachment] = field(default_factory=list)
    receipt_code: ReceiptCode | None = None

    @property
    def can_read(self) -> bool:
        return access.VIEW in self.permissions

    @property
    def can_handle(self) -> bool:
        return access.HANDLE in self.permissions

    @property
    def can_review(self) -> bool:
        return access.REVIEW in self.permissions

    @property
    def _early(self) -> bool:
        return self.can_handle and self.case.state in EARLY_STATES

    @property
    def may_record_consent(self) -> bool:
        case = self.case
        return (self._early and case.kind == Kind.REPORT and case.channel == Channel.NAMED
                and (case.referral_consent_at is None or not case.statement_in_writing))

    @property
    def may_convert(self) -> bool:
        return (self._early and self.case.kind == Kind.CONSULTATION
                and self.case.channel == Channel.NAMED)


def _case(case_id: UUID, queryset: QuerySet[Case] | None = None) -> Case:
    """The case, or ``CaseNotFound``: the same error as for a case the actor may not see."""
    case = (Case.objects.all() if queryset is None else queryset).filter(pk=case_id).first()
    if case is None:
        raise CaseNotFound
    return case


def case_overview(*, actor: User, case_id: UUID) -> CaseDetail:
    """The case with the actor's permissions, its advisors and the steps it offers them —
    what a confirmation or assignment page needs; no timeline and no content.
    ``CaseNotFound`` when the actor may not see the case."""
    case = _case(case_id, Case.objects.select_related("registered_by"))
    permissions = access.case_permissions(actor, case)
    coordinator = access.is_coordinator(actor)
    if access.VIEW not in permissions and not coordinator:
        raise CaseNotFound
    advisors = [a.advisor for a in CaseAssignment.objects.filter(case=case).select_related(
        "advisor").order_by("assigned_at", "id")]
    return CaseDetail(
        case=case, permissions=permissions, is_coordinator=coordinator, advisors=advisors,
        actions=available_actions(case, permissions=permissions, is_coordinator=coordinator),
    )


def case_detail(*, actor: User, case_id: UUID) -> CaseDetail:
    """The case page's data: the overview, the timeline and, for those who may read it, the
    content. ``CaseNotFound`` when the actor may not see the case."""
    detail = case_overview(actor=actor, case_id=case_id)
    case = detail.case
    detail = replace(detail, timeline=case_timeline(case))
    if not detail.can_read or case.state == State.DESTROYED:
        return detail
    return replace(
        detail,
        parties=list(CaseParty.objects.filter(case=case).select_related("case")
                     .order_by("role", "id")),
        # A committee never sees the advisor's private notes.
        notes=(list(CaseNote.objects.filter(case=case).select_related("case", "author")
                    .order_by("-created_at", "-id")) if detail.can_handle else []),
        messages=list(CaseMessage.objects.filter(case=case).select_related("case", "author")
                      .order_by("-created_at", "-id")),
        attachments=list(CaseAttachment.objects.filter(case=case).select_related(
            "case", "added_by").defer("content", "working_copy").order_by("-created_at", "-id")),
        receipt_code=(ReceiptCode.objects.filter(case=case).first()
                      if detail.can_handle else None),
    )


def case_timeline(case: Case, *, size: int = TIMELINE_SIZE) -> list[TimelineEntry]:
    """The case's history from its audit stream, newest first: what happened, who, when.

    Page views are left out: every visit to the case page records one, and they would soon
    push the changes off the page. They stay in the audit trail, for the auditor."""
    events = list(AuditEvent.objects.filter(stream=str(case.pk)).exclude(
        action=actions.CASE_VIEWED).order_by("-seq").only(
        "id", "seq", "timestamp", "actor_kind", "actor_id", "action", "changed_fields",
        "detail")[:size])
    user_ids = {int(e.actor_id) for e in events if e.actor_kind == "user"
                and e.actor_id.isdigit()}
    names = {}
    if user_ids:
        user_model = get_user_model()
        for user in user_model.objects.filter(pk__in=user_ids).only(
                "id", "first_name", "last_name", user_model.USERNAME_FIELD):
            names[str(user.pk)] = user.get_full_name() or user.get_username()
    return [TimelineEntry(e, names.get(e.actor_id, "")) for e in events]


def case_for_action(*, actor: User, case_id: UUID, codename: str | None) -> Case:
    """The case if ``actor`` may act on it with ``codename`` (see ``access.require``): lets a
    view refuse before it reads a form, with the answer the service would give."""
    case = _case(case_id)
    access.require(actor, codename, case)
    return case


def case_overview_for_action(*, actor: User, case_id: UUID,
                             codename: str | None) -> CaseDetail:
    """``case_overview`` for a page that acts on the case with ``codename``: refused, before
    any form is read, exactly as the service would refuse (``access.require``)."""
    detail = case_overview(actor=actor, case_id=case_id)
    access.require(actor, codename, detail.case)
    return detail


def attachment_for_download(*, actor: User, case_id: UUID, attachment_id: UUID
                            ) -> CaseAttachment:
    """One file of a case the actor may read (its content loaded). ``CaseNotFound`` for a
    case they may not see, a destroyed one or a file that is not the case's; ``NotPermitted``
    for a coordinator who sees only the case's metadata. The case is checked before the file
    is looked for, so a refusal says nothing about which files exist."""
    case = _case(case_id)
    access.require(actor, access.VIEW, case)
    if case.state == State.DESTROYED:
        raise CaseNotFound
    attachment = CaseAttachment.objects.select_related("case").filter(
        pk=attachment_id, case=case).first()
    if attachment is None:
        raise CaseNotFound
    return attachment


def assignable_advisors() -> list[User]:
    """Active advisors, for the coordinator's assignment form."""
    return list(get_user_model().objects.filter(is_active=True, groups__name=Role.ADVISOR)
                .order_by("first_name", "last_name", "username").distinct())
