"""Audit trail: append throughput against a plain INSERT, and verify_audit speed.

Appends are measured against an INSERT into an unchained table of the same shape (same columns,
indexes and unique constraint, no triggers) in the same run: the ratio is the price of the hash
chain. Verification runs over 1M events loaded by COPY with correct hashes, against a scan of the
same rows that does no hashing. PostgreSQL only (the demo's SQLite is not what scales).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.common import Result, bench_database

WRITERS = 8
EVENTS_ONE_WRITER = 3000
EVENTS_PER_WRITER = 600
VERIFY_EVENTS = 1_000_000
VERIFY_STREAMS = 10_000
HASH = "ab" * 32

_PLAIN_INSERT = (
    'INSERT INTO bench_plain_event (stream, seq, "timestamp", actor_kind, actor_id, action, '
    "target_type, target_id, changed_fields, detail, prev_hash, hash) "
    "VALUES (%s, %s, now(), 'user', '7', 'case.viewed', 'case', %s, '', '{}', %s, %s)"
)


def _stream(n: int) -> str:
    return f"{n:08x}-0000-4000-8000-000000000000"


def _in_threads(writers: int, work: Callable[[int], None]) -> float:
    """Wall time of ``writers`` threads, each with its own connection, running work(n)."""
    from django.db import connection

    barrier = threading.Barrier(writers + 1)
    errors: list[BaseException] = []

    def run(number: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait()
            work(number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


def _appends(*, writers: int, per_writer: int, one_stream: bool, in_transaction: bool,
             chained: bool, offset: int) -> float:
    """Events per second."""
    from django.db import connection, transaction

    from audit import actions
    from audit.actors import Actor
    from audit.services import record, record_read

    seqs = itertools.count(1)  # plain table, one stream: unique seqs (next() is atomic)

    def work(number: int) -> None:
        stream = _stream(offset if one_stream else offset + number)
        for i in range(per_writer):
            if chained:
                arguments: dict[str, Any] = {"stream": stream, "action": actions.CASE_VIEWED,
                             "actor": Actor.system(), "target_type": "case", "target_id": stream}
                if in_transaction:
                    with transaction.atomic():
                        record(**arguments)
                else:
                    record_read(**arguments)
            else:
                seq = next(seqs) if one_stream else i + 1
                if in_transaction:
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.execute(_PLAIN_INSERT, [stream, seq, stream, HASH, HASH])
                else:
                    with connection.cursor() as cursor:
                        cursor.execute(_PLAIN_INSERT, [stream, seq, stream, HASH, HASH])

    return writers * per_writer / _in_threads(writers, work)


def _append_results() -> list[Result]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_plain_event (LIKE audit_auditevent INCLUDING ALL)")
    cases = [
        ("append, 1 writer, read log (autocommit)", 1, EVENTS_ONE_WRITER, False, False),
        ("append, 1 writer, in a transaction", 1, EVENTS_ONE_WRITER, False, True),
        ("append, 8 writers, 8 streams, read log", WRITERS, EVENTS_PER_WRITER, False, False),
        ("append, 8 writers, 8 streams, in transactions", WRITERS, EVENTS_PER_WRITER, False,
         True),
        ("append, 8 writers, one stream, in transactions", WRITERS, EVENTS_PER_WRITER, True,
         True),
    ]
    results = []
    offset = 1_000_000
    _appends(writers=1, per_writer=300, one_stream=False, in_transaction=False, chained=True,
             offset=offset)  # warm up: connections, plans, caches
    for measure, writers, per_writer, one_stream, in_transaction in cases:
        rates = {}
        for chained in (False, True):
            offset += 100
            rates[chained] = _appends(writers=writers, per_writer=per_writer,
                                      one_stream=one_stream, in_transaction=in_transaction,
                                      chained=chained, offset=offset)
        ratio = rates[True] / rates[False]
        # One stream is serial by design (a chain has one head); reported, not targeted.
        target, met = ("", None) if one_stream else (">= 0.5x baseline", ratio >= 0.5)
        results.append(Result("audit", measure, rates[True], "events/s",
                              "plain INSERT, same table shape", rates[False], target, met))
    return results


def bulk_load(events: int, streams: int) -> None:
    """COPY ``events`` correctly chained events spread over ``streams`` streams."""
    from django.db import connection

    from audit import chain

    base = datetime(2026, 1, 1, tzinfo=UTC)
    per_stream = events // streams
    detail = '{"n":1}'
    with connection.cursor() as cursor, cursor.cursor.copy(
        'COPY audit_auditevent (stream, seq, "timestamp", actor_kind, actor_id, action, '
        "target_type, target_id, changed_fields, detail, prev_hash, hash) FROM STDIN"
    ) as copy:
        lines: list[str] = []
        for s in range(streams):
            stream = _stream(s)
            prev = chain.GENESIS
            for seq in range(1, per_stream + 1):
                moment = base + timedelta(seconds=s * per_stream + seq, microseconds=seq)
                body = chain.event_body(
                    stream=stream, ts_us=chain.timestamp_us(moment), actor_kind="user",
                    actor_id="7", action="case.viewed", target_type="case", target_id=stream,
                    changed_fields="state", detail=detail,
                )
                digest = chain.event_hash(body, seq, prev)
                lines.append(f"{stream}\t{seq}\t{moment.isoformat()}\tuser\t7\tcase.viewed\t"
                             f"case\t{stream}\tstate\t{detail}\t{prev}\t{digest}\n")
                prev = digest
            if len(lines) >= 20_000:
                copy.write("".join(lines))
                lines.clear()
        copy.write("".join(lines))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audit_auditevent")


def _verify_results() -> list[Result]:
    from django.db import connection

    from audit.checkpoints import checkpoint_create
    from audit.verification import verify

    started = time.perf_counter()
    bulk_load(VERIFY_EVENTS, VERIFY_STREAMS)
    checkpoint_create(full=True)
    setup = time.perf_counter() - started

    def fetch_only() -> int:
        count = 0
        with connection.chunked_cursor() as cursor:
            cursor.execute(
                'SELECT stream, seq, (EXTRACT(EPOCH FROM "timestamp") * 1000000)::bigint, '
                "actor_kind, actor_id, action, target_type, target_id, changed_fields, detail, "
                "prev_hash, hash FROM audit_auditevent ORDER BY stream, seq"
            )
            while rows := cursor.fetchmany(10_000):
                count += len(rows)
        return count

    fetch_only()  # warm the buffer cache for both runs alike
    started = time.perf_counter()
    scanned = fetch_only()
    scan_rate = scanned / (time.perf_counter() - started)
    started = time.perf_counter()
    report = verify()
    verify_rate = report.events / (time.perf_counter() - started)
    if not report.ok:
        raise AssertionError(f"bulk-loaded trail does not verify: {report.problems[:3]}")
    return [
        Result("audit", f"verify_audit over {report.events:,} events", verify_rate, "events/s",
               "same scan without hashing", scan_rate, ">= 200,000 events/s",
               verify_rate >= 200_000),
        Result("audit", "set-up: hash + COPY 1M events, full checkpoint", setup, "s"),
    ]


def run() -> list[Result]:
    from django.db import connection

    if connection.vendor != "postgresql":
        print("bench_audit: needs PostgreSQL (DATABASE_URL); skipped.")
        return []
    with bench_database():
        results = _append_results()
    with bench_database():
        return results + _verify_results()
