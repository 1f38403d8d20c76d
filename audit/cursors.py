"""Reading large result sets in constant memory, shared by verification and export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection

FETCH = 10_000


def server_side_rows(
    sql: str, params: Sequence[Any] = (), *, fetch: int = FETCH
) -> Iterator[tuple[Any, ...]]:
    """The rows of ``sql`` in batches of ``fetch`` from a server-side cursor on PostgreSQL
    (Django's chunked cursor; SQLite reads lazily anyway), so memory does not grow with them."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, list(params))
        while batch := cursor.fetchmany(fetch):
            yield from batch
