"""A system check, and the start-up guard of web and worker processes, for the protections."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from protections.installing import missing

HINT = (
    "Run `manage.py migrate`: it reinstalls every missing database protection. "
    "If one keeps disappearing, something drops it (a table rebuild, a restore, a manual change)."
)


def _migrations_pending(using: str) -> bool:
    executor = MigrationExecutor(connections[using])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def describe_missing(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """One sentence per missing protection, naming it; empty when all are in place.

    While migrations are pending nothing is reported: ``migrate`` installs the protections as
    its last step, and refusing to run it would keep them out for good.
    """
    if _migrations_pending(using):
        return []
    return [
        f"Database protection missing on '{using}': {protection.name} ({protection.description})."
        for protection in missing(using)
    ]


@register(Tags.database)
def check_protections(
    app_configs: Iterable[Any] | None = None, databases: Iterable[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    # Database checks run only when asked for (`check --database default`, `migrate`).
    return [
        Error(message, hint=HINT, id="protections.E001")
        for using in (databases or ()) for message in describe_missing(using)
    ]


def verify_protections_or_stop(using: str = DEFAULT_DB_ALIAS) -> None:
    """Called by every web and worker process before it serves: no protection, no start."""
    problems = describe_missing(using)
    if problems:
        raise ImproperlyConfigured(" ".join([*problems, HINT]))
