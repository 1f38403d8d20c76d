"""Appending one event to its stream's hash chain, in as few round trips as possible.

PostgreSQL: a single ``INSERT ... SELECT`` reads the stream head through the (stream, seq)
index, computes seq, prev_hash and the SHA-256 in the database, and returns them. No lock is
taken: two writers that read the same head both try the same (stream, seq); the unique
constraint makes the second wait for the first to commit and then, through ``ON CONFLICT DO
NOTHING``, insert nothing instead of failing, so it simply re-reads the new head (a new statement
sees it under READ COMMITTED) without a savepoint and without aborting its transaction. A
caller holding the case's row lock never even gets there. The Python encoding in
``audit.chain`` stays the reference; tests assert both agree.

Other databases (SQLite for the demo): read the head, hash in Python, insert — inside a
transaction, which SQLite (``transaction_mode=IMMEDIATE``) serialises as a whole.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connections, transaction

from audit import chain
from audit.exceptions import AppendFailed
from audit.models import AuditEvent
from audit.validation import ValidEvent

# Each retry means another writer committed to the same stream meanwhile; hundreds in a row
# would mean something is wrong (e.g. a REPEATABLE READ caller that can never see the new head).
MAX_ATTEMPTS = 200

_PG_APPEND = """
INSERT INTO audit_auditevent
    (stream, seq, "timestamp", actor_kind, actor_id, action, target_type, target_id,
     changed_fields, detail, prev_hash, hash)
SELECT %(stream)s, n.seq, %(timestamp)s, %(actor_kind)s, %(actor_id)s, %(action)s,
       %(target_type)s, %(target_id)s, %(changed_fields)s, %(detail)s, n.prev_hash,
       encode(sha256(%(body)s::bytea || convert_to(n.seq::text || chr(31) || n.prev_hash, 'UTF8')),
              'hex')
FROM (
    SELECT COALESCE(head.seq, 0) + 1 AS seq, COALESCE(head.hash, %(genesis)s) AS prev_hash
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (
        SELECT seq, hash FROM audit_auditevent WHERE stream = %(stream)s
        ORDER BY seq DESC LIMIT 1
    ) AS head ON TRUE
) AS n
ON CONFLICT (stream, seq) DO NOTHING
RETURNING id, seq, prev_hash, hash
"""


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
    params = {
        "stream": event.stream, "timestamp": timestamp, "actor_kind": event.actor_kind,
        "actor_id": event.actor_id, "action": event.action, "target_type": event.target_type,
        "target_id": event.target_id, "changed_fields": event.changed_fields,
        "detail": event.detail, "body": body.encode(), "genesis": chain.GENESIS,
    }
    with connections[using].cursor() as cursor:
        for _attempt in range(MAX_ATTEMPTS):
            cursor.execute(_PG_APPEND, params)
            returned = cursor.fetchone()
            if returned is not None:
                return returned
    raise AppendFailed(f"Could not append to stream {event.stream} after {MAX_ATTEMPTS} tries.")


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
