"""The reporter's signed-in state on /status/: small, short-lived, and gone when they leave.

The session holds the case id and the selector of the code used (never the code), and when
the reporter was last active. After ``REPORTER_IDLE_MINUTES`` without a request it ends, so a
phone left on a table does not stay open on someone's case. The cookie is a browser-session
cookie (``SESSION_EXPIRE_AT_BROWSER_CLOSE``): nothing persists on the device.
"""

from __future__ import annotations

import time
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest

from cases.services import ReporterAccess

KEY = "reporter"


def sign_in(request: HttpRequest, reporter: ReporterAccess) -> None:
    # A new session key on every sign-in: a session id planted before it is worth nothing.
    request.session.cycle_key()
    request.session.set_expiry(0)
    _store(request, reporter)


def _store(request: HttpRequest, reporter: ReporterAccess) -> None:
    request.session[KEY] = {"case": str(reporter.case_id), "selector": reporter.selector,
                            "must_replace": reporter.must_replace, "seen": int(time.time())}


def current(request: HttpRequest) -> ReporterAccess | None:
    """The signed-in reporter, or None (never signed in, idle too long, or left)."""
    state = request.session.get(KEY)
    if not isinstance(state, dict):
        return None
    if time.time() - state.get("seen", 0) > settings.REPORTER_IDLE_MINUTES * 60:
        end(request)
        request.reporter_timed_out = True  # type: ignore[attr-defined]
        return None
    state["seen"] = int(time.time())
    request.session.modified = True
    return ReporterAccess(case_id=UUID(state["case"]), selector=state["selector"],
                          must_replace=bool(state.get("must_replace")))


def replace(request: HttpRequest, reporter: ReporterAccess) -> None:
    """After a code replacement: the session follows the new code. The session key stays: a
    second sending of the same request (a double click) still carries it and must find the
    session to be answered with the same new code."""
    _store(request, reporter)


def end(request: HttpRequest) -> None:
    """Forget the reporter (a staff sign-in in the same browser, if any, stays)."""
    request.session.pop(KEY, None)
    request.session.cycle_key()
