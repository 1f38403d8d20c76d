"""Seeding the sample cases of ``demo.sample_cases`` through the services, acting as the demo
staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.db.models import Count
from django.utils import timezone

from accounts.models import User
from cases import services
from cases.choices import Committee, State
from cases.models import Case
from demo.sample_cases import (
    COMMITTEE_MEMBER,
    COMMITTEE_STEPS,
    COORDINATOR,
    COORDINATOR_STEPS,
    DEMO_CASES,
    DemoCase,
    Step,
)


def _take_step(step: Step, case_id: UUID, actor: Any, committee: str) -> str:
    """Perform one step through its service; return the committee the case is now with."""
    match step.verb:
        case "acknowledge":
            services.case_acknowledge(case_id=case_id, actor=actor)
        case "start":
            services.case_start(case_id=case_id, actor=actor)
        case "consent":
            services.case_record_consent(case_id=case_id, actor=actor, statement_in_writing=True)
        case "refer":
            committee = services.case_refer(case_id=case_id, actor=actor, committee=step.choice,
                                            reason=step.text).committee
        case "accept":
            services.case_accept(case_id=case_id, actor=actor)
        case "return":
            committee = services.case_return(case_id=case_id, actor=actor,
                                             reason=step.text).committee
        case "decide":
            services.case_decide(case_id=case_id, actor=actor, decision=step.text)
        case "close":
            services.case_close(case_id=case_id, actor=actor, outcome=step.choice)
        case "withdraw":
            services.case_withdraw(case_id=case_id, actor=actor)
        case "destroy":
            services.case_destroy(case_id=case_id, actor=actor)
        case "note":
            services.note_add(case_id=case_id, actor=actor, body=step.text)
        case "message":
            services.message_send(case_id=case_id, actor=actor, body=step.text)
        case "attach":
            services.attachment_add(case_id=case_id, actor=actor, filename=step.choice,
                                    content=step.text.encode())
        case _:
            raise ValueError(f"unknown demo step {step.verb!r}")
    return committee


def _seed_case(demo: DemoCase, users: dict[str, Any], now: datetime) -> None:
    case = services.case_register(actor=users[demo.registered_by], data=demo.data,
                                  received_at=now - demo.received_ago).case
    if demo.advisor is not None and demo.advisor != demo.registered_by:
        services.case_assign(case_id=case.pk, actor=users[COORDINATOR],
                             advisor_ids=[users[demo.advisor].pk])
    committee = ""
    for step in demo.steps:
        if step.verb in COMMITTEE_STEPS:
            actor = users[COMMITTEE_MEMBER[Committee(committee)]]
        elif step.verb in COORDINATOR_STEPS:
            actor = users[COORDINATOR]
        else:
            actor = users[demo.advisor or COORDINATOR]
        committee = _take_step(step, case.pk, actor, committee)


def seed_cases(*, usernames: list[str]) -> dict[str, int] | None:
    """Register the sample cases and take them through the workflow, acting as the demo staff
    (``usernames``); the number of cases per state afterwards, or None when the database
    already held cases (nothing added)."""
    if Case.objects.exists():
        return None
    users = {user.username: user for user in User.objects.filter(
        username__in=usernames)}
    now = timezone.now()
    # Oldest first, so references follow the order of receipt.
    for demo in sorted(DEMO_CASES, key=lambda demo: demo.received_ago, reverse=True):
        _seed_case(demo, users, now)
    by_state = dict(Case.objects.values_list("state").annotate(n=Count("pk")))
    return {state: by_state.get(state, 0) for state in State.values}
