"""The permission matrix (pretix style): persona, URL -> expected status.

Every URL pattern of the project must appear here; a new URL that is not in the matrix fails
the suite. Each app contributes its rows in ``tests/<app>/matrix.py`` as ``MATRIX``: a list of
``Row``s; the rows below cover the foundation's own URLs. Besides the statuses, the matrix test
itself checks, for every row and persona, that

- the row's path reaches the view the row names (``check_route``);
- a URL without a POST row refuses POST with 405 (``check_post_refused``);
- a redirect of someone without the session a page needs leads to signing in;
- a reporter persona sees only their own case.

An app's matrix module that fails to import fails the suite (``app_rows``).
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.conftest import Personas
from tests.matrix import (
    ANON,
    OTHER_REPORTER,
    PERSONAS,
    REPORTER,
    REPORTERS,
    SIGNED_OUT,
    THIS_CASE_MESSAGE,
    Row,
    case_in,
    check_post_refused,
    check_route,
    resolve_data,
    resolve_route,
    sign_in_page,
    sign_in_reporter,
    web_report,
)

FOUNDATION = [
    Row("healthz", "/healthz", {p: 200 for p in PERSONAS}),
    Row("intake:landing", "/", {p: 200 for p in PERSONAS}),
    Row("set_language", "/i18n/setlang/", {p: 302 for p in PERSONAS}, method="post",
        data={"language": "nl", "next": "/"}),
    Row("accounts:login", "/staff/login/",
        {p: (200 if p in SIGNED_OUT else 302) for p in PERSONAS}),
    # A failed sign-in is the form again; someone signed in already is sent on.
    Row("accounts:login", "/staff/login/",
        {p: (200 if p in SIGNED_OUT else 302) for p in PERSONAS}, method="post",
        data={"username": "nobody", "password": "wrong", "otp_token": "123456"}),
    Row("accounts:logout", "/staff/logout/", {p: 302 for p in PERSONAS}, method="post"),
    # The admin is for the system administrator only; everyone else is sent to sign in.
    *[Row("admin_login_redirect", "/admin/login/", {p: 302 for p in PERSONAS}, method=method)
      for method in ("get", "post")],
    *[Row("admin:index", "/admin/", {p: (200 if p == "superuser" else 302) for p in PERSONAS},
          method=method) for method in ("get", "post")],
]


def _admin_rows() -> list[Row]:
    """Every model page of the admin: the system administrator only, everyone else is sent to
    sign in. What is *not* registered there (case content, the audit trail) cannot leak."""
    rows = []
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        # A changelist takes POST too (bulk actions); sent without one, it is shown again.
        rows += [Row(name, reverse(name),
                     {p: (200 if p == "superuser" else 302) for p in PERSONAS}, method=method)
                 for method in ("get", "post")]
    return rows


def app_rows(package: ModuleType = tests) -> list[Row]:
    """The rows of every ``<package>.<app>.matrix`` module.

    Only an app that has no matrix module is passed over. Whether it has one is asked of the
    import system without running anything (``find_spec``), so a matrix module that exists but
    fails to import (a renamed helper, a moved app) fails the whole suite here instead of
    quietly taking its rows out of the matrix.
    """
    rows: list[Row] = []
    for module in pkgutil.iter_modules(package.__path__):
        if not module.ispkg:
            continue
        name = f"{package.__name__}.{module.name}.matrix"
        if importlib.util.find_spec(name) is None:
            continue
        rows.extend(importlib.import_module(name).MATRIX)
    return rows


ALL_ROWS = FOUNDATION + _admin_rows() + app_rows()

# Rows with a fixed path are checked as the suite is collected; rows whose path is built from
# data are checked in the matrix test, on the path it requests.
for _row in ALL_ROWS:
    if not callable(_row.path):
        check_route(_row, _row.path)

# URLs that have a POST row; every other URL must refuse POST (see check_post_refused).
POSTED = {row.name for row in ALL_ROWS if row.method == "post"}


def _project_route_names() -> set[str]:
    """Names of all our URL patterns (the admin's own pages count as one: admin:index)."""
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
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
def test_permission_matrix(row: Row, persona: str, client: Client, personas: Personas) -> None:
    from tests.factories import sign_in_verified

    path = resolve_route(row, personas)
    check_route(row, path)
    if persona in REPORTERS:
        # The row's case: the one in its path, or else a report the reporter persona made.
        this_case = case_in(path) or web_report(personas, answered=True).pk
        sign_in_reporter(client, personas, this_case if persona == REPORTER
                         else web_report(personas).pk)
    elif persona != ANON:
        sign_in_verified(client, getattr(personas, persona))
    response = getattr(client, row.method)(path, resolve_data(row, personas))
    assert response.status_code == row.expected[persona], (
        f"{persona} {row.method.upper()} {path}: {response.status_code}"
    )
    target = sign_in_page(path, persona)
    if response.status_code == 302 and target is not None:
        assert response["Location"].startswith(target), (
            f"{persona} {row.method.upper()} {path}: sent to {response['Location']}, "
            f"not to sign in at {target}")
    if persona in REPORTERS:
        _shows_only_the_reporters_own_case(response, persona)
    if row.method == "get" and row.name not in POSTED:
        check_post_refused(client, row.name, path, persona)


def _shows_only_the_reporters_own_case(response: Any, persona: str) -> None:
    body = response.content.decode(errors="replace")
    if persona == OTHER_REPORTER:
        assert THIS_CASE_MESSAGE not in body, "another case's message reached this reporter"
    elif "intake/status.html" in {t.name for t in response.templates}:
        assert THIS_CASE_MESSAGE in body, "the reporter's status page is not their own case"


# --- one persona, one case: the same answer from every case page -----------------------------

# What each case page does, in access.require's terms: the per-case permission it needs, None
# for a coordinator's action, SEE for showing the case (which coordinators may, without its
# content). A transition needs what its spec says. A new case URL must be added here.
SEE = "see"
CASE_PAGES: dict[str, str | None] = {
    "cases:detail": SEE,
    "cases:assign": None,
    "cases:consent": "handle_case",
    "cases:convert": "handle_case",
    "cases:note_add": "handle_case",
    "cases:message_send": "handle_case",
    "cases:attachment_upload": "handle_case",
    "cases:attachment_download": "view_case",
    "cases:transition": "(the transition's own)",
}


def _case_routes() -> list[tuple[str, set[str]]]:
    """Every URL of the project that is about one case: its name and its parameters."""
    routes: list[tuple[str, set[str]]] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns,
                         f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix)
            elif "case_id" in (params := set(pattern.pattern.regex.groupindex)):
                # Every pattern has a name: test_every_url_is_in_the_matrix insists on it.
                routes.append((f"{prefix}{pattern.name}", params))

    walk(get_resolver().url_patterns, "")
    return routes


def _case_pages(case: Any, attachment: Any) -> list[tuple[str, str, str | None]]:
    """(name, path, what access.require is asked) for every case URL, for one case."""
    from cases.transitions import SPECS

    pages = []
    routes = _case_routes()
    assert {name for name, _params in routes} == set(CASE_PAGES), "CASE_PAGES is out of date"
    for name, params in routes:
        assert name in CASE_PAGES, f"{name} is about a case: say in CASE_PAGES what it does"
        unknown = params - {"case_id", "attachment_id", "action"}
        assert not unknown, f"{name}: teach this test about {sorted(unknown)}"
        kwargs = {"case_id": case.pk, "attachment_id": attachment.pk}
        if "action" in params:
            pages += [(name, reverse(name, kwargs={"case_id": case.pk, "action": slug}),
                       spec.codename) for slug, spec in SPECS.items()]
        else:
            pages.append((name, reverse(name, kwargs={k: kwargs[k] for k in params}),
                          CASE_PAGES[name]))
    return pages


def _refusal(user: Any, codename: str | None, case: Any) -> int | None:
    """What the services answer ``user`` for this action on this case: 404, 403 or None."""
    from cases import access, selectors
    from cases.exceptions import CaseNotFound, NotPermitted

    try:
        if codename == SEE:
            selectors.case_overview(actor=user, case_id=case.pk)
        else:
            access.require(user, codename, case)
    except CaseNotFound:
        return 404
    except NotPermitted:
        return 403
    return None


@pytest.mark.parametrize("build", ["report", "referred"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_a_persona_gets_the_same_answer_for_a_case_from_every_page(
        persona: str, build: str, client: Client, personas: Personas) -> None:
    """For one case, every case page (GET and POST) refuses a persona exactly as the services
    do: whoever may not see the case gets 404 everywhere, never a 403 that would tell the case
    exists; whoever sees it but may not take an action gets 403 for it; a page nobody refuses
    opens. Anonymous visitors and reporters (even this case's) are sent to sign in."""
    from cases import services
    from tests.cases import matrix as cases_matrix
    from tests.factories import sign_in_verified

    case = getattr(cases_matrix, build)(personas)
    attachment = services.attachment_add(case_id=case.pk, actor=personas.advisor,
                                         filename="statement.txt", content=b"matrix file")
    if persona in REPORTERS:
        sign_in_reporter(client, personas, case.pk if persona == REPORTER
                         else web_report(personas).pk)
    elif persona != ANON:
        sign_in_verified(client, getattr(personas, persona))
    user = getattr(personas, persona, None)
    sees = persona not in SIGNED_OUT and _refusal(user, SEE, case) is None
    answers: dict[str, int] = {}
    for name, path, codename in _case_pages(case, attachment):
        refusal = 302 if persona in SIGNED_OUT else _refusal(user, codename, case)
        # Only refused requests are POSTed: an allowed one would change the case.
        for method in ("get", "post") if refusal else ("get",):
            response = getattr(client, method)(path)
            status = response.status_code
            if status == 405:  # the page does not take this method; it says nothing
                continue
            answers[f"{method.upper()} {path}"] = status
            if refusal:
                assert status == refusal, (
                    f"{persona} {method.upper()} {path} ({name}): {status}, but the service "
                    f"answers {refusal}")
                _says_nothing_of_the_case(response, case)
            else:
                assert status not in (403, 404), (
                    f"{persona} GET {path} ({name}): {status}, but the service allows it")
    assert len(answers) >= len(CASE_PAGES), "every case page answered at least once"
    if persona not in SIGNED_OUT and not sees:
        assert set(answers.values()) == {404}, (
            f"{persona} may not see the case, yet: "
            f"{ {k: v for k, v in answers.items() if v != 404} }")


def _says_nothing_of_the_case(response: Any, case: Any) -> None:
    """A refusal is the plain error page: nothing of the case, its code or the error's own
    words (which name the role and the case's state)."""
    body = response.content.decode(errors="replace")
    for secret in (str(case.pk), case.reference, "Matrix narrative", "Matrix Reporter",
                   "metadata only", "in your role", "statement.txt"):
        assert secret not in body, f"a refusal shows {secret!r}"


# --- the guards themselves bite ---------------------------------------------------------------


def test_a_row_whose_path_reaches_another_view_is_refused() -> None:
    everyone = {p: 200 for p in PERSONAS}
    check_route(Row("cases:dashboard", "/staff/", everyone), "/staff/")
    with pytest.raises(AssertionError, match="reaches 'cases:dashboard'"):
        check_route(Row("cases:list", "/staff/", everyone), "/staff/")
    # A built path is checked as built: here one that reaches no view at all.
    built = Row("cases:detail", lambda personas: "/staff/cases/not-a-uuid/", everyone)
    with pytest.raises(AssertionError, match=r"reaches '\(no view\)'"):
        check_route(built, resolve_route(built, None))
    # The query string is not part of the route.
    check_route(Row("audit:log", "/staff/audit/?action=x", everyone), "/staff/audit/?action=x")


def _package(root: Path, name: str, files: dict[str, str]) -> None:
    for relative, text in {"__init__.py": "", **files}.items():
        path = root / name / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_an_app_without_a_matrix_module_is_passed_over(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _package(tmp_path, "matrix_guard_ok", {
        "plain/__init__.py": "",
        "listed/__init__.py": "",
        "listed/matrix.py": "from tests.matrix import PERSONAS, Row\n"
                            "MATRIX = [Row('healthz', '/healthz', {p: 200 for p in PERSONAS})]\n",
    })
    monkeypatch.syspath_prepend(str(tmp_path))
    assert [row.name for row in app_rows(importlib.import_module("matrix_guard_ok"))] == [
        "healthz"]


def test_a_matrix_module_that_fails_to_import_fails_the_suite(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _package(tmp_path, "matrix_guard_broken", {
        "plain/__init__.py": "",
        "broken/__init__.py": "",
        "broken/matrix.py": "from tests.no_such_module import ROWS\nMATRIX = ROWS\n",
    })
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ModuleNotFoundError, match=r"tests\.no_such_module"):
        app_rows(importlib.import_module("matrix_guard_broken"))


@pytest.mark.django_db
def test_a_url_that_accepts_post_without_a_post_row_is_named(client) -> None:  # type: ignore[no-untyped-def]
    check_post_refused(client, "intake:landing", "/", ANON)  # require_GET: 405
    with pytest.raises(AssertionError, match="intake:talk accepts POST"):
        check_post_refused(client, "intake:talk", "/talk/", ANON)
