"""Signed checkpoints over the heads of the audit streams.

A checkpoint lists the head (seq, hash) of every stream that moved since the previous
checkpoint, digests that list, and signs the digest together with the previous checkpoint's
hash. The chain of checkpoints therefore commits to the head of every stream without re-listing
millions of idle streams every fifteen minutes.

Candidates are the streams with events since the previous checkpoint minus a grace period: an
event is stamped before its transaction commits, and a transaction still open when the previous
checkpoint ran must not be missed. An event committed even later is simply covered by a later
checkpoint of its stream, or by ``audit_checkpoint --full``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from audit import actions, chain, signing
from audit.actors import Actor
from audit.models import SYSTEM_STREAM, AuditCheckpoint, AuditCheckpointHead
from audit.services import record

MESSAGE_PREFIX = "ombuds-audit-checkpoint/v1"
GRACE = timedelta(hours=1)
_BATCH = 2000
# Any constant will do; it only has to be the same for every checkpointer.
_ADVISORY_LOCK_KEY = 0x4155444954  # "AUDIT"


class HeadsDigest:
    """SHA-256 over the heads in stream order, built one head at a time (constant memory)."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.count = 0

    def add(self, stream: str, seq: int, digest: str) -> None:
        self._hash.update(f"{stream}{chain.SEP}{seq}{chain.SEP}{digest}\n".encode())
        self.count += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def checkpoint_message(
    *, seq: int, created_us: int, key_id: str, prev_hash: str, head_count: int,
    heads_digest: str,
) -> bytes:
    """The bytes that are signed; the checkpoint's hash is their SHA-256."""
    return chain.SEP.join(
        (MESSAGE_PREFIX, str(seq), str(created_us), key_id, prev_hash,
         str(head_count), heads_digest)
    ).encode()


def checkpoint_hash(message: bytes) -> str:
    return hashlib.sha256(message).hexdigest()


def _moved_heads_sql(*, since: datetime | None, exists_only: bool) -> tuple[str, list[Any]]:
    """Heads of candidate streams that are ahead of their last checkpointed head."""
    params: list[Any] = []
    touched = "SELECT DISTINCT stream FROM audit_auditevent"
    if since is not None:
        touched += ' WHERE "timestamp" >= %s'
        params.append(connection.ops.adapt_datetimefield_value(since))
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT s.stream, h.seq, h.hash FROM ({touched}) AS s "  # noqa: S608 - fixed SQL, values bound  # nosec B608
            "CROSS JOIN LATERAL (SELECT seq, hash FROM audit_auditevent AS e "
            "WHERE e.stream = s.stream ORDER BY seq DESC LIMIT 1) AS h "
            "WHERE h.seq > COALESCE((SELECT max(c.seq) FROM audit_auditcheckpointhead AS c "
            "WHERE c.stream = s.stream), 0)"
        )
    else:
        sql = (
            f"SELECT e.stream, e.seq, e.hash FROM audit_auditevent AS e WHERE e.stream IN "  # noqa: S608 - fixed SQL, values bound  # nosec B608
            f"({touched}) AND e.seq = (SELECT max(x.seq) FROM audit_auditevent AS x "
            "WHERE x.stream = e.stream) AND e.seq > COALESCE((SELECT max(c.seq) FROM "
            "audit_auditcheckpointhead AS c WHERE c.stream = e.stream), 0)"
        )
    sql += " LIMIT 1" if exists_only else " ORDER BY 1"
    return sql, params


def _moved_heads(since: datetime | None) -> Iterator[tuple[str, int, str]]:
    sql, params = _moved_heads_sql(since=since, exists_only=False)
    if connection.vendor != "postgresql":
        # SQLite would read the heads table while we insert into it; the demo's lists are short.
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            yield from cursor.fetchall()
        return
    # A server-side cursor reads from its own snapshot, unaffected by the inserts below.
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(_BATCH):
            yield from rows


def _anything_moved(since: datetime | None) -> bool:
    sql, params = _moved_heads_sql(since=since, exists_only=True)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


@transaction.atomic(durable=True)
def checkpoint_create(*, full: bool = False) -> AuditCheckpoint | None:
    """Sign the heads that moved since the last checkpoint; None when nothing moved.

    Idempotent: a second run with no new events creates nothing. ``full`` considers every
    stream instead of the recently active ones.
    """
    keyring = signing.keyring()
    if connection.vendor == "postgresql":
        # Two checkpointers at once would both claim the next seq; the second would fail late.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
    previous = AuditCheckpoint.objects.order_by("-seq").first()
    since = None if full or previous is None else previous.created_at - GRACE
    if not _anything_moved(since):
        return None
    seq = previous.seq + 1 if previous else 1
    # The event announcing this checkpoint is itself covered by it (the system stream's head),
    # so the next run finds nothing new and stays idle.
    record(
        stream=SYSTEM_STREAM, action=actions.AUDIT_CHECKPOINT, actor=Actor.system(),
        target_type="checkpoint", target_id=str(seq), detail={"checkpoint": seq},
    )
    digest = HeadsDigest()
    batch: list[AuditCheckpointHead] = []
    # Heads go in before their checkpoint row: the foreign key is checked at commit.
    for stream, head_seq, head_hash in _moved_heads(since):
        digest.add(stream, head_seq, head_hash)
        batch.append(
            AuditCheckpointHead(checkpoint_id=seq, stream=stream, seq=head_seq, hash=head_hash)
        )
        if len(batch) >= _BATCH:
            AuditCheckpointHead.objects.bulk_create(batch)
            batch.clear()
    AuditCheckpointHead.objects.bulk_create(batch)
    created_at = timezone.now()
    prev_hash = previous.hash if previous else chain.GENESIS
    heads_digest = digest.hexdigest()
    message = checkpoint_message(
        seq=seq, created_us=chain.timestamp_us(created_at), key_id=keyring.signing_key_id,
        prev_hash=prev_hash, head_count=digest.count, heads_digest=heads_digest,
    )
    key_id, signature = keyring.sign(message)
    try:
        with transaction.atomic():
            return AuditCheckpoint.objects.create(
                seq=seq, created_at=created_at, key_id=key_id, head_count=digest.count,
                heads_digest=heads_digest, prev_hash=prev_hash,
                hash=checkpoint_hash(message), signature=signature,
            )
    except IntegrityError:
        # Without PostgreSQL's advisory lock (SQLite serialises writers anyway) this can only be
        # a concurrent checkpointer that won; its checkpoint covers the same heads.
        transaction.set_rollback(True)
        return None
