"""Re-wrapping data keys under the newest key-encryption key (``manage.py rotate_keys``).

Only the wrapped data keys change; every value stays encrypted under its row's data key. Every
registered key owner (``crypto.registry``) is walked in turn. The work is done in short batches,
each its own transaction that locks its rows with ``SKIP LOCKED``: a row being changed right now
is skipped (and reported), never waited for, so the application keeps serving. Rows are walked
in primary-key order and selected by "key id is not the newest", so an interrupted run resumes
where it stopped, and a second run finds nothing. Each row is re-wrapped with a conditional
``UPDATE ... WHERE key_id = <old> AND wrapped_key = <old>``, so a concurrent change to its key
(a shredding) is never overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q

from crypto.canary import rewrap_canary
from crypto.envelope import rewrap
from crypto.keys import KeyRing, encryption_keyring
from crypto.registry import KeyOwner, key_owners


@dataclass(frozen=True)
class RotationResult:
    to_key: str
    rewrapped: int
    skipped_busy: int
    canary_rewrapped: bool


def _stale(newest: str) -> Q:
    # Destroyed keys (wrapped_key NULL) have nothing to re-wrap.
    return Q(wrapped_key__isnull=False) & ~Q(key_id=newest)


def _count_stale(newest: str, using: str) -> int:
    return sum(owner.rows(using).filter(_stale(newest)).count() for owner in key_owners())


def keys_to_rewrap(using: str = DEFAULT_DB_ALIAS) -> int:
    """How many stored data keys are not wrapped under the newest KEK."""
    return _count_stale(encryption_keyring().newest_id, using)


def rewrap_data_keys(
    *,
    batch_size: int = 500,
    using: str = DEFAULT_DB_ALIAS,
    progress: Callable[[int], None] | None = None,
) -> RotationResult:
    """Re-wrap every data key (then the canary) under the newest KEK.

    ``progress`` is called after each batch with the number re-wrapped so far. Raises
    DecryptionError (naming the row, never any key) if a data key does not open; the batch it
    was in is rolled back and earlier batches stay done.
    """
    ring = encryption_keyring()
    newest = ring.newest_id
    rewrapped = 0
    for owner in key_owners():
        rewrapped = _rewrap_owner(owner, ring=ring, done=rewrapped, batch_size=batch_size,
                                  using=using, progress=progress)
    busy = _count_stale(newest, using)
    # The canary moves last: while any row still needs the old key, the canary keeps
    # demanding it at start-up, so it cannot be removed from the configuration too early.
    canary_moved = rewrap_canary(using) if busy == 0 else False
    return RotationResult(
        to_key=newest, rewrapped=rewrapped, skipped_busy=busy, canary_rewrapped=canary_moved
    )


def _rewrap_owner(
    owner: KeyOwner,
    *,
    ring: KeyRing,
    done: int,
    batch_size: int,
    using: str,
    progress: Callable[[int], None] | None,
) -> int:
    """Re-wrap one key owner's stale keys; returns ``done`` plus how many were re-wrapped."""
    newest = ring.newest_id
    rows = owner.rows(using)
    after = None
    while True:
        with transaction.atomic(using=using):
            stale = rows.filter(_stale(newest))
            if after is not None:
                stale = stale.filter(pk__gt=after)
            batch = list(
                stale.select_for_update(skip_locked=True)
                .order_by("pk")
                .only("pk", "wrapped_key", "key_id")[:batch_size]
            )
            if not batch:
                return done
            changed = 0
            for row in batch:
                wrapped, key_id = rewrap(
                    row.wrapped_key, owner=row.key_owner_label, key_id=row.key_id, keyring=ring
                )
                # Only if the row still holds what was re-wrapped: a change made since it was
                # read (a shredding, another run) wins and is left as it is. PostgreSQL's row
                # lock already keeps such changes out; this holds without it (SQLite), too.
                changed += rows.filter(
                    pk=row.pk, key_id=row.key_id, wrapped_key=row.wrapped_key,
                    key_destroyed_at__isnull=True,
                ).update(wrapped_key=wrapped, key_id=key_id)
        done += changed
        after = batch[-1].pk
        if progress is not None:
            progress(done)
