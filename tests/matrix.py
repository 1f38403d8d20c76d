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
    # What a POST sends; a callable builds it from the personas (ids, a fresh file).
    data: dict[str, Any] | Callable[[Any], dict[str, Any]] | None = field(default=None)

    def __post_init__(self) -> None:
        missing = set(PERSONAS) - set(self.expected)
        if missing:
            raise ValueError(f"matrix row {self.name} lacks personas {sorted(missing)}")


def resolve_route(row: Row, personas: Any) -> str:
    return row.path(personas) if callable(row.path) else row.path


def resolve_data(row: Row, personas: Any) -> dict[str, Any]:
    return (row.data(personas) if callable(row.data) else row.data) or {}


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


def check_post_refused(client: Any, name: str, path: str, persona: str) -> None:
    """A URL without a POST row must refuse POST: ask the view itself.

    Decorators are not read (a view may check the method by hand, in a class's
    ``http_method_names``, or not at all, and a decorator can sit under another one): the view
    is sent a POST, and only a 405 counts as refusing it. Any other answer, whether a page, a
    redirect or a 403/404 decided before the method was looked at, means the POST reached
    code that must be in the matrix with its own row. Each persona asks, because a view may
    look at who is asking before it looks at the method.
    """
    response = client.post(path)
    if response.status_code != 405:
        raise AssertionError(
            f"{name} accepts POST ({persona} POST {path}: {response.status_code}) but has no "
            f"POST row in the permission matrix")
