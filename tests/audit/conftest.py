"""Fixtures for the audit tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.audit.triggers_off import erase_audit_trail


@pytest.fixture
def clean_audit_trail(transactional_db: None) -> Iterator[None]:
    """For transactional tests: empty the append-only tables so the runner's flush can run."""
    yield
    erase_audit_trail()
