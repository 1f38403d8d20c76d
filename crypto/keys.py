"""The configured key rings: key-encryption keys and blind-index keys.

Both settings are raw strings (from the environment or ``<NAME>_FILE``) of the form
``<key-id>:<base64 of 32 bytes>[,<key-id>:<base64>...]``, newest first. They are parsed here,
once per distinct settings value: the cache is keyed by the raw string, so a changed setting
(``override_settings`` in tests, a re-read in a long-lived process) is picked up without a
signal, and an unchanged one costs a dictionary lookup.

Nothing here is ever derived from ``SECRET_KEY``, and no error message echoes key material.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import re
from collections.abc import Iterator

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from crypto.exceptions import UnknownKeyError

KEY_BYTES = 32
# Short and plain, so an id can be stored in a narrow column and safely named in messages. The
# length limit also keeps a pasted base64 key (44 characters) from passing as an id.
KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
KEY_ID_MAX_LENGTH = 32

ENCRYPTION_KEYS = "ENCRYPTION_KEYS"
BLIND_INDEX_KEYS = "BLIND_INDEX_KEYS"
RECEIPT_CODE_KEYS = "RECEIPT_CODE_KEYS"

_FORMAT_HINT = (
    "expected comma-separated <key-id>:<base64 of 32 bytes>, newest first "
    "(generate one with `python deploy/generate_keys.py`)"
)


class KeyRing:
    """Versioned keys of one setting, newest first. ``repr`` shows ids only."""

    __slots__ = ("_aeads", "_keys", "setting")

    def __init__(self, setting: str, keys: list[tuple[str, bytes]]) -> None:
        self.setting = setting
        self._keys = dict(keys)
        self._aeads: dict[str, AESGCM] = {}

    @property
    def newest_id(self) -> str:
        return next(iter(self._keys))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._keys)

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        return iter(self._keys.items())

    def __repr__(self) -> str:
        return f"<KeyRing {self.setting}: {', '.join(self._keys)}>"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Key rings are never pickled.")

    def material(self, key_id: str) -> bytes:
        try:
            return self._keys[key_id]
        except KeyError:
            raise UnknownKeyError(
                f"The key {key_id!r} is not configured in {self.setting}."
            ) from None

    def aead(self, key_id: str) -> AESGCM:
        """The AES-GCM cipher for one key, built once per key ring."""
        cipher = self._aeads.get(key_id)
        if cipher is None:
            cipher = self._aeads[key_id] = AESGCM(self.material(key_id))
        return cipher


def parse_keyring(setting: str, raw: str) -> KeyRing:
    """Parse and validate one key setting; raises ImproperlyConfigured naming the setting."""
    entries = [entry.strip() for entry in (raw or "").split(",")]
    if not any(entries):
        raise ImproperlyConfigured(f"{setting} is empty; {_FORMAT_HINT}.")
    keys: list[tuple[str, bytes]] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        if not entry:
            raise ImproperlyConfigured(f"{setting}: entry {position} is empty; {_FORMAT_HINT}.")
        key_id, separator, encoded = entry.partition(":")
        if not separator:
            raise ImproperlyConfigured(
                f"{setting}: entry {position} is not of the form <key-id>:<base64>; {_FORMAT_HINT}."
            )
        if not KEY_ID_PATTERN.fullmatch(key_id):
            # The id is not echoed: a malformed one may be key material pasted in the wrong place.
            raise ImproperlyConfigured(
                f"{setting}: entry {position} has an invalid key id (1-32 letters, digits, '.', "
                "'_' or '-', starting with a letter or digit)."
            )
        try:
            material = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(
                f"{setting}: the key {key_id!r} is not valid base64; {_FORMAT_HINT}."
            ) from None
        if len(material) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"{setting}: the key {key_id!r} decodes to {len(material)} bytes; it must be "
                f"exactly {KEY_BYTES} bytes; {_FORMAT_HINT}."
            )
        if key_id in seen:
            raise ImproperlyConfigured(f"{setting}: the key id {key_id!r} appears more than once.")
        seen.add(key_id)
        keys.append((key_id, material))
    return KeyRing(setting, keys)


@functools.lru_cache(maxsize=16)
def _cached_keyring(setting: str, raw: str) -> KeyRing:
    return parse_keyring(setting, raw)


def encryption_keyring() -> KeyRing:
    """The key-encryption keys (``settings.ENCRYPTION_KEYS``), newest first."""
    return _cached_keyring(ENCRYPTION_KEYS, getattr(settings, ENCRYPTION_KEYS, ""))


def blind_index_keyring() -> KeyRing:
    """The blind-index keys (``settings.BLIND_INDEX_KEYS``), newest first."""
    return _cached_keyring(BLIND_INDEX_KEYS, getattr(settings, BLIND_INDEX_KEYS, ""))


def receipt_code_keyring() -> KeyRing:
    """The peppers of receipt-code verifiers (``settings.RECEIPT_CODE_KEYS``), newest first."""
    return _cached_keyring(RECEIPT_CODE_KEYS, getattr(settings, RECEIPT_CODE_KEYS, ""))


def validate_configured_keys() -> None:
    """Refuse to start with missing, short, malformed or reused keys."""
    rings = [encryption_keyring(), blind_index_keyring(), receipt_code_keyring()]
    for position, ring in enumerate(rings):
        for other in rings[:position]:
            for key_id, material in ring:
                for other_id, other_material in other:
                    if hmac.compare_digest(material, other_material):
                        raise ImproperlyConfigured(
                            f"{ring.setting}: the key {key_id!r} is the same as the key "
                            f"{other_id!r} in {other.setting}; each purpose needs its own key."
                        )
