"""Errors of the encryption layer.

Messages name models, fields, primary keys and key ids — never plaintext, key material or
ciphertext — so they are safe to log and to show an operator.
"""

from __future__ import annotations

from core.exceptions import ApplicationError


class CryptoError(ApplicationError):
    """Base class for every failure of the encryption layer: always a fault on our side (a
    key, a stored value), so a request it ends answers 500 and is logged in full."""


class DecryptionError(CryptoError):
    """A stored value or wrapped key could not be authenticated and decrypted.

    Raised for a tampered byte, a wrong key, or a ciphertext copied to another row or field.
    The stored bytes are never returned in its place.
    """


class UnknownKeyError(DecryptionError):
    """The key id recorded with a wrapped data key is not in the configured key ring."""


class KeyDestroyedError(CryptoError):
    """A value was to be encrypted for a case whose data key has been destroyed."""


class UnboundWriteError(CryptoError):
    """An encrypted column was written without going through ``Model.save()``.

    Encryption binds each value to its row and field, which only the model instance knows; so
    ``QuerySet.update()``, ``bulk_update()`` and copying a loaded ciphertext into a new row are
    refused instead of storing plaintext or a value that could never be decrypted.
    """
