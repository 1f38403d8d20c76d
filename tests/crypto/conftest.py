"""The probe model's fixtures (see tests.crypto.probe), for every encryption test."""

from __future__ import annotations

from tests.crypto.probe import case, note, probe_tables  # noqa: F401 - fixtures
