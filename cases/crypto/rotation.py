"""Re-wrapping case data keys under the newest key-encryption key (``manage.py rotate_keys``).

Only the wrapped data keys change; every value stays encrypted under its case's data key. The
work is done in short batches, each its own transaction that locks its rows with
``SKIP LOCKED``: a case being changed right now is skipped (and reported), never waited for, so
the application keeps serving. Rows are walked in primary-key order and selected by "key id is
not the newest", so an interrupted run resumes where it stopped, and a second run finds nothing.
Each case is re-wrapped with a conditional ``UPDATE ... WHERE key_id = <old> AND wrapped_key =
<old>``, so a concurrent change to its key (a shredding) is never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q

from cases.crypto.canary import rewrap_canary
from cases.crypto.envelope import rewrap
from cases.crypto.keys import encryption_keyring


@dataclass(frozen=True)
class RotationResult:
    to_key: str
    rewrapped: int
    skipped_busy: int
    canary_rewrapped: bool


def _stale(newest: str) -> Q:
    # Destroyed keys (wrapped_key NULL) have nothing to re-wrap.
    return Q(wrapped_key__isnull=False) & ~Q(key_id=newest)


def cases_to_rewrap(using: str = DEFAULT_DB_ALIAS) -> int:
    from cases.models import Case

    return Case.objects.using(using).filter(_stale(encryption_keyring().newest_id)).count()


def rewrap_case_keys(
    *,
    batch_size: int = 500,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable[[int], None] | None = None,
) -> RotationResult:
    """Re-wrap every case data key (then the canary) under the newest KEK.

    Raises DecryptionError (naming the case, never any key) if a data key does not open; the
    batch it was in is rolled back and earlier batches stay done.
    """
    from cases.models import Case

    ring = encryption_keyring()
    newest = ring.newest_id
    rewrapped = 0
    after = None
    while True:
        with transaction.atomic(using=using):
            rows = Case.objects.using(using).filter(_stale(newest))
            if after is not None:
                rows = rows.filter(pk__gt=after)
            batch = list(
                rows.select_for_update(skip_locked=True)
                .order_by("pk")
                .only("pk", "wrapped_key", "key_id")[:batch_size]
            )
            if not batch:
                break
            changed = 0
            for case in batch:
                wrapped, key_id = rewrap(
                    case.wrapped_key, owner=case.key_owner_label, key_id=case.key_id, keyring=ring
                )
                # Only if the row still holds what was re-wrapped: a change made since it was
                # read (a shredding, another run) wins and is left as it is. PostgreSQL's row
                # lock already keeps such changes out; this holds without it (SQLite), too.
                changed += Case.objects.using(using).filter(
                    pk=case.pk, key_id=case.key_id, wrapped_key=case.wrapped_key,
                    key_destroyed_at__isnull=True,
                ).update(wrapped_key=wrapped, key_id=key_id)
        rewrapped += changed
        after = batch[-1].pk
        if progress is not None:
            progress(rewrapped)
    busy = Case.objects.using(using).filter(_stale(newest)).count()
    # The canary moves last: while any case still needs the old key, the canary keeps
    # demanding it at start-up, so it cannot be removed from the configuration too early.
    canary_moved = rewrap_canary(using) if busy == 0 else False
    return RotationResult(
        to_key=newest, rewrapped=rewrapped, skipped_busy=busy, canary_rewrapped=canary_moved
    )
