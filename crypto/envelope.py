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

from crypto.exceptions import DecryptionError
from crypto.keys import KEY_BYTES, KeyRing, encryption_keyring

WRAP_VERSION = b"\x01"
VALUE_VERSION = b"\x01"
NONCE_BYTES = 12
TAG_BYTES = 16
DATA_KEY_ID_BYTES = 8
WRAPPED_KEY_BYTES = len(WRAP_VERSION) + NONCE_BYTES + KEY_BYTES + TAG_BYTES
VALUE_HEADER_BYTES = len(VALUE_VERSION) + DATA_KEY_ID_BYTES
VALUE_OVERHEAD_BYTES = VALUE_HEADER_BYTES + NONCE_BYTES + TAG_BYTES
CIPHERTEXT_START = VALUE_HEADER_BYTES + NONCE_BYTES
# From this size on a value is sealed into one buffer and opened through a memoryview; below
# it, plain concatenation and slicing are cheaper (measured in bench/bench_crypto.py).
LARGE_VALUE_BYTES = 64 * 1024


class DataKey:
    """An unwrapped data key, able to encrypt and decrypt values bound to their place.

    Holds the key only inside the cipher object. It refuses to be pickled, so it can never end
    up in a cache, a session or a task message by accident.

    ``encrypt``/``decrypt`` take the binding. ``seal``/``open`` take the associated data that
    ``associated_data(binding)`` returns, so that a caller reading many values of one row and
    field (the encrypted fields, per model instance) builds it once; the bytes are the same.
    ``header`` (format version and data key id) is no secret: it heads every stored value.
    """

    __slots__ = ("_aead", "_associated_prefix", "header")

    def __init__(self, material: bytes) -> None:
        if len(material) != KEY_BYTES:
            raise ValueError("A data key is exactly 32 bytes.")
        self._aead = AESGCM(material)
        key_id = hmac.new(material, b"ombuds/dek-id/v1", hashlib.sha256).digest()
        self.header = VALUE_VERSION + key_id[:DATA_KEY_ID_BYTES]
        self._associated_prefix = self.header + b"|"

    def __repr__(self) -> str:
        return "<DataKey>"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Data keys are never pickled.")

    def associated_data(self, binding: bytes) -> bytes:
        """The associated data of a value bound to ``binding`` under this key."""
        return self._associated_prefix + binding

    def encrypt(self, plaintext: bytes, binding: bytes) -> bytes | bytearray:
        return self.seal(plaintext, self._associated_prefix + binding)

    def decrypt(self, blob: bytes | bytearray, binding: bytes) -> bytes:
        return self.open(blob, self._associated_prefix + binding)

    def seal(self, plaintext: bytes, associated: bytes) -> bytes | bytearray:
        """Encrypt under ``associated``, which ``associated_data()`` of this key returned."""
        nonce = os.urandom(NONCE_BYTES)
        if len(plaintext) < LARGE_VALUE_BYTES:
            return b"".join((self.header, nonce, self._aead.encrypt(nonce, plaintext, associated)))
        # Large values: one buffer, written in place. Concatenating a fresh megabyte-sized
        # ciphertext costs more than the encryption itself.
        out = bytearray(CIPHERTEXT_START + len(plaintext) + TAG_BYTES)
        out[:VALUE_HEADER_BYTES] = self.header
        out[VALUE_HEADER_BYTES:CIPHERTEXT_START] = nonce
        self._aead.encrypt_into(nonce, plaintext, associated, memoryview(out)[CIPHERTEXT_START:])
        return out

    def open(self, blob: bytes | bytearray, associated: bytes) -> bytes:
        """Decrypt under ``associated``, which ``associated_data()`` of this key returned.

        Raises DecryptionError, saying why, for anything that does not authenticate. (The
        encrypted fields inline the common case of this for speed and come here for the rest.)
        """
        if len(blob) < VALUE_OVERHEAD_BYTES or blob[:VALUE_HEADER_BYTES] != self.header:
            raise DecryptionError(self._refusal(blob))
        # Slicing copies: cheaper than a memoryview for small values, far dearer for large ones.
        view = memoryview(blob) if len(blob) >= LARGE_VALUE_BYTES else blob
        try:
            return self._aead.decrypt(
                view[VALUE_HEADER_BYTES:CIPHERTEXT_START], view[CIPHERTEXT_START:], associated
            )
        except InvalidTag:
            raise DecryptionError(self._refusal(blob)) from None

    def _refusal(self, blob: bytes | bytearray) -> str:
        """Why ``blob`` does not open under this key, in words that hold no content."""
        if len(blob) < VALUE_OVERHEAD_BYTES:
            return "the stored value is too short to be a ciphertext"
        if blob[:1] != VALUE_VERSION:
            return "the stored value has an unknown format version"
        if blob[:VALUE_HEADER_BYTES] != self.header:
            return "the stored value was encrypted under another data key"
        # Same key, so either a byte was altered or the value belongs to another row/field.
        return (
            "the stored value failed authentication (altered, or moved from another row or "
            "field)"
        )


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
