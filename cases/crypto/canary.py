"""Start-up canary: proof that the configured keys are the ones the stored data needs.

One ``KeyCanary`` row holds a random data key wrapped under a key-encryption key, and an HMAC
made with a blind-index key. ``verify_canary()`` unwraps and recomputes them; a wrong, missing or
mistyped key stops the process with an ``ImproperlyConfigured`` naming the setting and key id,
before any request could fail half-way or store data under a key nobody can open later.

The canary is created under the newest keys on ``migrate`` (a ``post_migrate`` handler, so no key
material ever sits in a migration) or on first use, and re-wrapped by ``rotate_keys`` only after
every case key has been re-wrapped: while it still opens only under the old key, removing that
key too early is caught here.

Call it once per process start: ``from cases.crypto.canary import verify_canary``.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

from cases.crypto.envelope import rewrap, unwrap_material, wrap_material
from cases.crypto.exceptions import DecryptionError
from cases.crypto.keys import (
    BLIND_INDEX_KEYS,
    ENCRYPTION_KEYS,
    KEY_BYTES,
    blind_index_keyring,
    encryption_keyring,
)

CANARY_PK = 1
CANARY_OWNER = f"cases.keycanary:{CANARY_PK}"
_INDEX_CHECK_MESSAGE = b"ombuds/blind-index-canary/v1"
_ROTATION_HINT = (
    "Configure the old key again (after the newest one) and run `manage.py rotate_keys` "
    "before removing it."
)


def _index_check(material: bytes) -> str:
    return hmac.new(material, _INDEX_CHECK_MESSAGE, hashlib.sha256).hexdigest()


def _canary_model() -> Any:
    from cases.models import KeyCanary

    return KeyCanary


def ensure_canary(using: str = DEFAULT_DB_ALIAS) -> Any:
    """The canary row, created under the newest configured keys if there is none."""
    model = _canary_model()
    existing = model.objects.using(using).filter(pk=CANARY_PK).first()
    if existing is not None:
        return existing
    index_ring = blind_index_keyring()
    wrapped, key_id = wrap_material(os.urandom(KEY_BYTES), owner=CANARY_OWNER)
    canary, _ = model.objects.using(using).get_or_create(
        pk=CANARY_PK,
        defaults={
            "key_id": key_id,
            "wrapped_key": wrapped,
            "index_key_id": index_ring.newest_id,
            "index_check": _index_check(index_ring.material(index_ring.newest_id)),
        },
    )
    return canary


def verify_canary(using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise ImproperlyConfigured unless the configured keys open the canary."""
    ring = encryption_keyring()
    index_ring = blind_index_keyring()
    try:
        canary = ensure_canary(using)
    except DatabaseError:
        if not canary_table_exists(using):
            raise ImproperlyConfigured(
                "The key canary table is missing: run `manage.py migrate` first."
            ) from None
        raise
    if canary.key_id not in ring:
        raise ImproperlyConfigured(
            f"{ENCRYPTION_KEYS} does not contain the key {canary.key_id!r} that stored data keys "
            f"are wrapped under (configured: {', '.join(ring.ids)}). {_ROTATION_HINT}"
        )
    try:
        unwrap_material(canary.wrapped_key, owner=CANARY_OWNER, key_id=canary.key_id)
    except DecryptionError:
        raise ImproperlyConfigured(
            f"{ENCRYPTION_KEYS}: the key {canary.key_id!r} is not the key the stored data keys "
            "were wrapped under (wrong key material for that id)."
        ) from None
    if canary.index_key_id not in index_ring:
        raise ImproperlyConfigured(
            f"{BLIND_INDEX_KEYS} does not contain the key {canary.index_key_id!r} that stored "
            f"lookup values were computed with (configured: {', '.join(index_ring.ids)}). "
            "Configure it again; see docs/encryption.md on index-key rotation."
        )
    expected = _index_check(index_ring.material(canary.index_key_id))
    if not hmac.compare_digest(expected, canary.index_check):
        raise ImproperlyConfigured(
            f"{BLIND_INDEX_KEYS}: the key {canary.index_key_id!r} is not the key stored lookup "
            "values were computed with (wrong key material for that id)."
        )


def rewrap_canary(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Re-wrap the canary under the newest KEK; True if it changed."""
    ring = encryption_keyring()
    ensure_canary(using)
    with transaction.atomic(using=using):
        canary = _canary_model().objects.using(using).select_for_update().get(pk=CANARY_PK)
        if canary.key_id == ring.newest_id:
            return False
        canary.wrapped_key, canary.key_id = rewrap(
            canary.wrapped_key, owner=CANARY_OWNER, key_id=canary.key_id, keyring=ring
        )
        canary.rotated_at = timezone.now()
        canary.save(using=using, update_fields=["wrapped_key", "key_id", "rotated_at"])
        return True


def canary_table_exists(using: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[using]
    return _canary_model()._meta.db_table in connection.introspection.table_names()


def create_canary_after_migrate(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate handler: a fresh database gets its canary under the configured keys."""
    if canary_table_exists(using):
        ensure_canary(using)
