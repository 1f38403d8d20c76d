"""Building blocks for the permission matrix; see tests/test_permission_matrix.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

from django.urls import Resolver404, resolve

ANON = "anonymous"
# Reporters have no account: a reporter persona is a browser signed in on /status/ with a
# receipt code. REPORTER holds the code of the row's case (the case in its path, or a web report
# made for the test when the path names none); OTHER_REPORTER the code of another case.
REPORTER = "reporter"
OTHER_REPORTER = "other_reporter"
REPORTERS = (REPORTER, OTHER_REPORTER)
# Nobody signed in to the staff workspace: every staff page sends them to sign in.
SIGNED_OUT = (ANON, *REPORTERS)
PERSONAS = (
    ANON,
    REPORTER,
    OTHER_REPORTER,
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


def remember(personas: Any, registered: Any) -> Any:
    """The case of a ``RegisteredCase``, its receipt code noted so that a reporter persona can
    sign in with it. Every case a row builds must pass through here."""
    personas.receipt_codes[registered.case.pk] = registered.receipt_code
    return registered.case


# On the reporter's own case only: the other reporter must never see it.
THIS_CASE_MESSAGE = "Only the reporter of this case may read this message."


def web_report(personas: Any, *, answered: bool = False) -> Any:
    """A named report sent through the web form (its code needs no replacing); ``answered``:
    assigned to the advisor persona, who has written to the reporter."""
    # Imported here: the rest of this module is plain data and needs no app.
    from cases import services
    from cases.choices import Channel, Kind, Population, ReporterRole

    data = services.CaseInput(kind=Kind.REPORT, channel=Channel.NAMED,
                              reporter_role=ReporterRole.AFFECTED,
                              reporter_population=Population.STUDENT,
                              narrative="Matrix web report", reporter_name="Web Reporter")
    case = remember(personas, services.case_submit(data=data))
    if answered:
        services.case_assign(case_id=case.pk, actor=personas.coordinator,
                             advisor_ids=[personas.advisor.pk])
        services.message_send(case_id=case.pk, actor=personas.advisor, body=THIS_CASE_MESSAGE)
    return case


def case_in(path: str) -> UUID | None:
    """The case a staff path is about, if any."""
    try:
        return resolve(urlsplit(path).path).kwargs.get("case_id")
    except Resolver404:
        return None


def sign_in_reporter(client: Any, personas: Any, case_id: UUID) -> None:
    """Sign in on /status/ as a reporter does: with the case's receipt code."""
    code = personas.receipt_codes.get(case_id)
    assert code, f"no receipt code known for case {case_id}: build it through matrix.remember"
    response = client.post("/status/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/status/case/", (
        f"the receipt code of case {case_id} did not sign in: {response.status_code}")


def sign_in_page(path: str, persona: str) -> str | None:
    """Where a redirect must lead when ``persona`` lacks the session ``path`` needs (so that a
    302 in the matrix means "sent to sign in", not "done, and sent on"); None when a redirect
    may lead elsewhere."""
    route = urlsplit(path).path
    if route.startswith("/status/case/"):
        return None if persona in REPORTERS else "/status/"
    if route.startswith("/admin/") and route != "/admin/login/":
        return None if persona == "superuser" else "/admin/login/"
    if route.startswith("/staff/") and route not in ("/staff/login/", "/staff/logout/"):
        return "/staff/login/" if persona in SIGNED_OUT else None
    return None


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
