"""Key owners: the models whose every row holds its own data key, wrapped under a KEK.

``crypto`` imports no domain app, yet the canary, the security check and rotation must reach
every wrapped data key. So the app that owns such a model registers it from its
``AppConfig.ready()``, and crypto finds the rows through the registration alone::

    register_key_owner(KeyOwner(model=Case, noun="case", noun_plural="cases"))

A key owner stores, in columns of these names, its wrapped data key (``wrapped_key``, NULL once
the key is destroyed), the id of the KEK it is wrapped under (``key_id``, ``""`` once destroyed)
and when it was destroyed (``key_destroyed_at``). Each row names what its wrapped key is bound
to in ``key_owner_label`` (part of the key's associated data, so it never changes for a stored
row) and opens its key with ``crypto_data_key()``. Registration checks all of that, so a
mistake stops start-up instead of leaving some keys out of a rotation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models

from crypto.blind_index import BlindIndexField, blind_index_fields
from crypto.fields import EncryptedField

KEY_COLUMNS = ("wrapped_key", "key_id", "key_destroyed_at")
_ROW_ATTRIBUTES = ("key_owner_label", "crypto_data_key")


@dataclass(frozen=True)
class KeyOwner:
    """A model whose rows each hold a data key, and how messages to operators name its rows."""

    model: type[models.Model]
    noun: str  # one row, in operators' messages: "case"
    noun_plural: str  # several: "cases"

    def rows(self, using: str) -> models.QuerySet[Any]:
        return self.model._default_manager.using(using)

    def holds_rows(self, using: str) -> bool:
        """Whether any row exists: then the database is in use, and a canary must not be made
        afresh under whatever keys happen to be configured (see crypto.canary)."""
        return self.rows(using).exists()

    def key_ids_in_use(self, using: str) -> list[str]:
        """KEK ids the stored data keys are wrapped under (one index-only scan)."""
        return sorted(
            self.rows(using).exclude(key_id="").order_by()
            .values_list("key_id", flat=True).distinct()
        )

    def blind_indexes(self) -> list[tuple[BlindIndexField, EncryptedField]]:
        """Each blind index of the model with the encrypted field it is computed from:
        ``<name>_index`` beside ``<name>``. An index without that partner is left out."""
        encrypted = {field.name: field for field in self.model._meta.concrete_fields
                     if isinstance(field, EncryptedField)}
        return [
            (index, encrypted[index.name.removesuffix("_index")])
            for index in blind_index_fields(self.model)
            if index.name.removesuffix("_index") in encrypted
        ]


_owners: dict[str, KeyOwner] = {}


def register_key_owner(owner: KeyOwner) -> None:
    """Make a model's data keys known to the canary, the security check and rotation.

    Called from the owning app's ``AppConfig.ready()``; registering the same model again
    replaces the earlier registration. Raises ImproperlyConfigured for a model that does not
    hold its keys the way crypto reads them.
    """
    meta = owner.model._meta
    for name in KEY_COLUMNS:
        try:
            meta.get_field(name)
        except FieldDoesNotExist:
            raise ImproperlyConfigured(
                f"{meta.label} cannot own data keys: it has no field {name!r} "
                f"(a key owner has {', '.join(KEY_COLUMNS)})."
            ) from None
    for name in _ROW_ATTRIBUTES:
        if not hasattr(owner.model, name):
            raise ImproperlyConfigured(f"{meta.label} cannot own data keys: it has no {name}.")
    _owners[meta.label_lower] = owner


def key_owners() -> tuple[KeyOwner, ...]:
    """Every registered key owner, in the order of registration."""
    return tuple(_owners.values())
