"""Writing to the audit trail.

``record`` is for changes: call it inside the transaction that makes the change, so the event
and the change commit or roll back together. ``record_read`` is for reads (a case viewed, a
dossier downloaded, a search): views have no transaction, and one INSERT is all it costs.

Both append to a hash chain per stream (a case id, or ``system``); see ``audit.appending`` for
how appends to one stream are serialised without a global lock.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone

from audit import appending
from audit.actors import Actor
from audit.exceptions import NotInTransaction
from audit.models import SYSTEM_STREAM, AuditEvent
from audit.validation import validate

__all__ = ["SYSTEM_STREAM", "record", "record_read"]

DetailValue = str | int | bool | None


def record(
    *,
    stream: str,
    action: str,
    actor: Actor,
    target_type: str,
    target_id: str,
    fields: Sequence[str] = (),
    detail: Mapping[str, DetailValue] | None = None,
) -> AuditEvent:
    """Append an event for a change, inside the caller's transaction.

    ``fields`` names the changed fields (names only, never values); ``detail`` is a small flat
    mapping of tokens (see ``audit.validation``). Raises ``NotInTransaction`` outside a
    transaction: an event committed without its change, or a change without its event, would
    make the trail lie.
    """
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction(
            "audit.services.record must run inside the transaction of the change it records."
        )
    event = validate(
        stream=stream, action=action, actor=actor, target_type=target_type,
        target_id=target_id, fields=fields, detail=detail,
    )
    return appending.append(event, timestamp=timezone.now())


def record_read(
    *,
    stream: str,
    action: str,
    actor: Actor,
    target_type: str,
    target_id: str,
    detail: Mapping[str, DetailValue] | None = None,
) -> AuditEvent:
    """Append an event for a read; works with or without a surrounding transaction.

    On PostgreSQL this is exactly one INSERT statement (one round trip).
    """
    event = validate(
        stream=stream, action=action, actor=actor, target_type=target_type,
        target_id=target_id, fields=(), detail=detail,
    )
    return appending.append(event, timestamp=timezone.now())
