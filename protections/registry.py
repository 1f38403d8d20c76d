"""Database-level protections: what each one is, how to install it, how to tell it is intact.

A protection (a trigger that keeps the audit trail append-only, one that keeps a destroyed case
destroyed, anything later) lives in the database, outside Django's model state. A migration that
installs it once is not enough: on SQLite most ``AlterField``s rebuild the table and silently drop
its triggers, and a restore or a hand-made change can lose one too. So the app that owns a table
*registers* its protections here (from its ``AppConfig.ready``); this app installs every missing
one after each ``migrate`` and refuses to start a web or worker process while one is missing.

This app imports no other app of the project: owners hand it plain callables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# A DB-API connection wrapper as Django hands it out (``django.db.connections[alias]``).
Connection = Any


@dataclass(frozen=True)
class Protection:
    """One protection, named as operators will read it in an error message.

    ``intact(connection)`` answers whether it is present *and unaltered*; ``install(connection)``
    (re)creates it and must be safe to call when a stale or partial version exists. ``tables``
    are the tables it needs: while one of them does not exist yet (a fresh database part-way
    through ``migrate``), the protection is neither installed nor reported missing.
    """

    name: str
    description: str
    tables: tuple[str, ...]
    intact: Callable[[Connection], bool]
    install: Callable[[Connection], None]


_registry: dict[str, Protection] = {}


def register(protection: Protection) -> None:
    """Add a protection; registering the same name again replaces it (app reloads in tests)."""
    _registry[protection.name] = protection


def registered() -> list[Protection]:
    return sorted(_registry.values(), key=lambda p: p.name)


def execute_for_vendor(connection: Connection, statements: dict[str, list[str]], what: str
                       ) -> None:
    """Run the statements written for this database's vendor; refuse a vendor with none (a
    protection must never silently not exist)."""
    chosen = statements.get(connection.vendor)
    if chosen is None:
        raise NotImplementedError(f"No {what} for {connection.vendor}.")
    with connection.cursor() as cursor:
        for statement in chosen:
            cursor.execute(statement)
