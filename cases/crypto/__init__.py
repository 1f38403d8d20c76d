"""Encryption at rest for case content (DESIGN.md §4); see docs/encryption.md.

Modules, from the bottom up:

- ``keys``        the configured key rings (``ENCRYPTION_KEYS``, ``BLIND_INDEX_KEYS``), validated
- ``envelope``    per-case data keys wrapped by key-encryption keys; the value format
- ``fields``      ``EncryptedTextField``, ``EncryptedJSONField``, ``EncryptedBytesField``
- ``destroyed``   ``DESTROYED``, what values of a crypto-shredded case read as
- ``blind_index`` ``blind_index()``, ``blind_index_candidates()``, ``BlindIndexField``
- ``canary``      ``verify_canary()``, the start-up proof that the keys are the right ones
- ``rotation``    re-wrapping data keys under the newest key (``manage.py rotate_keys``)
- ``checks``      the ``security`` system check built on the canary
- ``exceptions``  ``DecryptionError`` and friends
"""
