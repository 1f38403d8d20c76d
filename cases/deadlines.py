"""The office's deadlines, as pure functions (DESIGN.md §3).

- Acknowledgement: within 7 days of receipt. The office promises an answer within a week and
  the EU whistleblowing directive demands the same.
- Feedback: within 3 months of the acknowledgement or, when there was none, of the end of the
  7-day period (Directive 2019/1937, art. 9(1)(f)).

Services store the results as columns, so pages and reminder sweeps filter on indexed dates
instead of computing them row by row.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from django.utils import timezone

ACKNOWLEDGEMENT_PERIOD = timedelta(days=7)
FEEDBACK_PERIOD_MONTHS = 3


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later; the month's last day when that day is missing
    (31 May + 3 months is 31 August, 30 November + 3 months is 28 or 29 February)."""
    month_index = moment.month - 1 + months
    year = moment.year + month_index // 12
    month = month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def acknowledgement_due(received_at: datetime) -> datetime:
    # Days and months are the office's calendar (TIME_ZONE), not UTC: a report received at
    # noon is due at noon a week later, also across a change to or from summer time, and
    # "three months from 31 August 00:30" is 30 November, not 1 December.
    return timezone.localtime(received_at) + ACKNOWLEDGEMENT_PERIOD


def feedback_due(*, received_at: datetime, acknowledged_at: datetime | None) -> datetime:
    start = acknowledged_at if acknowledged_at is not None else acknowledgement_due(received_at)
    return add_months(timezone.localtime(start), FEEDBACK_PERIOD_MONTHS)


def is_late(*, done_at: datetime, due_at: datetime) -> bool:
    return done_at > due_at
