"""Start real processes (web, worker, management commands) in a fresh interpreter."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, db: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with the test settings (and this SQLite file)."""
    full = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings", **env}
    if db is not None:
        full["DATABASE_URL"] = f"sqlite:///{db}"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full,
                          capture_output=True, text=True, timeout=120, check=False)
