"""Start-up refuses missing or malformed configuration with a message naming the variable.

Each case starts a fresh interpreter with the real settings module, as a server would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEK = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
BIK = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM="
RCK = "BgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgYGBgY="
ASK = "BAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ="
GOOD = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_ENV": "demo",
    "SECRET_KEY": "x" * 50,
    "ENCRYPTION_KEYS": f"k1:{KEK}",
    "BLIND_INDEX_KEYS": f"b1:{BIK}",
    "RECEIPT_CODE_KEYS": f"r1:{RCK}",
    "AUDIT_SIGNING_KEYS": f"a1:{ASK}",
    "DATABASE_URL": "sqlite:///:memory:",
}


def _start(env: dict[str, str | None]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.endswith(("_KEYS", "_KEYS_FILE"))}
    for name in ("SECRET_KEY", "SECRET_KEY_FILE", "DATABASE_URL", "CACHE_URL", "DEBUG",
                 "CELERY_BROKER_URL", "DATABASE_URL_FILE"):
        base.pop(name, None)
    merged = {**base, **GOOD, **env}
    clean = {k: v for k, v in merged.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False,
    )


def test_good_configuration_starts() -> None:
    result = _start({})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "started" in result.stdout


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32"),
        ({"DEBUG": "perhaps"}, "DEBUG must be a boolean"),
        ({"DJANGO_ENV": "staging"}, "DJANGO_ENV must be one of"),
        ({"DATABASE_URL": "nonsense://what"}, "DATABASE_URL is malformed"),
        ({"CACHE_URL": "memcached://x"}, "CACHE_URL must start with"),
        ({"SESSION_COOKIE_AGE": "soon"}, "SESSION_COOKIE_AGE must be an integer"),
        ({"ENCRYPTION_KEYS": None}, "ENCRYPTION_KEYS"),
        ({"AUDIT_SIGNING_KEYS": None}, "AUDIT_SIGNING_KEYS"),
        ({"DJANGO_ENV": "production", "ALLOWED_HOSTS": None}, "ALLOWED_HOSTS is required"),
        ({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "a.example"}, "CACHE_URL is required"),
        ({"DJANGO_ENV": "production", "DEBUG": "true"}, "DEBUG must not be true"),
        ({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "a.example", "DATABASE_URL": None,
          "CACHE_URL": "redis://127.0.0.1:6379/1"}, "DATABASE_URL is required"),
        ({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "a.example",
          "CACHE_URL": "redis://127.0.0.1:6379/1"}, "CELERY_BROKER_URL is required"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_configuration_stops_start_up_naming_the_variable(
    env: dict[str, str | None], named: str
) -> None:
    result = _start(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr
    assert "started" not in result.stdout


def test_manage_py_names_the_missing_variable_instead_of_a_traceback() -> None:
    secrets = {"SECRET_KEY", "SECRET_KEY_FILE"}
    base = {k: v for k, v in os.environ.items()
            if not k.endswith(("_KEYS", "_KEYS_FILE")) and k not in secrets}
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT, env={**base, "DJANGO_SETTINGS_MODULE": "config.settings",
                       "DJANGO_ENV": "production"},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: The secret SECRET_KEY is required: set SECRET_KEY or "
        "SECRET_KEY_FILE."
    )
