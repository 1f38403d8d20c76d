"""The permission matrix (pretix style): persona, URL -> expected status.

Every URL pattern of the project must appear here; a new URL that is not in the matrix fails
the suite. Each app contributes its rows in ``tests/<app>/matrix.py`` as ``MATRIX``: a list of
``Row``s; the rows below cover the foundation's own URLs.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.matrix import ANON, PERSONAS, Row, resolve_route

FOUNDATION = [
    Row("healthz", "/healthz", {p: 200 for p in PERSONAS}),
    Row("intake:landing", "/", {p: 200 for p in PERSONAS}),
    Row("set_language", "/i18n/setlang/", {p: 302 for p in PERSONAS}, method="post",
        data={"language": "nl", "next": "/"}),
    Row("accounts:login", "/staff/login/",
        {p: (200 if p == ANON else 302) for p in PERSONAS}),
    Row("accounts:logout", "/staff/logout/", {p: 302 for p in PERSONAS}, method="post"),
    # The admin is for the system administrator only; everyone else is sent to sign in.
    Row("admin_login_redirect", "/admin/login/", {p: 302 for p in PERSONAS}),
    Row("admin:index", "/admin/", {p: (200 if p == "superuser" else 302) for p in PERSONAS}),
]


def _admin_rows() -> list[Row]:
    """Every model page of the admin: the system administrator only, everyone else is sent to
    sign in. What is *not* registered there (case content, the audit trail) cannot leak."""
    rows = []
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        rows.append(Row(name, reverse(name),
                        {p: (200 if p == "superuser" else 302) for p in PERSONAS}))
    return rows


def _app_rows() -> list[Row]:
    rows: list[Row] = []
    for module in pkgutil.iter_modules(tests.__path__):
        if module.ispkg:
            try:
                matrix = importlib.import_module(f"tests.{module.name}.matrix")
            except ModuleNotFoundError:
                continue
            rows.extend(matrix.MATRIX)
    return rows


ALL_ROWS = FOUNDATION + _admin_rows() + _app_rows()


def _project_route_names() -> set[str]:
    """Names of all our URL patterns (the admin's own pages count as one: admin:index)."""
    names: set[str] = set()

    def walk(patterns: list, prefix: str) -> None:  # type: ignore[type-arg]
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    names.add("admin:index")
                    continue
                ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern):
                if pattern.name is None:
                    raise AssertionError(f"URL pattern {pattern.pattern} has no name")
                names.add(prefix + pattern.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_is_in_the_matrix() -> None:
    missing = _project_route_names() - {row.name for row in ALL_ROWS}
    assert not missing, f"URLs missing from the permission matrix: {sorted(missing)}"


@pytest.mark.parametrize(
    ("row", "persona"),
    [(row, persona) for row in ALL_ROWS for persona in PERSONAS],
    ids=lambda v: v.name if isinstance(v, Row) else v,
)
def test_permission_matrix(row: Row, persona: str, client, personas) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import sign_in_verified

    if persona != ANON:
        sign_in_verified(client, getattr(personas, persona))
    path = resolve_route(row, personas)
    response = getattr(client, row.method)(path, row.data or {})
    assert response.status_code == row.expected[persona], (
        f"{persona} {row.method.upper()} {path}: {response.status_code}"
    )
