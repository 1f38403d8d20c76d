"""Celery tasks of the audit app (thin: they call services)."""

from __future__ import annotations

from celery import shared_task

from audit.checkpoints import checkpoint_create


# Celery ships no type information, so mypy sees its decorator as untyped.
@shared_task(acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def audit_checkpoint(full: bool = False) -> int | None:
    """Sign the stream heads that moved; idle when nothing did, so retries and overlaps are safe.

    Beat runs it every 15 minutes (recently active streams only) and once a day with
    ``full=True``: a transaction that stayed open longer than ``checkpoints.GRACE`` stamps its
    events before the window the incremental run looks at, and on a stream that never moves
    again only a full run covers them. Returns the new checkpoint's seq (None when nothing
    moved), for logs and tests.
    """
    checkpoint = checkpoint_create(full=bool(full))
    return checkpoint.seq if checkpoint is not None else None
