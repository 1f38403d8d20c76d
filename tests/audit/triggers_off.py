"""Helpers for tests only: act as a database owner who switches the append-only triggers off.

Kept under tests/ (it was audit/testing.py): it is no part of the application, which never
switches the triggers off. Tests use ``triggers_suspended`` to tamper with the trail the way an
attacker with owner rights could, and ``erase_audit_trail`` after transactional tests so that
the test runner's flush (TRUNCATE, refused on a non-empty audit table) can run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection as default_connection

from audit import triggers


@contextmanager
def triggers_suspended(
    tables: tuple[str, ...] = triggers.TABLES, connection: Any = default_connection
) -> Iterator[None]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # ALTER TABLE refuses while deferred foreign-key checks are pending in a test's
            # transaction; running them now is harmless.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            triggers.remove(connection, tables)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for table in tables:
                    for name in ("audit_append_only_row", "audit_append_only_statement"):
                        cursor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}")
            else:
                triggers.install(connection, tables)


def erase_audit_trail(connection: Any = default_connection) -> None:
    with triggers_suspended(connection=connection), connection.cursor() as cursor:
        for table in reversed(triggers.TABLES):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
