"""Two people acting on one case at once (DESIGN.md §3): exactly one result, a clear message
for the other, and one audit event - on PostgreSQL, where the row lock really serialises.

Each thread has its own database connection (Django's are per thread) and closes it. The
deterministic races hold the first service inside its transaction, just after it locked the
row, until PostgreSQL reports the second one waiting for that lock; the barrier races start
both at once and let the scheduler decide, several times.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

import pytest
from django.db import connection

from accounts.models import User
from accounts.roles import Role
from audit import actions
from audit.models import AuditEvent
from audit.verification import verify
from cases import access, services
from cases.choices import Committee, Outcome, State
from cases.exceptions import CaseNotFound, TransitionUnavailable
from cases.models import Case, CaseAssignment
from cases.services import _common as services_common
from tests.cases.factories_cases import case_input, make_case
from tests.conftest import Personas
from tests.factories import StaffUserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TIMEOUT = 20  # seconds; only reached when something is wrong


@dataclass
class Result:
    value: Any = None
    error: BaseException | None = None


def _run(call: Callable[[], Any], outcome: Result) -> None:
    try:
        outcome.value = call()
    except BaseException as exc:  # judged in the main thread
        outcome.error = exc
    finally:
        connection.close()  # this thread's own connection


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


def race_holding_the_lock(monkeypatch: pytest.MonkeyPatch, first: Callable[[], Any],
                          second: Callable[[], Any]) -> tuple[Result, Result]:
    """``first`` locks the case and waits inside its transaction until ``second`` is blocked
    on the same row lock; then ``first`` finishes and ``second`` goes on."""
    real_lock = services_common._lock
    locked, release = threading.Event(), threading.Event()

    def pausing_lock(case_id: UUID, actor: User, codename: str | None) -> Case:
        case = real_lock(case_id, actor, codename)
        if threading.current_thread().name == "first":
            locked.set()
            if not release.wait(TIMEOUT):
                raise TimeoutError("the second caller never queued for the lock")
        return case

    # Every services module that locks a case took its own reference to _lock on import.
    for module in list(sys.modules.values()):
        if (getattr(module, "__name__", "").startswith("cases.services")
                and getattr(module, "_lock", None) is real_lock):
            monkeypatch.setattr(module, "_lock", pausing_lock)
    outcomes = Result(), Result()
    one = threading.Thread(target=_run, args=(first, outcomes[0]), name="first")
    two = threading.Thread(target=_run, args=(second, outcomes[1]), name="second")
    one.start()
    try:
        assert locked.wait(TIMEOUT), "the first caller never got the lock"
        two.start()
        deadline = time.monotonic() + TIMEOUT
        while _lock_waiters() < 1:
            assert time.monotonic() < deadline, "the second caller never waited for the lock"
            time.sleep(0.01)
    finally:
        release.set()
        one.join(TIMEOUT)
        if two.is_alive() or two.ident is not None:
            two.join(TIMEOUT)
    assert not one.is_alive() and not two.is_alive()
    return outcomes


def race_from_a_barrier(first: Callable[[], Any],
                        second: Callable[[], Any]) -> tuple[Result, Result]:
    barrier = threading.Barrier(2)
    outcomes = Result(), Result()

    def start_together(call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            barrier.wait(TIMEOUT)
            return call()
        return run

    threads = [threading.Thread(target=_run, args=(start_together(call), outcome))
               for call, outcome in zip((first, second), outcomes, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def one_won(outcomes: tuple[Result, Result]) -> tuple[Result, Result]:
    """(winner, loser); fails unless exactly one succeeded and the other got the message."""
    won = [o for o in outcomes if o.error is None]
    lost = [o for o in outcomes if o.error is not None]
    assert len(won) == 1 and len(lost) == 1, [repr(o.error) for o in outcomes]
    assert type(lost[0].error) is TransitionUnavailable, repr(lost[0].error)
    return won[0], lost[0]


def actions_of(case: Case) -> list[str]:
    return list(AuditEvent.objects.filter(stream=str(case.pk)).order_by("seq")
                .values_list("action", flat=True))


def new_events(case: Case, before: list[str]) -> list[str]:
    after = actions_of(case)
    assert after[:len(before)] == before
    return after[len(before):]


def assert_trail_intact() -> None:
    report = verify()
    assert report.ok, report.problems


# --- the same transition twice -----------------------------------------------------------------


def test_two_advisors_acknowledge_at_once(personas: Personas,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    case = make_case(advisor=personas.advisor)
    services.case_assign(case_id=case.pk, actor=personas.coordinator,
                advisor_ids=[personas.advisor.pk, personas.other_advisor.pk])
    before = actions_of(case)

    first, second = race_holding_the_lock(
        monkeypatch,
        lambda: services.case_acknowledge(case_id=case.pk, actor=personas.advisor),
        lambda: services.case_acknowledge(case_id=case.pk, actor=personas.other_advisor))

    assert first.error is None and first.value.state == State.ACKNOWLEDGED
    assert type(second.error) is TransitionUnavailable
    assert str(second.error) == "This is not possible while the case is “Acknowledged”."
    assert new_events(case, before) == [actions.CASE_ACKNOWLEDGED]
    event = AuditEvent.objects.get(stream=str(case.pk), action=actions.CASE_ACKNOWLEDGED)
    assert event.actor_id == str(personas.advisor.pk)
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == State.ACKNOWLEDGED
    assert stored.acknowledged_at == first.value.acknowledged_at
    assert_trail_intact()


def test_acknowledge_twice_from_a_barrier_repeatedly(personas: Personas) -> None:
    for _ in range(5):
        case = make_case(advisor=personas.advisor)
        before = actions_of(case)
        winner, loser = one_won(race_from_a_barrier(
            partial(services.case_acknowledge, case_id=case.pk, actor=personas.advisor),
            partial(services.case_acknowledge, case_id=case.pk, actor=personas.advisor)))
        assert winner.value.state == State.ACKNOWLEDGED
        assert "Acknowledged" in str(loser.error)
        assert new_events(case, before) == [actions.CASE_ACKNOWLEDGED]
    assert_trail_intact()


# --- two different transitions from the same state ---------------------------------------------


def test_close_and_withdraw_at_once(personas: Personas,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    before = actions_of(case)

    first, second = race_holding_the_lock(
        monkeypatch,
        lambda: services.case_close(case_id=case.pk, actor=personas.advisor,
                                    outcome=Outcome.MEDIATION),
        lambda: services.case_withdraw(case_id=case.pk, actor=personas.advisor))

    assert first.error is None
    assert type(second.error) is TransitionUnavailable
    assert str(second.error) == "This is not possible while the case is “Closed”."
    stored = Case.objects.get(pk=case.pk)
    assert (stored.state, stored.outcome) == (State.CLOSED, Outcome.MEDIATION)
    assert new_events(case, before) == [actions.CASE_CLOSED]
    assert_trail_intact()


def test_close_and_withdraw_from_a_barrier_repeatedly(personas: Personas) -> None:
    for _ in range(5):
        case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
        before = actions_of(case)
        winner, _ = one_won(race_from_a_barrier(
            partial(services.case_close, case_id=case.pk, actor=personas.advisor,
                    outcome=Outcome.ADVICE_GIVEN),
            partial(services.case_withdraw, case_id=case.pk, actor=personas.advisor)))
        stored = Case.objects.get(pk=case.pk)
        assert stored.state == State.CLOSED
        expected = {str(Outcome.ADVICE_GIVEN): actions.CASE_CLOSED,
                    str(Outcome.WITHDRAWN): actions.CASE_WITHDRAWN}[stored.outcome]
        assert new_events(case, before) == [expected]
        assert winner.value.outcome == stored.outcome
    assert_trail_intact()


def test_refer_and_withdraw_at_once_leave_no_committee_access_behind(
        personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    before = actions_of(case)

    first, second = race_holding_the_lock(
        monkeypatch,
        lambda: services.case_withdraw(case_id=case.pk, actor=personas.advisor),
        lambda: services.case_refer(case_id=case.pk, actor=personas.advisor,
                                    committee=Committee.MISCONDUCT))

    assert first.error is None
    assert str(second.error) == "This is not possible while the case is “Closed”."
    assert new_events(case, before) == [actions.CASE_WITHDRAWN]
    member = type(personas.misconduct_committee).objects.get(
        pk=personas.misconduct_committee.pk)
    assert not access.has_case_permission(member, access.VIEW, case)


def test_the_committee_accepts_while_a_colleague_returns_the_file(
        personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    colleague = StaffUserFactory.create(role=Role.MISCONDUCT_COMMITTEE)
    case = make_case(state=State.REFERRED, advisor=personas.advisor)
    before = actions_of(case)

    first, second = race_holding_the_lock(
        monkeypatch,
        lambda: services.case_return(case_id=case.pk, actor=colleague, reason="Not ours."),
        lambda: services.case_accept(case_id=case.pk, actor=personas.misconduct_committee))

    assert first.error is None
    # The file went back, so for the committee the case is gone: the same 404 as any case it
    # may not see, decided after waiting for the lock.
    assert type(second.error) is CaseNotFound
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS
    assert new_events(case, before) == [actions.CASE_RETURNED, actions.PERMISSION_REVOKED]
    assert_trail_intact()


def test_two_coordinators_destroy_at_once(personas: Personas,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    other = StaffUserFactory.create(role=Role.COORDINATOR)
    case = make_case(state=State.CLOSED, advisor=personas.advisor)
    before = actions_of(case)

    first, second = race_holding_the_lock(
        monkeypatch,
        lambda: services.case_destroy(case_id=case.pk, actor=personas.coordinator),
        lambda: services.case_destroy(case_id=case.pk, actor=other))

    assert first.error is None
    assert str(second.error) == "This is not possible while the case is “Destroyed”."
    assert new_events(case, before) == [actions.CASE_DESTROYED, actions.CASE_KEY_DESTROYED]
    assert Case.objects.get(pk=case.pk).is_key_destroyed
    assert_trail_intact()


# --- registrations at once ---------------------------------------------------------------------


def test_registrations_at_once_get_distinct_consecutive_references(
        personas: Personas) -> None:
    writers = 6
    barrier = threading.Barrier(writers)
    outcomes = [Result() for _ in range(writers)]

    def register() -> Case:
        barrier.wait(TIMEOUT)
        return services.case_register(actor=personas.advisor, data=case_input()).case

    threads = [threading.Thread(target=_run, args=(register, outcome)) for outcome in outcomes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert all(o.error is None for o in outcomes), [repr(o.error) for o in outcomes]
    numbers = sorted(int(o.value.reference.split("-")[1]) for o in outcomes)
    assert numbers == list(range(numbers[0], numbers[0] + writers))
    assert Case.objects.count() == writers
    assert_trail_intact()


def test_two_coordinators_reassign_at_once_and_grants_follow_the_last(
        personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    other = StaffUserFactory.create(role=Role.COORDINATOR)
    third = StaffUserFactory.create(role=Role.ADVISOR)
    case = make_case(advisor=personas.advisor)

    first, second = race_holding_the_lock(
        monkeypatch,
        lambda: services.case_assign(case_id=case.pk, actor=personas.coordinator,
                                     advisor_ids=[personas.other_advisor.pk]),
        lambda: services.case_assign(case_id=case.pk, actor=other, advisor_ids=[third.pk]))

    # Not a transition: both succeed, one after the other, and the second one's view of the
    # current advisors (read under the lock) includes the first one's change.
    assert first.error is None and second.error is None
    assigned = set(CaseAssignment.objects.filter(case=case).values_list("advisor", flat=True))
    assert assigned == {third.pk}
    assert set(access.advisors_with_access(case)) == {third.pk}
    revoked = AuditEvent.objects.filter(stream=str(case.pk), action=actions.PERMISSION_REVOKED)
    assert sorted(e.detail_items["user"] for e in revoked) == sorted(
        [personas.advisor.pk, personas.other_advisor.pk])
    assert_trail_intact()
