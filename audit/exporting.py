"""Checkpoints as JSON lines, for storage outside the database (and ``verify_audit --against``)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from audit import chain
from audit.cursors import server_side_rows

# Each checkpoint row becomes a JSON line with all its heads: smaller batches than verifying.
_FETCH = 2000
_HEADS_SQL = (
    "SELECT checkpoint_seq, stream, seq, hash FROM audit_auditcheckpointhead "
    "WHERE checkpoint_seq > %s ORDER BY checkpoint_seq, stream"
)
_CHECKPOINTS_SQL = (
    "SELECT seq, created_at, key_id, head_count, heads_digest, prev_hash, hash, signature "
    "FROM audit_auditcheckpoint WHERE seq > %s ORDER BY seq"
)


def export_lines(*, since: int = 0) -> Iterator[str]:
    """One JSON object per checkpoint with seq > since, heads included, in seq order."""
    heads = server_side_rows(_HEADS_SQL, [since], fetch=_FETCH)
    head = next(heads, None)
    checkpoints = server_side_rows(_CHECKPOINTS_SQL, [since], fetch=_FETCH)
    for seq, created_at, key_id, head_count, heads_digest, prev_hash, digest, signature in (
        checkpoints
    ):
        listed = []
        while head is not None and head[0] <= seq:
            if head[0] == seq:
                listed.append([head[1], head[2], head[3]])
            head = next(heads, None)
        yield json.dumps({
            "seq": seq,
            "created_at": created_at.isoformat(),
            "created_us": chain.timestamp_us(created_at),
            "key_id": key_id,
            "prev_hash": prev_hash,
            "head_count": head_count,
            "heads_digest": heads_digest,
            "hash": digest,
            "signature": signature,
            "heads": listed,
        }, separators=(",", ":"))
