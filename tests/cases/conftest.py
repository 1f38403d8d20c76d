"""Fixtures of the cases tests: a stored case, and the encryption probe (tests.crypto.probe)
for the tests of what cases add to encryption (key columns, shredding, rotate_keys)."""

from __future__ import annotations

from tests.crypto.probe import case, note, probe_tables  # noqa: F401 - fixtures
