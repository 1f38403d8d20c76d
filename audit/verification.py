"""Recompute every hash chain and check every checkpoint: the engine of ``verify_audit``.

Two passes, each a merge of server-side cursors ordered the same way, so memory stays constant
however long the trail is:

1. events ordered by (stream, seq), merged with checkpoint heads ordered by (stream, seq):
   each event must follow its predecessor without a gap, link to its hash, and hash to its
   stored hash; each checkpointed head must still be there with the same hash (which catches a
   truncated tail, a deleted stream, or a whole chain recomputed by someone without the key);
2. checkpoints ordered by seq, merged with their heads: contiguous, chained, digest, hash and
   Ed25519 signature under a configured key.

Streams sort bytewise in both databases (``audit.fields``), so Python may compare them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import connection, transaction

from audit import chain, signing, triggers
from audit.checkpoints import GRACE, HeadsDigest, checkpoint_hash, checkpoint_message
from audit.cursors import server_side_rows

PROGRESS_EVERY = 1 << 16
MAX_LISTED = 100

_EVENT_COLUMNS = (
    "stream, seq, {timestamp}, actor_kind, actor_id, action, target_type, target_id, "
    "changed_fields, detail, prev_hash, hash"
)
# Loading a timestamptz into a datetime costs more than hashing the whole event, so PostgreSQL
# hands over the microseconds directly (exact: EXTRACT returns numeric since PostgreSQL 14).
_PG_TIMESTAMP_US = """(EXTRACT(EPOCH FROM "timestamp") * 1000000)::bigint"""
_STREAM_HEADS_SQL = "SELECT stream, seq, hash, checkpoint_seq FROM audit_auditcheckpointhead"
_CHECKPOINTS_SQL = (
    "SELECT seq, created_at, key_id, head_count, heads_digest, prev_hash, hash, signature "
    "FROM audit_auditcheckpoint ORDER BY seq"
)
_CHECKPOINT_HEADS_SQL = (
    "SELECT checkpoint_seq, stream, seq, hash FROM audit_auditcheckpointhead "
    "ORDER BY checkpoint_seq, stream"
)


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Report:
    """Problems are breaks (evidence of tampering); warnings are gaps in checkpoint coverage:
    stream heads that no checkpoint covers although they are old enough that one should
    have. An uncovered tail is not evidence of anything, but it is not protected either: it
    could be cut off without a trace. ``ok`` means no break; ``complete`` means no gap."""

    events: int = 0
    streams: int = 0
    checkpoints: int = 0
    heads: int = 0
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    warning_count: int = 0
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def complete(self) -> bool:
        return self.warning_count == 0

    def add(self, where: str, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_LISTED:
            self.problems.append(Problem(where, message))

    def warn(self, where: str, message: str) -> None:
        self.warning_count += 1
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(Problem(where, message))


def verify(
    *, stream: str | None = None, progress: Callable[[int], None] | None = None
) -> Report:
    """Verify the whole trail (or one stream's chain, plus all checkpoints)."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # One snapshot for all cursors: a checkpoint committed mid-run must not point at
        # events the event cursor cannot see.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            return _verify(stream, progress)
    return _verify(stream, progress)


def _verify(stream: str | None, progress: Callable[[int], None] | None) -> Report:
    report = Report()
    for table in triggers.missing(connection):
        report.add(table, "the append-only triggers are missing, disabled or altered")
    _verify_events(report, stream, progress, _coverage_deadline())
    _verify_checkpoints(report)
    return report


def _coverage_deadline() -> tuple[int, int] | None:
    """(newest checkpoint's seq, its creation minus GRACE in µs), or None without checkpoints.

    A stream head stamped before that moment should be covered by some checkpoint: the
    newest one looked at everything stamped since the previous one minus GRACE, and every
    checkpoint before it likewise. A head older than the deadline and still uncovered was
    committed more than GRACE after it was stamped, and only ``audit_checkpoint --full``
    covers it (the daily full run does).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT seq, created_at FROM audit_auditcheckpoint ORDER BY seq DESC LIMIT 1"
        )
        newest = cursor.fetchone()
    if newest is None:
        return None
    return newest[0], chain.timestamp_us(newest[1] - GRACE)


def _verify_events(
    report: Report, only_stream: str | None, progress: Callable[[int], None] | None,
    deadline: tuple[int, int] | None = None,
) -> None:
    where, params = ("", []) if only_stream is None else (" WHERE stream = %s", [only_stream])
    on_postgres = connection.vendor == "postgresql"
    columns = _EVENT_COLUMNS.format(timestamp=_PG_TIMESTAMP_US if on_postgres else '"timestamp"')
    # Fixed column list and WHERE text; the stream is a bound parameter.
    sql = f"SELECT {columns} FROM audit_auditevent{where} ORDER BY stream, seq"  # noqa: S608  # nosec B608
    events = server_side_rows(sql, params)
    if not on_postgres:
        events = _with_timestamp_us(events)
    heads = server_side_rows(f"{_STREAM_HEADS_SQL}{where} ORDER BY stream, seq", params)
    head = next(heads, None)

    # Local names: this loop runs millions of times.
    sha256 = hashlib.sha256
    sep, version, genesis = chain.SEP, chain.VERSION, chain.GENESIS
    add = report.add
    current: str | None = None
    prefix = ""
    expected_seq, expected_prev = 1, genesis
    count = 0
    next_progress = PROGRESS_EVERY
    covered = 0  # the current stream's highest seq that a checkpoint head matched
    last_ts = 0
    newest_checkpoint, deadline_us = deadline if deadline is not None else (0, None)

    def check_coverage() -> None:
        """At the end of a stream: warn when its head is old but no checkpoint covers it."""
        last_seq = expected_seq - 1
        if (
            deadline_us is not None and current is not None and covered < last_seq
            and last_ts < deadline_us
            # A checkpointed head beyond the last event is a truncated tail, reported below.
            and (head is None or head[0] != current)
        ):
            stamped = chain.EPOCH + last_ts * chain.MICROSECOND
            report.warn(
                f"stream {current}",
                f"head seq {last_seq} (stamped {stamped:%Y-%m-%d %H:%M:%S} UTC) is not covered "
                f"by any checkpoint, though checkpoint {newest_checkpoint} was signed more than "
                f"{_hours(GRACE)} later: committed late; run manage.py audit_checkpoint --full",
            )

    def heads_before(stream: str | None, last_seq: int) -> None:
        """Report checkpointed heads that no event answers, up to (not including) stream."""
        nonlocal head
        while head is not None and (stream is None or head[0] < stream):
            if head[0] == current:
                add(f"stream {head[0]}",
                    f"ends at seq {last_seq} but checkpoint {head[3]} recorded seq {head[1]}: "
                    "truncated tail (events deleted)")
            else:
                add(f"stream {head[0]}",
                    f"checkpoint {head[3]} recorded seq {head[1]}, but the stream has no events: "
                    "stream deleted")
            report.heads += 1
            head = next(heads, None)

    for (stream, seq, ts_us, actor_kind, actor_id, action, target_type, target_id,
         changed_fields, detail, prev_hash, stored_hash) in events:
        if stream != current:
            check_coverage()
            if head is not None and head[0] <= stream:
                heads_before(stream, expected_seq - 1)
            current = stream
            report.streams += 1
            prefix = f"{version}{sep}{stream}{sep}"
            expected_seq, expected_prev = 1, genesis
            covered = 0
        if seq != expected_seq:
            add(f"stream {stream} seq {seq}",
                f"seq {expected_seq}..{seq - 1} missing: events deleted")
        elif prev_hash != expected_prev:
            add(f"stream {stream} seq {seq}",
                "prev_hash does not match the previous event: events reordered or rewritten")
        # Must equal chain.event_body + chain.event_hash (inlined for speed; tests compare).
        text = (
            f"{prefix}{ts_us}{sep}{actor_kind}{sep}{actor_id}{sep}"
            f"{action}{sep}{target_type}{sep}{target_id}{sep}{changed_fields}{sep}{detail}{sep}"
            f"{seq}{sep}{prev_hash}"
        )
        if sha256(text.encode()).hexdigest() != stored_hash:
            add(f"stream {stream} seq {seq}", "content does not match its hash: event modified")
        if head is not None and head[0] == stream:
            while head is not None and head[0] == stream and head[1] < seq:
                add(f"stream {stream} seq {head[1]}",
                    f"checkpointed by checkpoint {head[3]} but missing: events deleted")
                report.heads += 1
                head = next(heads, None)
            if head is not None and head[0] == stream and head[1] == seq:
                if head[2] != stored_hash:
                    add(f"stream {stream} seq {seq}",
                        f"differs from checkpoint {head[3]}: chain rewritten after checkpointing")
                covered = seq
                report.heads += 1
                head = next(heads, None)
        expected_seq, expected_prev, last_ts = seq + 1, stored_hash, ts_us
        count += 1
        if progress is not None and count >= next_progress:
            progress(count)
            next_progress += PROGRESS_EVERY
    check_coverage()
    heads_before(None, expected_seq - 1)
    report.events = count
    if progress is not None:
        progress(count)


def _hours(delta: timedelta) -> str:
    hours = delta / timedelta(hours=1)
    return f"{hours:g} hour" + ("" if hours == 1 else "s")


def _with_timestamp_us(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    timestamp_us = chain.timestamp_us
    for row in rows:
        yield (row[0], row[1], timestamp_us(row[2]), *row[3:])


def _verify_checkpoints(report: Report) -> None:
    keyring = signing.keyring()
    heads = server_side_rows(_CHECKPOINT_HEADS_SQL, [])
    head = next(heads, None)
    expected_seq, expected_prev = 1, chain.GENESIS
    for (seq, created_at, key_id, head_count, heads_digest, prev_hash, stored_hash,
         signature) in server_side_rows(_CHECKPOINTS_SQL, []):
        where = f"checkpoint {seq}"
        digest = HeadsDigest()
        while head is not None and head[0] <= seq:
            if head[0] < seq:
                report.add(f"checkpoint {head[0]}", "has heads but no checkpoint row")
            else:
                digest.add(head[1], head[2], head[3])
            head = next(heads, None)
        if seq != expected_seq:
            report.add(where, f"checkpoint {expected_seq}..{seq - 1} missing: deleted")
        elif prev_hash != expected_prev:
            report.add(where, "prev_hash does not match the previous checkpoint")
        if digest.count != head_count or digest.hexdigest() != heads_digest:
            report.add(where, "its heads do not match their digest: heads modified or deleted")
        message = checkpoint_message(
            seq=seq, created_us=chain.timestamp_us(created_at), key_id=key_id,
            prev_hash=prev_hash, head_count=head_count, heads_digest=heads_digest,
        )
        if checkpoint_hash(message) != stored_hash:
            report.add(where, "content does not match its hash: checkpoint modified")
        if key_id not in keyring.public_keys:
            report.add(where, f"signed with key {_shown_key_id(key_id)}, which is not configured")
        elif not keyring.verify(key_id, message, signature):
            report.add(where, "signature is invalid: checkpoint forged or modified")
        expected_seq, expected_prev = seq + 1, stored_hash
        report.checkpoints += 1
    while head is not None:
        report.add(f"checkpoint {head[0]}", "has heads but no checkpoint row")
        head = next(heads, None)


_SHOWN_KEY_ID = re.compile(r"[A-Za-z0-9._\-]{1,32}")


def _shown_key_id(key_id: object) -> str:
    """A key id as it may appear in a report: one that could be key material is not shown."""
    if isinstance(key_id, str) and _SHOWN_KEY_ID.fullmatch(key_id):
        return key_id
    return "<an id that is not shown: not 1-32 letters, digits or ._->"


def parse_export(report: Report, text_lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """The JSON objects of an export file; a damaged line is a problem, its text is not shown."""
    for number, text in enumerate(text_lines, start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
        except ValueError:
            line = None
        if not isinstance(line, dict):
            report.add(f"export line {number}", "is not a JSON object: the export is damaged")
            continue
        yield line


def compare_with_export(report: Report, exported: Iterable[dict[str, Any]]) -> None:
    """Check checkpoints exported earlier (``audit_export_checkpoints``) against the database.

    The export lives elsewhere, so this catches what the database alone cannot: deleted recent
    checkpoints, or a checkpoint chain replaced by someone who also stole the signing key.
    """
    keyring = signing.keyring()
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, hash FROM audit_auditcheckpoint")
        stored = dict(cursor.fetchall())
    for number, line in enumerate(exported, start=1):
        seq = line.get("seq")
        if type(seq) is not int:  # not even a bool: anything else is not echoed
            report.add(f"export entry {number}", "has no integer seq: the export is damaged")
            continue
        where = f"exported checkpoint {seq}"
        if seq not in stored:
            report.add(where, "is missing from the database: checkpoints deleted")
        elif stored[seq] != line.get("hash"):
            report.add(where, "differs from the database's copy: checkpoint chain replaced")
        if not export_line_verifies(line, keyring):
            report.add(where, "the exported copy itself does not verify")


def export_line_verifies(line: dict[str, Any], keyring: signing.Keyring) -> bool:
    """An exported checkpoint is self-contained: its heads, digest, hash and signature agree."""
    try:
        digest = HeadsDigest()
        for stream, seq, head_hash in line["heads"]:
            digest.add(str(stream), int(seq), str(head_hash))
        message = checkpoint_message(
            seq=int(line["seq"]), created_us=int(line["created_us"]), key_id=str(line["key_id"]),
            prev_hash=str(line["prev_hash"]), head_count=int(line["head_count"]),
            heads_digest=str(line["heads_digest"]),
        )
    except (KeyError, TypeError, ValueError):
        return False
    return (
        digest.count == line["head_count"]
        and digest.hexdigest() == line["heads_digest"]
        and checkpoint_hash(message) == line.get("hash")
        and keyring.verify(str(line["key_id"]), message, str(line.get("signature")))
    )
