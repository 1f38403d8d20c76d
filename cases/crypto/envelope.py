"""Envelope encryption: per-owner data keys, wrapped by key-encryption keys, and values.

Wrapped data key (stored on the owner's row, next to the KEK id)::

    version (1) | nonce (12) | AES-GCM(KEK, data key) with tag (48)
    associated data: b"ombuds/dek/v1|" + owner + b"|" + KEK id

where ``owner`` is e.g. ``cases.case:<uuid>``, so a wrapped key copied to another case fails.

Encrypted value (stored in the value's own column)::

    version (1) | data key id (8) | nonce (12) | AES-GCM(data key, plaintext) with tag
    associated data: version | data key id | b"|" + binding

where ``binding`` is ``app_label.model_name:pk:field_name``. The data key id is derived from the
key itself, so "this value belongs to another key" is told apart from "this value was altered"
without storing anything extra. Nonces are random: a case's data key encrypts far fewer than the
2**32 values beyond which random 96-bit nonces would start to risk a collision.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from cases.crypto.exceptions import DecryptionError
from cases.crypto.keys import KEY_BYTES, KeyRing, encryption_keyring

WRAP_VERSION = b"\x01"
VALUE_VERSION = b"\x01"
NONCE_BYTES = 12
TAG_BYTES = 16
DATA_KEY_ID_BYTES = 8
WRAPPED_KEY_BYTES = len(WRAP_VERSION) + NONCE_BYTES + KEY_BYTES + TAG_BYTES
VALUE_HEADER_BYTES = len(VALUE_VERSION) + DATA_KEY_ID_BYTES
VALUE_OVERHEAD_BYTES = VALUE_HEADER_BYTES + NONCE_BYTES + TAG_BYTES
_LARGE_VALUE_BYTES = 64 * 1024


class DataKey:
    """An unwrapped data key, able to encrypt and decrypt values bound to their place.

    Holds the key only inside the cipher object. It refuses to be pickled, so it can never end
    up in a cache, a session or a task message by accident.
    """

    __slots__ = ("_aead", "_associated_prefix", "_header")

    def __init__(self, material: bytes) -> None:
        if len(material) != KEY_BYTES:
            raise ValueError("A data key is exactly 32 bytes.")
        self._aead = AESGCM(material)
        key_id = hmac.new(material, b"ombuds/dek-id/v1", hashlib.sha256).digest()
        self._header = VALUE_VERSION + key_id[:DATA_KEY_ID_BYTES]
        self._associated_prefix = self._header + b"|"

    def __repr__(self) -> str:
        return "<DataKey>"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Data keys are never pickled.")

    def encrypt(self, plaintext: bytes, binding: bytes) -> bytes | bytearray:
        header = self._header
        nonce = os.urandom(NONCE_BYTES)
        associated = self._associated_prefix + binding
        if len(plaintext) < _LARGE_VALUE_BYTES:
            return header + nonce + self._aead.encrypt(nonce, plaintext, associated)
        # Large values: one buffer, written in place. Concatenating a fresh megabyte-sized
        # ciphertext costs more than the encryption itself (measured in bench/bench_crypto.py).
        out = bytearray(VALUE_HEADER_BYTES + NONCE_BYTES + len(plaintext) + TAG_BYTES)
        out[:VALUE_HEADER_BYTES] = header
        out[VALUE_HEADER_BYTES : VALUE_HEADER_BYTES + NONCE_BYTES] = nonce
        self._aead.encrypt_into(
            nonce, plaintext, associated, memoryview(out)[VALUE_HEADER_BYTES + NONCE_BYTES :]
        )
        return out

    def decrypt(self, blob: bytes, binding: bytes) -> bytes:
        if blob[:VALUE_HEADER_BYTES] != self._header or len(blob) < VALUE_OVERHEAD_BYTES:
            raise DecryptionError(self._refusal(blob))
        # Slicing copies: cheaper than a memoryview for small values, far dearer for large ones.
        view = memoryview(blob) if len(blob) >= _LARGE_VALUE_BYTES else blob
        try:
            return self._aead.decrypt(
                view[VALUE_HEADER_BYTES : VALUE_HEADER_BYTES + NONCE_BYTES],
                view[VALUE_HEADER_BYTES + NONCE_BYTES :],
                self._associated_prefix + binding,
            )
        except InvalidTag:
            # Same key, so either a byte was altered or the value belongs to another row/field.
            raise DecryptionError(
                "the stored value failed authentication (altered, or moved from another row "
                "or field)"
            ) from None

    def _refusal(self, blob: bytes) -> str:
        if len(blob) < VALUE_OVERHEAD_BYTES:
            return "the stored value is too short to be a ciphertext"
        if blob[:1] != VALUE_VERSION:
            return "the stored value has an unknown format version"
        return "the stored value was encrypted under another data key"


def _wrap_ad(owner: str, kek_id: str) -> bytes:
    return b"ombuds/dek/v1|" + owner.encode() + b"|" + kek_id.encode()


def wrap_material(
    material: bytes, *, owner: str, keyring: KeyRing | None = None
) -> tuple[bytes, str]:
    """Wrap raw data-key material under the newest KEK; returns (wrapped, KEK id)."""
    ring = keyring or encryption_keyring()
    kek_id = ring.newest_id
    nonce = os.urandom(NONCE_BYTES)
    sealed = ring.aead(kek_id).encrypt(nonce, material, _wrap_ad(owner, kek_id))
    return WRAP_VERSION + nonce + sealed, kek_id


def unwrap_material(
    wrapped: bytes | memoryview, *, owner: str, key_id: str, keyring: KeyRing | None = None
) -> bytes:
    """Recover raw data-key material; raises DecryptionError (UnknownKeyError for a missing KEK)."""
    ring = keyring or encryption_keyring()
    cipher = ring.aead(key_id)
    wrapped = bytes(wrapped)
    if len(wrapped) != WRAPPED_KEY_BYTES or wrapped[:1] != WRAP_VERSION:
        raise DecryptionError(f"the wrapped data key of {owner} is malformed")
    nonce = wrapped[1 : 1 + NONCE_BYTES]
    try:
        return cipher.decrypt(nonce, wrapped[1 + NONCE_BYTES :], _wrap_ad(owner, key_id))
    except InvalidTag:
        raise DecryptionError(
            f"the wrapped data key of {owner} does not open under the key {key_id!r} "
            "(wrong key material, or a wrapped key moved from another row)"
        ) from None


def new_data_key(*, owner: str, keyring: KeyRing | None = None) -> tuple[DataKey, bytes, str]:
    """A fresh random data key; returns (key, wrapped key, KEK id)."""
    material = os.urandom(KEY_BYTES)
    wrapped, kek_id = wrap_material(material, owner=owner, keyring=keyring)
    return DataKey(material), wrapped, kek_id


def open_data_key(
    wrapped: bytes | memoryview, *, owner: str, key_id: str, keyring: KeyRing | None = None
) -> DataKey:
    return DataKey(unwrap_material(wrapped, owner=owner, key_id=key_id, keyring=keyring))


def rewrap(
    wrapped: bytes | memoryview, *, owner: str, key_id: str, keyring: KeyRing | None = None
) -> tuple[bytes, str]:
    """Re-wrap a data key under the newest KEK; the data key itself, and so every value
    encrypted under it, stays the same."""
    ring = keyring or encryption_keyring()
    material = unwrap_material(wrapped, owner=owner, key_id=key_id, keyring=ring)
    return wrap_material(material, owner=owner, keyring=ring)
