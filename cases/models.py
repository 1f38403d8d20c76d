"""The Case aggregate's models.

This module starts the Case with what encryption needs: a UUID primary key assigned in Python
(so ciphertexts can be bound to the row before it is inserted) and the case's own data key,
stored only wrapped by a key-encryption key. The workflow fields follow in later work.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.crypto import envelope
from cases.crypto.blind_index import BlindIndexField, blind_index, blind_index_matches
from cases.crypto.destroyed import DESTROYED, Destroyed
from cases.crypto.exceptions import DecryptionError
from cases.crypto.fields import EncryptedTextField
from cases.crypto.keys import KEY_ID_MAX_LENGTH

_DATA_KEY_CACHE = "_crypto_data_key"

# The columns that hold (or record the destruction of) a case's data key. An ordinary save of an
# existing case never writes them; only a save whose update_fields names them does (shredding,
# and rotation, which uses a conditional UPDATE of its own). See Case.save().
KEY_FIELDS = ("wrapped_key", "key_id", "key_destroyed_at")


class CaseQuerySet(models.QuerySet["Case"]):
    def bulk_create(self, objs: Iterable[Case], *args: Any, **kwargs: Any) -> list[Case]:
        objs = list(objs)
        for case in objs:
            # bulk_create skips save(); each case still needs its own data key first.
            case.crypto_data_key()
        return super().bulk_create(objs, *args, **kwargs)

    def with_reporter_email(self, email: str) -> CaseQuerySet:
        """Cases whose reporter e-mail equals this one (after normalisation), found through the
        blind index: nothing is decrypted."""
        return self.filter(blind_index_matches("reporter_email_index", email))


class Case(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)

    # The case's data key, wrapped by the key-encryption key named in key_id. Kept on the row,
    # so a page of cases needs no extra query for its keys. NULL once destroyed (crypto-shredded).
    wrapped_key = models.BinaryField(null=True, editable=False)
    key_id = models.CharField(max_length=KEY_ID_MAX_LENGTH, blank=True, editable=False,
                              db_index=True)
    key_destroyed_at = models.DateTimeField(null=True, blank=True, editable=False)

    reporter_email = EncryptedTextField(_("reporter's e-mail address"), null=True, blank=True)
    reporter_email_index = BlindIndexField()

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                name="case_key_present_or_destroyed",
                condition=(
                    models.Q(wrapped_key__isnull=False, key_destroyed_at__isnull=True)
                    | models.Q(wrapped_key__isnull=True, key_destroyed_at__isnull=False)
                ),
            ),
        ]

    def __str__(self) -> str:
        return str(self.pk)

    def __getstate__(self) -> dict[str, Any]:
        # Pickled cases (caches, task arguments) never carry the unwrapped key.
        state = super().__getstate__()
        state.pop(_DATA_KEY_CACHE, None)
        return state

    def save(
        self,
        *,
        force_insert: bool | tuple[Any, ...] = False,
        force_update: bool = False,
        using: str | None = None,
        update_fields: Iterable[str] | None = None,
    ) -> None:
        """Save the case; for a case that is already stored, never its key columns unless
        ``update_fields`` names them.

        A case instance loaded before its key was destroyed (or re-wrapped by ``rotate_keys``)
        still holds the old wrapped key. Written back by a plain ``save()``, it would undo the
        shredding — the content would decrypt again — or the rotation. So a plain save of a
        stored case is an ``update_fields`` save of every loaded column except ``KEY_FIELDS``;
        the services that change the key name those columns themselves. (A consequence: a
        plain save of a case whose row is gone raises instead of inserting it again.)
        """
        if self._state.adding:
            # Every case has its own data key from its first insert on. For a loaded case saved
            # under a new primary key this fails loudly: its wrapped key is bound to the old one.
            self.crypto_data_key()
        elif update_fields is None and not force_insert:
            target = using or router.db_for_write(type(self), instance=self)
            if target == self._state.db:  # a copy into another database takes its key along
                update_fields = [
                    field.attname for field in self._meta.concrete_fields
                    if not field.primary_key and not field.generated
                    and field.name not in KEY_FIELDS and field.attname in self.__dict__
                ]
        super().save(
            force_insert=force_insert, force_update=force_update, using=using,
            update_fields=update_fields,
        )

    @property
    def key_owner_label(self) -> str:
        """What the wrapped data key is bound to (part of its associated data)."""
        return f"cases.case:{self.pk}"

    @property
    def is_key_destroyed(self) -> bool:
        return self.key_destroyed_at is not None

    def crypto_data_key(self) -> envelope.DataKey | Destroyed:
        """This case's data key, unwrapped once per instance; DESTROYED once shredded.

        A new case gets a fresh random key here (or in ``save()``) before its first insert.
        """
        if self.key_destroyed_at is not None:
            return DESTROYED
        cached = self.__dict__.get(_DATA_KEY_CACHE)
        if cached is not None:
            return cached
        if self.wrapped_key is None:
            if not self._state.adding:
                raise DecryptionError(f"cases.Case pk={self.pk} has no data key.")
            key, self.wrapped_key, self.key_id = envelope.new_data_key(owner=self.key_owner_label)
        else:
            key = envelope.open_data_key(
                self.wrapped_key, owner=self.key_owner_label, key_id=self.key_id
            )
        self.__dict__[_DATA_KEY_CACHE] = key
        return key

    def forget_data_key(self) -> None:
        """Crypto-shred: drop the wrapped key (and the cached one). The caller saves, naming
        ``KEY_FIELDS`` in ``update_fields`` (a plain ``save()`` leaves the key columns alone)."""
        self.wrapped_key = None
        self.key_id = ""
        self.key_destroyed_at = timezone.now()
        self.__dict__.pop(_DATA_KEY_CACHE, None)

    def set_reporter_email(self, email: str | None) -> None:
        """Set the reporter's e-mail and its blind index together, so they never disagree."""
        self.reporter_email = email
        self.reporter_email_index = blind_index(email)


class KeyCanary(models.Model):
    """A single row that only the right keys open; see cases.crypto.canary."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    key_id = models.CharField(max_length=KEY_ID_MAX_LENGTH)
    wrapped_key = models.BinaryField()
    index_key_id = models.CharField(max_length=KEY_ID_MAX_LENGTH)
    index_check = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(name="key_canary_single_row",
                                              condition=models.Q(id=1))]

    def __str__(self) -> str:
        return f"key canary ({self.key_id})"
