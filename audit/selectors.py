"""Reading the audit trail for the auditor page: filtered, newest first, keyset-paginated.

Never OFFSET: a page starts strictly after the (timestamp, id) of the last row of the previous
page, so page 10,000 costs what page 1 costs. Every filter has an index ending in
(timestamp, id) (see AuditEvent.Meta.indexes), which makes filter plus order one index scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from audit import chain
from audit.models import AuditEvent

PAGE_SIZE = 50
_CURSOR = re.compile(r"(\d{1,19})-(\d{1,19})")
# A cursor is the (timestamp, id) of an event shown on the previous page, so anything outside
# what an event can hold is not a cursor: timestamps from the epoch to the end of year 9999
# (Python's datetime ends there), ids within PostgreSQL's bigint.
MAX_CURSOR_TS_US = chain.timestamp_us(datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC))
MAX_CURSOR_ID = 2**63 - 1


@dataclass(frozen=True)
class AuditFilters:
    stream: str = ""
    actor_kind: str = ""
    actor_id: str = ""
    action: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: just after the event with this (timestamp, id)."""

    ts_us: int
    id: int

    def __str__(self) -> str:
        return f"{self.ts_us}-{self.id}"

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        """The cursor in ``text``, or None for anything else (the page then starts at the top)."""
        match = _CURSOR.fullmatch(text or "")
        if not match:
            return None
        ts_us, pk = int(match[1]), int(match[2])
        if not (0 <= ts_us <= MAX_CURSOR_TS_US and 1 <= pk <= MAX_CURSOR_ID):
            return None
        return cls(ts_us, pk)


@dataclass(frozen=True)
class AuditPage:
    """Events newest first; each user actor's username is on ``event.actor_name``."""

    events: list[AuditEvent]
    next_cursor: Cursor | None


def audit_event_page(
    *, filters: AuditFilters, after: Cursor | None = None, size: int = PAGE_SIZE
) -> AuditPage:
    rows = list(audit_events(filters=filters, after=after)[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = Cursor(chain.timestamp_us(last.timestamp), last.pk)
    usernames = _usernames(rows)
    for row in rows:
        row.actor_name = usernames.get(row.actor_id, "")  # type: ignore[attr-defined]
    return AuditPage(rows, next_cursor)


def audit_events(*, filters: AuditFilters, after: Cursor | None = None) -> QuerySet[AuditEvent]:
    """The matching events, newest first, starting after ``after``."""
    events = AuditEvent.objects.all()
    if filters.stream:
        events = events.filter(stream=filters.stream)
    if filters.actor_kind:
        events = events.filter(actor_kind=filters.actor_kind)
        if filters.actor_kind != "user" or filters.actor_id:
            # Reporters and the system have no id: "" keeps the (kind, id, time) index usable.
            events = events.filter(actor_id=filters.actor_id)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.since is not None:
        events = events.filter(timestamp__gte=filters.since)
    if filters.until is not None:
        events = events.filter(timestamp__lt=filters.until)
    if after is not None:
        moment = chain.EPOCH + (after.ts_us * chain.MICROSECOND)
        # The redundant "timestamp <= moment" is the index range; the OR only settles ties.
        events = events.filter(timestamp__lte=moment).filter(
            Q(timestamp__lt=moment) | Q(id__lt=after.id)
        )
    return events.order_by("-timestamp", "-id").only(
        "id", "stream", "seq", "timestamp", "actor_kind", "actor_id", "action", "target_type",
        "target_id", "changed_fields", "detail",
    )


def _usernames(rows: list[AuditEvent]) -> dict[str, str]:
    """Usernames of the staff on this page, in one query (ids that are gone stay ids)."""
    ids = {row.actor_id for row in rows if row.actor_kind == "user" and row.actor_id.isdigit()}
    if not ids:
        return {}
    user_model = get_user_model()
    users = user_model.objects.filter(pk__in=[int(i) for i in ids])
    return {
        str(pk): name for pk, name in users.values_list("pk", user_model.USERNAME_FIELD)
    }
