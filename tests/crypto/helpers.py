"""Helpers of the encryption tests that know no model: fixed test keys and raw column access."""

from __future__ import annotations

import base64
from typing import TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def key_line(key_id: str, fill: int) -> str:
    """A fixed test key: 32 bytes of one value."""
    return f"{key_id}:{base64.b64encode(bytes([fill]) * 32).decode()}"


def key_b64(fill: int) -> str:
    return base64.b64encode(bytes([fill]) * 32).decode()


def fresh(instance: M) -> M:
    """The row as a new request would load it: a new instance, nothing cached."""
    return type(instance)._base_manager.get(pk=instance.pk)


def raw_column(model: type[models.Model], pk: object, column: str) -> bytes | None:
    """The stored bytes of one column, read with SQL (no model layer)."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s",  # noqa: S608
            [model._meta.pk.get_db_prep_value(pk, connection)],
        )
        value = cursor.fetchone()[0]
    return None if value is None else bytes(value)


def write_raw_column(
    model: type[models.Model], pk: object, column: str, value: bytes | None
) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",  # noqa: S608
            [value, model._meta.pk.get_db_prep_value(pk, connection)],
        )
