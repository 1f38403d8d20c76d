"""Small builders shared by the audit tests."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.db import connection

from audit import actions
from audit.actors import Actor
from audit.models import AuditEvent
from audit.services import record


def new_stream() -> str:
    return str(uuid.uuid4())


def add_events(stream: str, count: int) -> list[AuditEvent]:
    """``count`` events on one stream (call inside a transaction)."""
    return [
        record(stream=stream, action=actions.CASE_VIEWED if i else actions.CASE_CREATED,
               actor=Actor.system(), target_type="case", target_id=stream,
               fields=["state"] if i % 3 == 0 else (), detail={"n": i})
        for i in range(count)
    ]


def execute(sql: str, params: Sequence[int | str] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
