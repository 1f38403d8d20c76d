"""Start-up canary: proof that the configured keys are the ones the stored data needs.

One ``KeyCanary`` row holds a random data key wrapped under a key-encryption key, and an HMAC
made with a blind-index key. ``verify_canary()`` unwraps and recomputes them; a wrong, missing or
mistyped key stops the process with an ``ImproperlyConfigured`` naming the setting and key id,
before any request could fail half-way or store data under a key nobody can open later.

The canary is created under the newest keys on ``migrate`` (a ``post_migrate`` handler, so no key
material ever sits in a migration) or on first use — in both cases only while no key owner
(``crypto.registry``; the cases) holds a row: a canary made under whatever keys are configured
would vouch for them whether or not they open the stored data. A missing canary next to stored
rows stops start-up instead; the row is restored from a backup, or re-created by
``recreate_canary()`` once the configured keys have opened stored data keys and blind indexes.
It is re-wrapped by ``rotate_keys`` only after every data key has been re-wrapped: while it
still opens only under the old key, removing that key too early is caught here.

Call it once per process start: ``from crypto.canary import verify_canary``.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

from crypto.blind_index import blind_index_candidates
from crypto.envelope import rewrap, unwrap_material, wrap_material
from crypto.exceptions import DecryptionError
from crypto.keys import (
    BLIND_INDEX_KEYS,
    ENCRYPTION_KEYS,
    KEY_BYTES,
    blind_index_keyring,
    encryption_keyring,
)
from crypto.models import CANARY_TABLE, KeyCanary
from crypto.registry import KeyOwner, key_owners

logger = logging.getLogger("crypto")

CANARY_PK = 1
# Part of the canary's associated data, so it stays what it was when the canary was first
# wrapped (the model lived in the cases app then), whatever the model's label is now.
CANARY_OWNER = f"cases.keycanary:{CANARY_PK}"
_INDEX_CHECK_MESSAGE = b"ombuds/blind-index-canary/v1"
_ROTATION_HINT = (
    "Configure the old key again (after the newest one) and run `manage.py rotate_keys` "
    "before removing it."
)


# ``{rows}``: what the stored rows are, in the words of the key owner that holds them ("cases").
MISSING_CANARY = (
    f"The key canary (the one row of the table {CANARY_TABLE}) is missing, but the database "
    "holds {rows}: it is not re-created under the configured keys, which may not be the keys the "
    "stored data needs. Restore the row from a backup of this database (it holds nothing usable "
    f"without the keys), e.g. `pg_restore --data-only --table={CANARY_TABLE} <backup>`; or, "
    "with no such backup, re-create it after the configured keys have opened stored {rows}: "
    "`python manage.py shell -c \"from crypto.canary import recreate_canary; "
    "recreate_canary()\"`. See docs/encryption.md, \"Start-up canary\"."
)


def missing_canary_message(owner: KeyOwner) -> str:
    return MISSING_CANARY.format(rows=owner.noun_plural)


def _index_check(material: bytes) -> str:
    return hmac.new(material, _INDEX_CHECK_MESSAGE, hashlib.sha256).hexdigest()


def _existing_canary(using: str) -> KeyCanary | None:
    return KeyCanary.objects.using(using).filter(pk=CANARY_PK).first()


def _owner_holding_rows(using: str) -> KeyOwner | None:
    """The first key owner that holds a row, if any does."""
    return next((owner for owner in key_owners() if owner.holds_rows(using)), None)


def ensure_canary(using: str = DEFAULT_DB_ALIAS) -> KeyCanary:
    """The canary row; created under the newest configured keys only if no key owner holds a
    row yet. Raises ImproperlyConfigured if it is missing next to stored rows."""
    existing = _existing_canary(using)
    if existing is not None:
        return existing
    holder = _owner_holding_rows(using)
    if holder is not None:
        raise ImproperlyConfigured(missing_canary_message(holder))
    return _create_canary(using)


def recreate_canary(using: str = DEFAULT_DB_ALIAS) -> KeyCanary:
    """Re-create a lost canary next to stored rows, after the configured keys have proved
    themselves on them (ImproperlyConfigured otherwise, naming the key); see MISSING_CANARY.

    Proof, for every key owner: for every KEK id its rows are wrapped under, one row's data key
    opens; for every blind-index key id stored indexes were computed with, one row's index is
    recomputed from its decrypted value. A configured key nothing is stored under yet cannot be
    wrong for the stored data and is taken as it is.
    """
    existing = _existing_canary(using)
    if existing is not None:
        return existing
    for owner in key_owners():
        _prove_keys_on_rows(owner, using)
    return _create_canary(using)


def _create_canary(using: str) -> KeyCanary:
    index_ring = blind_index_keyring()
    wrapped, key_id = wrap_material(os.urandom(KEY_BYTES), owner=CANARY_OWNER)
    canary, _ = KeyCanary.objects.using(using).get_or_create(
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
        canary = KeyCanary.objects.using(using).select_for_update().get(pk=CANARY_PK)
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
    return KeyCanary._meta.db_table in connection.introspection.table_names()


def create_canary_after_migrate(using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    """post_migrate handler: a fresh database gets its canary under the configured keys.

    A database that holds key owners' rows but lost its canary does not get a new one here:
    start-up and ``manage.py check --database`` refuse it with MISSING_CANARY, which says how
    to restore it.
    """
    if not canary_table_exists(using) or _existing_canary(using) is not None:
        return
    holder = _owner_holding_rows(using)
    if holder is not None:
        logger.warning("%s", missing_canary_message(holder))
        return
    _create_canary(using)


def _prove_keys_on_rows(owner: KeyOwner, using: str) -> None:
    ring = encryption_keyring()
    rows = owner.rows(using)
    for key_id in owner.key_ids_in_use(using):
        if key_id not in ring:
            raise ImproperlyConfigured(
                f"{ENCRYPTION_KEYS} does not contain the key {key_id!r} that stored data keys "
                f"are wrapped under (configured: {', '.join(ring.ids)}); the canary is not "
                "re-created."
            )
        row = rows.filter(key_id=key_id, wrapped_key__isnull=False).only(
            "pk", "wrapped_key", "key_id"
        ).first()
        if row is None:
            continue
        try:
            unwrap_material(row.wrapped_key, owner=row.key_owner_label, key_id=key_id)
        except DecryptionError:
            raise ImproperlyConfigured(
                f"{ENCRYPTION_KEYS}: the key {key_id!r} does not open the data key of "
                f"{owner.noun} {row.pk} (wrong key material for that id); the canary is not "
                "re-created."
            ) from None
    _prove_index_keys_on_rows(owner, using)


def _prove_index_keys_on_rows(owner: KeyOwner, using: str) -> None:
    """One stored blind index per index key id, recomputed from its decrypted value."""
    index_ring = blind_index_keyring()
    rows = owner.rows(using)
    for index_field, value_field in owner.blind_indexes():
        column = index_field.attname
        stored = rows.exclude(**{column: ""})
        unknown = stored
        for key_id in index_ring.ids:
            unknown = unknown.exclude(**{f"{column}__startswith": f"{key_id}:"})
        stray = unknown.values_list(column, flat=True).first()
        if stray is not None:
            raise ImproperlyConfigured(
                f"{BLIND_INDEX_KEYS} does not contain the key {stray.partition(':')[0]!r} that "
                f"stored {index_field.name} values were computed with (configured: "
                f"{', '.join(index_ring.ids)}); the canary is not re-created."
            )
        for key_id in index_ring.ids:
            row = stored.filter(**{f"{column}__startswith": f"{key_id}:"}).first()
            if row is None:
                continue
            value = getattr(row, value_field.attname)
            candidates = blind_index_candidates(value if isinstance(value, str) else None)
            if getattr(row, column) not in candidates:
                raise ImproperlyConfigured(
                    f"{BLIND_INDEX_KEYS}: the key {key_id!r} does not reproduce the stored "
                    f"{index_field.name} of {owner.noun} {row.pk} (wrong key material for that "
                    "id); the canary is not re-created."
                )
