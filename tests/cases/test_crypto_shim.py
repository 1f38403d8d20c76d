"""cases/crypto/ is a shim for the historic migrations of cases, and only for them."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import cases
import crypto.blind_index
import crypto.fields

ROOT = Path(cases.__file__).resolve().parent.parent
# An import of the shim, or a dotted use of it as the migrations make (cases.crypto.fields.X).
_USES_SHIM = re.compile(r"^\s*(from|import)\s+cases\.crypto\b|\bcases\.crypto\.\w+\.\w+\(", re.M)
_SKIPPED = {".venv", "node_modules", "var", ".git"}


def test_historic_migrations_get_the_field_classes_of_crypto() -> None:
    shim_fields = importlib.import_module("cases.crypto.fields")
    shim_index = importlib.import_module("cases.crypto.blind_index")
    assert shim_fields.EncryptedTextField is crypto.fields.EncryptedTextField
    assert shim_fields.EncryptedBytesField is crypto.fields.EncryptedBytesField
    assert shim_index.BlindIndexField is crypto.blind_index.BlindIndexField


def test_nothing_but_historic_migrations_uses_the_shim() -> None:
    users = {
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if not _SKIPPED & set(path.relative_to(ROOT).parts)
        and _USES_SHIM.search(path.read_text(encoding="utf-8"))
    }
    assert users == {
        "cases/migrations/0001_initial.py",
        "cases/migrations/0003_workflow.py",
        "cases/migrations/0006_intake.py",
    }
