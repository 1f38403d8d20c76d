"""A probe model and fixtures for the encryption tests, with ``Case`` as the key owner.

The fields are exercised on the project's one key owner, ``cases.Case``, rather than on a copy
of it: what is tested is what runs. ``ProbeNote`` stands for the case-owned models (notes,
messages, attachments): it reaches its case's data key through ``encryption_key_path`` and has
one field of every encrypted kind. ``ProbeVault`` is a second key owner, registered only by the
tests that need one (``crypto.registry`` must reach every owner, not just cases).

The probes are registered under an app label that is not installed, so migrations,
``makemigrations --check`` and flushes never see them; their tables are created once per
session and dropped after. ``ProbeNote``'s foreign key has no database constraint, so
truncating cases is never blocked by it.

The fixtures are made available to tests/crypto and tests/cases by their conftest modules.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from django.db import connection, models
from pytest_django import DjangoDbBlocker, Settings

from cases.models import Case
from crypto import envelope
from crypto.blind_index import BlindIndexField
from crypto.canary import ensure_canary
from crypto.destroyed import DESTROYED, Destroyed
from crypto.fields import EncryptedBytesField, EncryptedJSONField, EncryptedTextField
from crypto.keys import KEY_ID_MAX_LENGTH
from crypto.models import KeyCanary
from tests.crypto.helpers import key_line


class ProbeNote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(Case, on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+")
    body = EncryptedTextField(null=True)
    summary = EncryptedTextField(null=True)
    data = EncryptedJSONField(null=True)
    blob = EncryptedBytesField(null=True)

    encryption_key_path = "case"

    # Django adds these (the default manager, the foreign key's id); declared so that the type
    # checker, which knows only installed apps, sees them too.
    objects: ClassVar[models.Manager[ProbeNote]] = models.Manager()
    case_id: uuid.UUID

    class Meta:
        app_label = "cryptoprobe"
        db_table = "cryptoprobe_note"

    def __str__(self) -> str:
        return str(self.pk)


class ProbeVault(models.Model):
    """A key owner of the tests' own, holding its key the way ``crypto.registry`` asks."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped_key = models.BinaryField(null=True)
    key_id = models.CharField(max_length=KEY_ID_MAX_LENGTH, blank=True)
    key_destroyed_at = models.DateTimeField(null=True)
    secret = EncryptedTextField(null=True)
    secret_index = BlindIndexField()

    objects: ClassVar[models.Manager[ProbeVault]] = models.Manager()  # as ProbeNote's

    class Meta:
        app_label = "cryptoprobe"
        db_table = "cryptoprobe_vault"

    def __str__(self) -> str:
        return str(self.pk)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.crypto_data_key()  # a new row has its key before its values are encrypted
        super().save(*args, **kwargs)

    @property
    def key_owner_label(self) -> str:
        return f"cryptoprobe.vault:{self.pk}"

    def crypto_data_key(self) -> envelope.DataKey | Destroyed:
        if self.key_destroyed_at is not None:
            return DESTROYED
        key = self.__dict__.get("_probe_key")
        if key is None:
            if self.wrapped_key is None:
                key, self.wrapped_key, self.key_id = envelope.new_data_key(
                    owner=self.key_owner_label
                )
            else:
                key = envelope.open_data_key(
                    self.wrapped_key, owner=self.key_owner_label, key_id=self.key_id
                )
            self.__dict__["_probe_key"] = key
        return key


PROBE_MODELS = (ProbeNote, ProbeVault)


def _drop_probe_tables() -> None:
    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in PROBE_MODELS:
            if model._meta.db_table in existing:
                editor.delete_model(model)


@pytest.fixture(scope="session")
def probe_tables(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
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


# Key rotation: a database written under OLD alone, then NEW put first.
OLD = key_line("k-old", 0x0A)
NEW = key_line("k-new", 0x0B)


def start_under_old_key(settings: Settings, count: int) -> list[Case]:
    """A database whose cases and canary were all written under k-old alone."""
    settings.ENCRYPTION_KEYS = OLD
    KeyCanary.objects.all().delete()
    ensure_canary()
    cases = []
    for number in range(count):
        case = Case()
        case.set_reporter_email(f"person{number}@example.org")
        case.save()
        cases.append(case)
    return cases
