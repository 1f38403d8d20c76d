"""Eight concurrent writers, each with its own PostgreSQL connection, leave valid chains."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from audit import actions
from audit.actors import Actor
from audit.models import AuditEvent
from audit.services import record, record_read
from audit.verification import verify
from tests.audit.helpers import new_stream

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WRITERS = 8
EVENTS_PER_WRITER = 25


def _run_writers(work: Callable[[int], None]) -> None:
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            barrier.wait()
            work(number)
        except BaseException as exc:  # surfaced in the main thread below
            errors.append(exc)
        finally:
            connection.close()  # each thread had its own connection

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors


def _change(stream: str, number: int) -> None:
    with transaction.atomic():
        record(stream=stream, action=actions.CASE_UPDATED, actor=Actor.system(),
               target_type="case", target_id=stream, fields=["state"],
               detail={"writer": number})
        # Hold the transaction open a little, as a real service would, to provoke races.
        time.sleep(random.random() / 500)


def _read(stream: str, number: int) -> None:
    record_read(stream=stream, action=actions.CASE_VIEWED, actor=Actor.system(),
                target_type="case", target_id=stream, detail={"writer": number})


def _assert_gapless(stream: str, expected: int) -> None:
    seqs = list(AuditEvent.objects.filter(stream=stream).order_by("seq")
                .values_list("seq", flat=True))
    assert seqs == list(range(1, expected + 1))


def test_writers_on_different_streams(clean_audit_trail: None) -> None:
    streams = [new_stream() for _ in range(WRITERS)]

    def work(number: int) -> None:
        for i in range(EVENTS_PER_WRITER):
            (_change if i % 2 else _read)(streams[number], number)

    _run_writers(work)
    for stream in streams:
        _assert_gapless(stream, EVENTS_PER_WRITER)
    report = verify()
    assert report.ok, report.problems
    assert report.events == WRITERS * EVENTS_PER_WRITER


def test_writers_on_one_stream(clean_audit_trail: None) -> None:
    stream = new_stream()

    def work(number: int) -> None:
        for i in range(EVENTS_PER_WRITER):
            (_change if (i + number) % 2 else _read)(stream, number)

    _run_writers(work)
    _assert_gapless(stream, WRITERS * EVENTS_PER_WRITER)
    per_writer = [
        AuditEvent.objects.filter(stream=stream, detail=f'{{"writer":{n}}}').count()
        for n in range(WRITERS)
    ]
    assert per_writer == [EVENTS_PER_WRITER] * WRITERS
    report = verify()
    assert report.ok, report.problems
