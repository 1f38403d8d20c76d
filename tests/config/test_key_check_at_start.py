"""Web and worker processes refuse to start when the keys cannot open the stored data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OTHER_KEK = "other-kek:BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU="


def _run(db: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings",
            "DATABASE_URL": f"sqlite:///{db}", **env}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("keys") / "db.sqlite3"
    result = _run(db, "import django; django.setup(); from django.core.management import "
                      "call_command; call_command('migrate', verbosity=0)")
    assert result.returncode == 0, result.stderr[-2000:]
    return db


def test_web_process_starts_with_the_right_keys(migrated_db: Path) -> None:
    result = _run(migrated_db, "import config.wsgi; print('serving')")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "serving" in result.stdout


def test_web_process_refuses_a_wrong_key(migrated_db: Path) -> None:
    result = _run(migrated_db, "import config.wsgi; print('serving')", ENCRYPTION_KEYS=OTHER_KEK)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "ENCRYPTION_KEYS" in result.stderr
    assert "BQUFBQUF" not in result.stderr  # the key material itself is never printed
    assert "serving" not in result.stdout


def test_worker_start_refuses_a_wrong_key(migrated_db: Path) -> None:
    code = ("import django; django.setup()\n"
            "from celery.signals import worker_init\n"
            "from config.celery import app\n"
            "worker_init.send(sender=None)\n"
            "print('working')\n")
    assert "working" in _run(migrated_db, code).stdout
    refused = _run(migrated_db, code, ENCRYPTION_KEYS=OTHER_KEK)
    assert refused.returncode != 0 and "ENCRYPTION_KEYS" in refused.stderr


def test_unreachable_database_does_not_stop_the_web_process() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi; print('serving')"], cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings",
             "DATABASE_URL": "postgres://postgres@127.0.0.1:9/none"},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Key check skipped: database unavailable (OperationalError)" in result.stdout
