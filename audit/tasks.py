"""Celery tasks of the audit app (thin: they call services)."""

from __future__ import annotations

from celery import shared_task

from audit.checkpoints import checkpoint_create


@shared_task(acks_late=True, ignore_result=True)
def audit_checkpoint() -> int | None:
    """Sign the stream heads that moved; idle when nothing did, so retries and overlaps are safe.

    Returns the new checkpoint's seq (None when nothing moved), for logs and tests.
    """
    checkpoint = checkpoint_create()
    return checkpoint.seq if checkpoint is not None else None
