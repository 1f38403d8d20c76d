"""Ed25519 keys for signing audit checkpoints, read from the settings.

``AUDIT_SIGNING_KEYS``: comma-separated ``<key-id>:<base64 of a 32-byte Ed25519 seed>``, newest
first; the first signs, all verify. ``AUDIT_VERIFY_KEYS`` (optional): the same format with the
32-byte *public* keys of retired signing keys, so old checkpoints stay verifiable after the
private half is gone. Errors name the variable and the position of the bad entry, never a key
nor a key id: a malformed entry may be a key pasted where its id belongs (a hex key is a valid-
looking id), so nothing from the value is ever echoed.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_KEY_ID = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


@dataclass(frozen=True)
class Keyring:
    signing_key_id: str
    signing_key: Ed25519PrivateKey
    public_keys: dict[str, Ed25519PublicKey]

    def sign(self, message: bytes) -> tuple[str, str]:
        """(key id, base64 signature) of message under the newest signing key."""
        signature = self.signing_key.sign(message)
        return self.signing_key_id, base64.b64encode(signature).decode("ascii")

    def verify(self, key_id: str, message: bytes, signature: str) -> bool:
        public_key = self.public_keys.get(key_id)
        if public_key is None:
            return False
        try:
            public_key.verify(base64.b64decode(signature, validate=True), message)
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True


def _entries(raw: str, variable: str) -> list[tuple[str, bytes]]:
    entries: list[tuple[str, bytes]] = []
    for position, item in enumerate((part.strip() for part in raw.split(",")), start=1):
        key_id, sep, encoded = item.partition(":")
        if not sep or not _KEY_ID.fullmatch(key_id):
            raise ImproperlyConfigured(
                f"{variable}: entry {position} is malformed; expected "
                "<key-id>:<base64 of 32 bytes> with a key id of 1-64 letters, digits or _.-"
            )
        try:
            material = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            material = b""
        if len(material) != 32:
            raise ImproperlyConfigured(
                f"{variable}: the key of entry {position} is not base64 of 32 bytes."
            )
        for earlier, (seen, _) in enumerate(entries, start=1):
            if key_id == seen:
                raise ImproperlyConfigured(
                    f"{variable}: entries {earlier} and {position} have the same key id."
                )
        entries.append((key_id, material))
    return entries


@lru_cache(maxsize=4)
def _build(signing_raw: str, verify_raw: str) -> Keyring:
    if not signing_raw.strip():
        raise ImproperlyConfigured(
            "AUDIT_SIGNING_KEYS is required: set AUDIT_SIGNING_KEYS or AUDIT_SIGNING_KEYS_FILE."
        )
    signing = [
        (key_id, Ed25519PrivateKey.from_private_bytes(seed))
        for key_id, seed in _entries(signing_raw, "AUDIT_SIGNING_KEYS")
    ]
    public_keys = {key_id: key.public_key() for key_id, key in signing}
    if verify_raw.strip():
        entries = _entries(verify_raw, "AUDIT_VERIFY_KEYS")
        for position, (key_id, raw_public) in enumerate(entries, start=1):
            public_key = Ed25519PublicKey.from_public_bytes(raw_public)
            known = public_keys.get(key_id)
            if known is not None and public_bytes(known) != raw_public:
                raise ImproperlyConfigured(
                    f"AUDIT_VERIFY_KEYS: the key id of entry {position} is also a signing key's "
                    "id, with another key."
                )
            public_keys[key_id] = public_key
    return Keyring(signing[0][0], signing[0][1], public_keys)


def keyring() -> Keyring:
    """The configured keys; raises ImproperlyConfigured when they are missing or malformed."""
    return _build(
        str(getattr(settings, "AUDIT_SIGNING_KEYS", "") or ""),
        str(getattr(settings, "AUDIT_VERIFY_KEYS", "") or ""),
    )


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def verify_key_line(key_id: str, key: Ed25519PublicKey) -> str:
    """An ``AUDIT_VERIFY_KEYS`` entry for a public key."""
    return f"{key_id}:{base64.b64encode(public_bytes(key)).decode('ascii')}"
