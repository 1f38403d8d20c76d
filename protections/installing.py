"""Install the missing protections and report the ones that are still missing."""

from __future__ import annotations

import logging

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from protections.registry import Protection, registered

logger = logging.getLogger(__name__)


def missing(using: str = DEFAULT_DB_ALIAS) -> list[Protection]:
    """Protections whose tables exist but which are absent, disabled or altered."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())  # one catalogue query for all
    return [
        protection for protection in registered()
        if set(protection.tables) <= existing and not protection.intact(connection)
    ]


def install_missing(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """(Re)install every protection that is missing; returns their names.

    Idempotent: an intact protection is left alone, so running it after every ``migrate``
    costs a few catalogue queries and no DDL.
    """
    connection = connections[using]
    installed = []
    for protection in missing(using):
        with transaction.atomic(using=using):
            protection.install(connection)
        installed.append(protection.name)
        logger.info("Database protection installed: %s", protection.name)
    return installed


def install_after_migrate(using: str = DEFAULT_DB_ALIAS, **kwargs: object) -> None:
    """``post_migrate`` receiver: the last word of every ``migrate`` (and test-database flush)."""
    install_missing(using)
