"""Reads for the reporter's status page: only what a reporter may see of their own case.

No staff names, no notes, no narrative (whoever holds the code sees this page, so it shows no
more than the reporter needs): the state, the next date, the messages, the files they added,
and when the case was accessed (dates and roles only). The number of queries is fixed, however
long the case has run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from audit import actions
from audit.models import AuditEvent
from cases.choices import State
from cases.exceptions import ReporterSessionEnded
from cases.models import Case, CaseAssignment, CaseAttachment, CaseMessage, ReceiptCode
from cases.reporter_access import ReporterAccess

MESSAGES_SHOWN = 100
FILES_SHOWN = 50
ACCESSES_SHOWN = 30
# What counts as "your case was accessed": someone at the office opened it or a file of it.
ACCESS_ACTIONS = (actions.CASE_VIEWED, actions.ATTACHMENT_DOWNLOADED,
                  actions.DOSSIER_DOWNLOADED)
# Plain columns only; nothing on this list is decrypted.
STATUS_COLUMNS = ("id", "kind", "channel", "state", "outcome", "received_at",
                  "acknowledgement_due_at", "acknowledged_at", "feedback_due_at",
                  "feedback_given_at", "closed_at", "committee")


@dataclass(frozen=True)
class Access:
    day: date
    role: str


@dataclass(frozen=True)
class ReporterStatus:
    case: Case
    must_replace_code: bool
    messages: list[CaseMessage]
    files: list[CaseAttachment]
    accesses: list[Access]

    @property
    def is_open(self) -> bool:
        # bool(): mypy reads django-fsm-2's FSMField, and so this comparison, as Any.
        return bool(self.case.state != State.CLOSED)

    @property
    def may_withdraw(self) -> bool:
        return self.case.state in (State.RECEIVED, State.ACKNOWLEDGED, State.IN_PROGRESS)

    @property
    def next_date(self) -> tuple[str, datetime] | None:
        """The next date the office owes the reporter something: ("answer", when) before the
        acknowledgement, ("feedback", when) after it until feedback was given."""
        case = self.case
        if case.state == State.RECEIVED:
            return ("answer", case.acknowledgement_due_at)
        if case.state in (State.ACKNOWLEDGED, State.IN_PROGRESS) and not case.feedback_given_at:
            return ("feedback", case.feedback_due_at)
        return None


def reporter_status(*, reporter: ReporterAccess) -> ReporterStatus:
    """The status page of the reporter's case; ``ReporterSessionEnded`` when their code is no
    longer the case's code (replaced elsewhere) or the case is gone."""
    code = (ReceiptCode.objects.filter(case_id=reporter.case_id, selector=reporter.selector)
            .exclude(case__state=State.DESTROYED).select_related("case")
            .only("case_id", "must_replace", *(f"case__{c}" for c in STATUS_COLUMNS)).first())
    if code is None:
        raise ReporterSessionEnded
    case = code.case
    messages = list(CaseMessage.objects.filter(case=case).select_related("case")
                    .only("id", "case", "direction", "created_at", "body")
                    .order_by("-created_at", "-id")[:MESSAGES_SHOWN])
    messages.reverse()  # a conversation reads from the top down
    files = list(CaseAttachment.objects.filter(case=case, added_by=None).select_related("case")
                 .defer("content", "working_copy").order_by("-created_at", "-id")[:FILES_SHOWN])
    return ReporterStatus(case=case, must_replace_code=code.must_replace, messages=messages,
                          files=files, accesses=_accesses(case))


def _accesses(case: Case) -> list[Access]:
    """When staff opened the case, newest first: one line per day and role, never a name."""
    events = list(AuditEvent.objects.filter(
        stream=str(case.pk), actor_kind="user", action__in=ACCESS_ACTIONS)
        .order_by("-seq").values_list("timestamp", "actor_id")[:ACCESSES_SHOWN * 10])
    user_ids = {int(actor_id) for _, actor_id in events if actor_id.isdigit()}
    assigned = {str(pk) for pk in CaseAssignment.objects.filter(case=case).values_list(
        "advisor_id", flat=True)}
    groups: dict[str, set[str]] = {}
    for user_id, name in Group.objects.filter(user__in=user_ids).values_list("user", "name"):
        groups.setdefault(str(user_id), set()).add(name)
    seen: list[Access] = []
    for timestamp, actor_id in events:
        entry = Access(day=timezone.localtime(timestamp).date(),
                       role=str(_role_label(actor_id, assigned, groups.get(actor_id, set()))))
        if entry not in seen:
            seen.append(entry)
        if len(seen) == ACCESSES_SHOWN:
            break
    return seen


def _role_label(actor_id: str, assigned: set[str], groups: set[str]) -> str | Promise:
    if actor_id in assigned:
        return _("your confidential advisor")
    if {Role.MISCONDUCT_COMMITTEE, Role.UU_COMMITTEE} & groups:
        return _("a member of the complaints committee")
    if Role.ADVISOR in groups:
        return _("a confidential advisor")
    if Role.COORDINATOR in groups:
        return _("the office's coordinator")
    if Role.AUDITOR in groups:
        return _("an auditor")
    return _("someone at the office")
