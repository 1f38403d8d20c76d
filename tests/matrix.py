"""Building blocks for the permission matrix; see tests/test_permission_matrix.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve

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


# The admin's catch-all pattern has no name, so Django names it by its function. A row with
# this name is about a path the admin has no page for (what must not be in the admin).
ADMIN_CATCH_ALL = "admin:django.contrib.admin.sites.catch_all_view"
NO_VIEW = "(no view)"


def route_name(path: str) -> str:
    """The namespaced name of the view ``path`` reaches (the query string aside)."""
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return NO_VIEW


def check_route(row: Row, path: str) -> None:
    """A row's name must be the view its path reaches: a row that names one view while its path
    hits another would test the wrong page and still count the named one as covered."""
    found = route_name(path)
    if found != row.name:
        raise AssertionError(f"matrix row {row.name!r}: {path} reaches {found!r}, "
                             f"not {row.name!r}")
