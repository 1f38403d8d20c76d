"""Fixtures for the encryption tests: key helpers, cases, and a probe model.

``ProbeNote`` stands for the later case-owned models (notes, messages, attachments): it reaches
its case's data key through ``encryption_key_path`` and has one field of every encrypted kind.
It is registered under an app label that is not installed, so migrations, ``makemigrations
--check`` and flushes never see it; its table is created once per session and dropped after.
Its foreign key has no database constraint, so truncating cases is never blocked by it.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, models

from cases.models import Case
from crypto.fields import EncryptedBytesField, EncryptedJSONField, EncryptedTextField


class ProbeNote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+")
    body = EncryptedTextField(null=True)
    summary = EncryptedTextField(null=True)
    data = EncryptedJSONField(null=True)
    blob = EncryptedBytesField(null=True)

    encryption_key_path = "case"

    class Meta:
        app_label = "cryptoprobe"
        db_table = "cryptoprobe_note"

    def __str__(self) -> str:
        return str(self.pk)


PROBE_MODELS = (ProbeNote,)


def key_line(key_id: str, fill: int) -> str:
    """A fixed test key: 32 bytes of one value."""
    return f"{key_id}:{base64.b64encode(bytes([fill]) * 32).decode()}"


def key_b64(fill: int) -> str:
    return base64.b64encode(bytes([fill]) * 32).decode()


def _drop_probe_tables() -> None:
    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in PROBE_MODELS:
            if model._meta.db_table in existing:
                editor.delete_model(model)


@pytest.fixture(scope="session")
def probe_tables(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        _drop_probe_tables()  # left over from an interrupted --reuse-db run
        with connection.schema_editor() as editor:
            for model in PROBE_MODELS:
                editor.create_model(model)
    yield
    with django_db_blocker.unblock():
        _drop_probe_tables()


@pytest.fixture
def case(db: None) -> Case:
    return Case.objects.create()


@pytest.fixture
def note(probe_tables: None, case: Case) -> ProbeNote:
    return ProbeNote.objects.create(case=case, body="a note body", summary="a summary",
                                    data={"k": [1, "two"]}, blob=b"\x00\x01bytes")


def fresh(instance: models.Model) -> models.Model:
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
