"""The canonical encoding of an audit event and of its hash.

One function defines the bytes that are hashed, and everything else (the PostgreSQL INSERT in
``audit.appending``, ``verify_audit``, the benchmark's bulk loader) must produce the same bytes.
The encoding joins fields with the ASCII unit separator: validation allows no control characters
in any field and detail is ASCII-only JSON, so the join is unambiguous. Sequence number and
previous hash come last because PostgreSQL learns them only inside the INSERT.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

VERSION = "v1"
SEP = "\x1f"
GENESIS = "0" * 64
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def timestamp_us(moment: datetime) -> int:
    """Microseconds since the epoch; naive values (SQLite hands those back) are UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - EPOCH) // MICROSECOND


def event_body(
    *,
    stream: str,
    ts_us: int,
    actor_kind: str,
    actor_id: str,
    action: str,
    target_type: str,
    target_id: str,
    changed_fields: str,
    detail: str,
) -> str:
    """Everything hashed except seq and prev_hash; ends with a separator."""
    return SEP.join(
        (VERSION, stream, str(ts_us), actor_kind, actor_id, action, target_type, target_id,
         changed_fields, detail, "")
    )


def event_hash(body: str, seq: int, prev_hash: str) -> str:
    return hashlib.sha256(f"{body}{seq}{SEP}{prev_hash}".encode()).hexdigest()
