"""The office's deadlines: 7 days to acknowledge, 3 months to give feedback (DESIGN.md §3)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from audit import actions
from audit.models import AuditEvent
from cases import deadlines, services
from cases.choices import State
from cases.deadlines import acknowledgement_due, add_months, feedback_due, is_late
from cases.models import Case
from tests.cases.factories_cases import make_case
from tests.conftest import Personas

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

Clock = Callable[[datetime], None]  # sets what timezone.now() answers


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 30) -> datetime:
    return datetime(year, month, day, hour, minute, 15, 123456, tzinfo=UTC)


def local(year: int, month: int, day: int) -> datetime:
    """A moment on the office's calendar, where the deadlines are counted."""
    return datetime(year, month, day, 10, 30, 15, 123456, tzinfo=AMSTERDAM)


# --- add_months ----------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "months", "expected"), [
    (at(2026, 5, 31), 3, at(2026, 8, 31)),  # August has a 31st
    (at(2026, 5, 31), 1, at(2026, 6, 30)),  # June does not
    (at(2023, 11, 30), 3, at(2024, 2, 29)),  # leap year
    (at(2022, 11, 30), 3, at(2023, 2, 28)),  # not a leap year
    (at(2100, 11, 30), 3, at(2101, 2, 28)),  # 2100 is not a leap year
    (at(2099, 11, 29), 3, at(2100, 2, 28)),
    (at(2400, 11, 30), 3, at(2401, 2, 28)),
    (at(2399, 11, 30), 3, at(2400, 2, 29)),  # 2400 is
    (at(2025, 11, 15), 3, at(2026, 2, 15)),  # year wrap
    (at(2025, 12, 31), 1, at(2026, 1, 31)),
    (at(2025, 10, 31), 3, at(2026, 1, 31)),
    (at(2026, 1, 31), 1, at(2026, 2, 28)),
    (at(2026, 1, 31), 12, at(2027, 1, 31)),
    (at(2026, 1, 31), 25, at(2028, 2, 29)),
    (at(2026, 3, 31), -1, at(2026, 2, 28)),  # backwards, too
    (at(2026, 1, 15), -1, at(2025, 12, 15)),
    (at(2026, 6, 15), 0, at(2026, 6, 15)),
])
def test_add_months(start: datetime, months: int, expected: datetime) -> None:
    assert add_months(start, months) == expected


def test_add_months_keeps_the_time_of_day_and_the_zone() -> None:
    start = datetime(2026, 5, 31, 23, 59, 59, 999999, tzinfo=AMSTERDAM)
    result = add_months(start, 3)
    assert result == datetime(2026, 8, 31, 23, 59, 59, 999999, tzinfo=AMSTERDAM)
    assert result.tzinfo is AMSTERDAM


@given(start=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2200, 12, 31)),
       months=st.integers(min_value=-36, max_value=36))
def test_add_months_lands_in_the_right_month_on_the_same_or_last_day(start: datetime,
                                                                     months: int) -> None:
    result = add_months(start, months)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == months
    assert result.time() == start.time()
    if result.day != start.day:
        # Only when the day does not exist in that month; then it is the month's last day.
        assert result.day < start.day
        assert (result + timedelta(days=1)).month != result.month


# --- the periods ---------------------------------------------------------------------------


def test_acknowledgement_is_due_seven_days_after_receipt() -> None:
    received = local(2026, 2, 26)
    assert acknowledgement_due(received) == local(2026, 3, 5)
    assert acknowledgement_due(received) - received == timedelta(days=7)


def test_feedback_is_due_three_months_after_the_acknowledgement() -> None:
    assert feedback_due(received_at=local(2026, 5, 20),
                        acknowledged_at=local(2026, 5, 31)) == local(2026, 8, 31)


def test_without_acknowledgement_feedback_runs_from_the_end_of_the_seven_days() -> None:
    # 24 May + 7 days = 31 May; + 3 months = 31 August.
    assert feedback_due(received_at=local(2026, 5, 24), acknowledged_at=None) == local(2026, 8, 31)
    # 23 November + 7 days = 30 November; + 3 months = 28 February (29 in a leap year).
    assert feedback_due(received_at=local(2026, 11, 23), acknowledged_at=None) == local(2027, 2, 28)
    assert feedback_due(received_at=local(2027, 11, 23), acknowledged_at=None) == local(2028, 2, 29)


def test_a_late_acknowledgement_still_starts_the_feedback_period_when_it_happens() -> None:
    received = local(2026, 1, 1)
    acknowledged = local(2026, 1, 20)  # 12 days late
    assert feedback_due(received_at=received, acknowledged_at=acknowledged) == local(2026, 4, 20)


def test_late_means_strictly_after_the_due_moment() -> None:
    due = at(2026, 3, 5)
    assert not is_late(done_at=due - timedelta(microseconds=1), due_at=due)
    assert not is_late(done_at=due, due_at=due)
    assert is_late(done_at=due + timedelta(microseconds=1), due_at=due)


# --- the deadlines on a case, through the services -----------------------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Set what ``timezone.now()`` answers for the services (and the audit trail)."""

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


@pytest.mark.django_db
def test_a_new_case_carries_its_deadlines(personas: Personas) -> None:
    case = make_case(advisor=personas.advisor)
    local = timezone.localtime(case.received_at)
    assert case.acknowledgement_due_at == local + timedelta(days=7)
    assert case.feedback_due_at == add_months(local + timedelta(days=7), 3)
    assert case.next_deadline_at == case.acknowledgement_due_at
    assert (case.acknowledged_at, case.acknowledged_late) == (None, False)


@pytest.mark.django_db
def test_acknowledging_in_time(personas: Personas, clock: Clock) -> None:
    case = make_case(advisor=personas.advisor)
    moment = case.received_at + timedelta(days=6, hours=23)
    clock(moment)
    services.case_acknowledge(case_id=case.pk, actor=personas.advisor)
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == State.ACKNOWLEDGED
    assert stored.acknowledged_at == moment
    assert stored.acknowledged_late is False
    assert stored.feedback_due_at == add_months(timezone.localtime(moment), 3)
    assert stored.next_deadline_at == stored.feedback_due_at
    event = AuditEvent.objects.get(stream=str(case.pk), action=actions.CASE_ACKNOWLEDGED)
    assert event.detail_items == {"late": False}


@pytest.mark.django_db
def test_acknowledging_on_the_last_moment_is_not_late(personas: Personas,
                                                      clock: Clock) -> None:
    case = make_case(advisor=personas.advisor)
    clock(case.acknowledgement_due_at)
    services.case_acknowledge(case_id=case.pk, actor=personas.advisor)
    assert Case.objects.get(pk=case.pk).acknowledged_late is False


@pytest.mark.django_db
@pytest.mark.parametrize("late_by", [timedelta(microseconds=1), timedelta(days=1),
                                     timedelta(days=90)])
def test_a_late_acknowledgement_is_recorded_as_late_and_never_refused(
        personas: Personas, clock: Clock, late_by: timedelta) -> None:
    case = make_case(advisor=personas.advisor)
    moment = case.acknowledgement_due_at + late_by
    clock(moment)
    assert Case.objects.get(pk=case.pk).is_acknowledgement_overdue

    services.case_acknowledge(case_id=case.pk, actor=personas.advisor)

    stored = Case.objects.get(pk=case.pk)
    assert stored.state == State.ACKNOWLEDGED
    assert stored.acknowledged_at == moment
    assert stored.acknowledged_late is True
    assert not stored.is_acknowledgement_overdue
    # The three months run from the (late) acknowledgement itself.
    assert stored.feedback_due_at == deadlines.add_months(timezone.localtime(moment), 3)
    assert stored.next_deadline_at == stored.feedback_due_at
    event = AuditEvent.objects.get(stream=str(case.pk), action=actions.CASE_ACKNOWLEDGED)
    assert event.detail_items == {"late": True}
    assert "acknowledged_late" in event.changed_field_names


@pytest.mark.django_db
def test_an_unacknowledged_case_becomes_overdue_after_seven_days(
        personas: Personas, clock: Clock) -> None:
    case = make_case(advisor=personas.advisor)
    clock(case.acknowledgement_due_at)
    assert not case.is_acknowledgement_overdue and not case.is_overdue
    clock(case.acknowledgement_due_at + timedelta(seconds=1))
    assert case.is_acknowledgement_overdue and case.is_overdue


@pytest.mark.django_db
def test_closing_or_withdrawing_ends_every_deadline(personas: Personas) -> None:
    closed = make_case(state=State.CLOSED, advisor=personas.advisor)
    withdrawn = make_case(state=State.CLOSED, advisor=personas.advisor, outcome="withdrawn")
    for case in (closed, withdrawn):
        assert case.next_deadline_at is None
        assert not case.is_overdue


def test_deadlines_follow_the_office_calendar_across_summer_time() -> None:
    # Received at noon on Thursday 22 October 2026 (summer time); the clocks go back on the
    # 25th. The acknowledgement is due at noon a week later, local time.
    received = datetime(2026, 10, 22, 12, 0, tzinfo=AMSTERDAM)
    due = acknowledgement_due(received)
    assert due.astimezone(AMSTERDAM).replace(tzinfo=None) == datetime(2026, 10, 29, 12, 0)
    # Seven days and one hour really pass: the night the clocks go back is 25 hours long.
    assert due.astimezone(UTC) - received.astimezone(UTC) == timedelta(days=7, hours=1)


def test_three_months_are_counted_on_the_office_calendar() -> None:
    # 31 August 00:30 in Utrecht is still 30 August in UTC; feedback is due 30 November
    # (the last day of November), not 1 December.
    acknowledged = datetime(2026, 8, 30, 22, 30, tzinfo=UTC)
    due = feedback_due(received_at=acknowledged, acknowledged_at=acknowledged)
    assert due.astimezone(AMSTERDAM).replace(tzinfo=None) == datetime(2026, 11, 30, 0, 30)
