"""Blind index: exact-match lookups on encrypted values without decrypting anything.

``blind_index(value)`` is ``"<key-id>:" + hex(HMAC-SHA256(index key, normalise(value)))`` under
the newest key of ``settings.BLIND_INDEX_KEYS`` — a key of its own, never an encryption key.
The same normalisation and key serve every field, so a person named in one case matches the same
person named in another (what conflict-of-interest checks need).

Rotation of the index key: stored values carry their key id, and lookups compute the candidate
under *every* configured key (``blind_index_candidates``), so after a new key is put first, old
rows still match. Re-indexing (decrypt, recompute under the newest key) lets the old key go; the
start-up canary refuses to run without the key the canary's index check was made with.

What a blind index reveals: that two rows hold the same normalised value. It is therefore only
kept for fields that need exact matching, and destroyed with the case's data key.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from typing import TYPE_CHECKING, Any

from django.db import models

from crypto.keys import KEY_ID_MAX_LENGTH, KeyRing, blind_index_keyring

DIGEST_HEX_LENGTH = 64
INDEX_MAX_LENGTH = KEY_ID_MAX_LENGTH + 1 + DIGEST_HEX_LENGTH


def normalise(value: str) -> str:
    """Unicode NFKC, case-folded, inner whitespace collapsed to one space, trimmed."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    # Case folding can produce sequences that NFKC would compose differently ("ǰ" and friends).
    folded = unicodedata.normalize("NFKC", folded)
    return " ".join(folded.split())


def _digest(material: bytes, normalised: str) -> str:
    return hmac.new(material, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def blind_index(value: str | None, *, keyring: KeyRing | None = None) -> str:
    """The index to store for a value, under the newest index key; ``""`` for no value (so that
    empty values never match each other)."""
    normalised = normalise(value or "")
    if not normalised:
        return ""
    ring = keyring or blind_index_keyring()
    key_id = ring.newest_id
    return f"{key_id}:{_digest(ring.material(key_id), normalised)}"


def blind_index_candidates(value: str | None, *, keyring: KeyRing | None = None) -> list[str]:
    """Every index the value may be stored under: one per configured index key."""
    normalised = normalise(value or "")
    if not normalised:
        return []
    ring = keyring or blind_index_keyring()
    return [f"{key_id}:{_digest(material, normalised)}" for key_id, material in ring]


def blind_index_matches(field_name: str, value: str | None) -> models.Q:
    """A filter for rows whose blind index equals the value's, under any configured key.

    An empty value matches nothing.
    """
    candidates = blind_index_candidates(value)
    if not candidates:
        return models.Q(pk__in=[])
    return models.Q(**{f"{field_name}__in": candidates})


if TYPE_CHECKING:
    # Django's fields are generic only in django-stubs (set type, get type), not at runtime.
    _CharField = models.CharField[str, str]
else:
    _CharField = models.CharField


class BlindIndexField(_CharField):
    """Holds ``blind_index(value)`` for one encrypted field; indexed, empty when there is none."""

    description = "Blind index (HMAC-SHA256) of a normalised value"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", INDEX_MAX_LENGTH)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        for key, implied in (("max_length", INDEX_MAX_LENGTH), ("blank", True), ("default", ""),
                             ("editable", False), ("db_index", True)):
            if kwargs.get(key, _MISSING) == implied:
                del kwargs[key]
            elif key not in kwargs:
                # Django leaves out arguments equal to its own defaults; ours differ, so say so.
                kwargs[key] = _django_default(key)
        return name, path, args, kwargs


_MISSING = object()


def _django_default(key: str) -> Any:
    return {"blank": False, "editable": True, "db_index": False, "default": models.NOT_PROVIDED,
            "max_length": None}[key]


def blind_index_fields(model: type[models.Model]) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
