"""Encryption at rest (DESIGN.md §4); see docs/encryption.md.

At the bottom of the layers: it imports no domain app. The models whose rows own data keys
register themselves in ``registry`` (``cases`` does, for ``Case``).

Modules, from the bottom up:

- ``exceptions``  ``DecryptionError`` and friends
- ``keys``        the configured key rings (``ENCRYPTION_KEYS``, ``BLIND_INDEX_KEYS``,
                  ``RECEIPT_CODE_KEYS``), validated
- ``envelope``    per-row data keys wrapped by key-encryption keys; the value format
- ``destroyed``   ``DESTROYED``, what values read as once their data key is destroyed
- ``fields``      ``EncryptedTextField``, ``EncryptedJSONField``, ``EncryptedBytesField``
- ``blind_index`` ``blind_index()``, ``blind_index_candidates()``, ``BlindIndexField``
- ``registry``    ``register_key_owner()``: the models whose rows hold data keys
- ``models``      ``KeyCanary``
- ``canary``      ``verify_canary()``, the start-up proof that the keys are the right ones
- ``rotation``    re-wrapping data keys under the newest key (``manage.py rotate_keys``)
- ``checks``      the ``security`` system check built on the canary
"""
