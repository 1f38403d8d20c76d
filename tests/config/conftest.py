"""Fixtures for tests that start real processes (web, worker) in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_python(code: str, db: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with the test settings (and this SQLite file)."""
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", **env}
    if db is not None:
        full["DATABASE_URL"] = f"sqlite:///{db}"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file of its own, so child processes start on a complete schema
    (with the key canary) whatever database the suite itself runs on."""
    db = tmp_path_factory.mktemp("processes") / "db.sqlite3"
    result = run_python("import django; django.setup(); from django.core.management import "
                        "call_command; call_command('migrate', verbosity=0)", db)
    assert result.returncode == 0, result.stderr[-2000:]
    return db
