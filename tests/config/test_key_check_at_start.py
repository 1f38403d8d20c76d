"""Web and worker processes refuse to start when the keys cannot open the stored data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.processes import ROOT, run_python

SERVE = "import config.wsgi; print('serving')"
OTHER_KEK = "other-kek:BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU="


def test_web_process_starts_with_the_right_keys(migrated_db: Path) -> None:
    result = run_python(SERVE, migrated_db)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "serving" in result.stdout


def test_web_process_refuses_a_wrong_key(migrated_db: Path) -> None:
    result = run_python(SERVE, migrated_db, ENCRYPTION_KEYS=OTHER_KEK)
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
    assert "working" in run_python(code, migrated_db).stdout
    refused = run_python(code, migrated_db, ENCRYPTION_KEYS=OTHER_KEK)
    assert refused.returncode != 0 and "ENCRYPTION_KEYS" in refused.stderr


def test_unreachable_database_does_not_stop_the_web_process() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import config.wsgi; print('serving')"], cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings",
             "DATABASE_URL": "postgres://postgres@127.0.0.1:9/none"},
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Start-up checks skipped: database unavailable (OperationalError)" in result.stdout
