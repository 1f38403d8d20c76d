"""Building blocks for the permission matrix; see tests/test_permission_matrix.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ANON = "anonymous"
PERSONAS = (
    ANON,
    "advisor",
    "other_advisor",
    "coordinator",
    "misconduct_committee",
    "uu_committee",
    "auditor",
    "superuser",
    "no_role",
)


@dataclass(frozen=True)
class Row:
    """One URL: its route name, its path (or a callable building it from the personas, for
    object URLs that need data), and the expected status for every persona."""

    name: str
    path: str | Callable[[Any], str]
    expected: dict[str, int]
    method: str = "get"
    data: dict[str, Any] | None = field(default=None)

    def __post_init__(self) -> None:
        missing = set(PERSONAS) - set(self.expected)
        if missing:
            raise ValueError(f"matrix row {self.name} lacks personas {sorted(missing)}")


def resolve_route(row: Row, personas: Any) -> str:
    return row.path(personas) if callable(row.path) else row.path
