"""Appending one event to its stream's hash chain, in as few round trips as possible.

PostgreSQL: one call of ``audit_append`` (a PL/pgSQL function from migration 0003, so the
server caches its plan) runs one ``INSERT ... SELECT`` that reads the stream head through the
(stream, seq) index, computes seq, prev_hash and the SHA-256 in the database, and returns them.
No lock is taken: two writers that read the same head both try the same (stream, seq); the
unique constraint makes the second wait for the first to commit and then, through ``ON CONFLICT
DO NOTHING``, insert nothing instead of failing, so the function re-reads the new head (its next
statement sees it under READ COMMITTED) without a savepoint and without aborting the caller's
transaction. A caller holding the case's row lock never even gets there. The Python encoding in
``audit.chain`` stays the reference; tests assert both agree.

Other databases (SQLite for the demo): read the head, hash in Python, insert — inside a
transaction, which SQLite (``transaction_mode=IMMEDIATE``) serialises as a whole.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.db import DatabaseError, connections, transaction

from audit import chain
from audit.exceptions import AppendFailed
from audit.models import AuditEvent
from audit.validation import ValidEvent

# Each retry means another writer committed to the same stream meanwhile; hundreds in a row
# would mean something is wrong (e.g. a REPEATABLE READ caller that can never see the new head).
MAX_ATTEMPTS = 200

# The function (migration 0003) holds the INSERT ... SELECT; PL/pgSQL caches its plan.
_PG_APPEND = "SELECT * FROM audit_append(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"


def append(event: ValidEvent, *, timestamp: datetime, using: str = "default") -> AuditEvent:
    body = chain.event_body(
        stream=event.stream,
        ts_us=chain.timestamp_us(timestamp),
        actor_kind=event.actor_kind,
        actor_id=event.actor_id,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        changed_fields=event.changed_fields,
        detail=event.detail,
    )
    if connections[using].vendor == "postgresql":
        pk, seq, prev_hash, digest = _append_postgres(event, timestamp, body, using)
    else:
        pk, seq, prev_hash, digest = _append_generic(event, timestamp, body, using)
    row = AuditEvent(
        id=pk, stream=event.stream, seq=seq, timestamp=timestamp, actor_kind=event.actor_kind,
        actor_id=event.actor_id, action=event.action, target_type=event.target_type,
        target_id=event.target_id, changed_fields=event.changed_fields, detail=event.detail,
        prev_hash=prev_hash, hash=digest,
    )
    row._state.adding = False
    row._state.db = using
    return row


def _append_postgres(
    event: ValidEvent, timestamp: datetime, body: str, using: str
) -> tuple[int, int, str, str]:
    params: list[Any] = [
        event.stream, timestamp, event.actor_kind, event.actor_id, event.action,
        event.target_type, event.target_id, event.changed_fields, event.detail, body.encode(),
        MAX_ATTEMPTS,
    ]
    try:
        with connections[using].cursor() as cursor:
            cursor.execute(_PG_APPEND, params)
            # audit_append returns exactly one (id, seq, prev_hash, hash) row, or raises.
            return cast(tuple[int, int, str, str], cursor.fetchone())
    except DatabaseError as exc:
        if "could not append to stream" in str(exc):
            raise AppendFailed(
                f"Could not append to stream {event.stream} after {MAX_ATTEMPTS} tries."
            ) from exc
        raise


def _append_generic(
    event: ValidEvent, timestamp: datetime, body: str, using: str
) -> tuple[int, int, str, str]:
    with transaction.atomic(using=using):
        head = (
            AuditEvent.objects.using(using).filter(stream=event.stream)
            .order_by("-seq").values_list("seq", "hash").first()
        )
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, chain.GENESIS)
        digest = chain.event_hash(body, seq, prev_hash)
        row = AuditEvent(
            stream=event.stream, seq=seq, timestamp=timestamp, actor_kind=event.actor_kind,
            actor_id=event.actor_id, action=event.action, target_type=event.target_type,
            target_id=event.target_id, changed_fields=event.changed_fields,
            detail=event.detail, prev_hash=prev_hash, hash=digest,
        )
        row.save(using=using, force_insert=True)
    return row.pk, seq, prev_hash, digest
