from __future__ import annotations

import base64
import stat
import subprocess
import sys
from pathlib import Path

from tests.processes import ROOT

SCRIPT = ROOT / "deploy" / "generate_keys.py"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=30, check=False)


def test_prints_a_key_line_in_the_configured_format() -> None:
    key_id, encoded = _run("kek-2026a").stdout.strip().split(":")
    assert key_id == "kek-2026a"
    assert len(base64.b64decode(encoded, validate=True)) == 32


def test_into_a_file_without_an_id_uses_a_timestamp_id_and_never_replaces(tmp_path: Path) -> None:
    target = tmp_path / "keys" / "encryption_keys"
    assert _run("--into", str(target)).returncode == 0
    key_id, _ = target.read_text().strip().split(":")
    assert key_id.startswith("k") and "/" not in key_id
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    first = target.read_text()
    assert "keeping it" in _run("other", "--into", str(target)).stdout
    assert target.read_text() == first


def test_refuses_an_id_the_applications_would_refuse() -> None:
    result = _run("not/a valid id")
    assert result.returncode != 0 and "key id" in result.stderr
