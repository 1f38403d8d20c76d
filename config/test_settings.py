"""Settings for the test suite: the real settings module with test-only secrets.

Only the environment differs, as in production; a test run never reads real keys.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_ENV", "test")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-any-real-deployment")

from config.settings import *  # noqa: F403

# Argon2 is deliberately slow; the suite hashes hundreds of passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
