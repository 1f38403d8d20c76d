"""Query counts compared across data sizes, never pinned to one backend's number."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_of(action: Callable[[], object]) -> int:
    """How many SQL statements ``action`` sends (transaction statements included)."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)
