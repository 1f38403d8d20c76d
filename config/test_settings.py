"""Settings for the test suite: the real settings module with test-only secrets.

Only the environment differs, as in production; a test run never reads real keys.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_ENV", "test")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-deployment")
# Fixed, public test keys: 32 bytes each, base64. Never valid anywhere but in the test suite.
os.environ.setdefault(
    "ENCRYPTION_KEYS", "test-kek-2:AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=,"
    "test-kek-1:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
)
os.environ.setdefault(
    "BLIND_INDEX_KEYS", "test-bik-1:AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM="
)
os.environ.setdefault(
    "RECEIPT_CODE_KEYS", "test-rck-1:BgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgY="
)
os.environ.setdefault(
    "AUDIT_SIGNING_KEYS", "test-ask-1:BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ="
)

from config.settings import *  # noqa: F403

# Argon2 is deliberately slow; the suite hashes hundreds of passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
