"""Staff sessions end after a while without a request, and at the latest some hours after
sign-in, whatever happens in between.

A workspace left open on an unattended computer shows confidential cases to whoever sits
down: the idle limit (``STAFF_IDLE_MINUTES``, 30 by default) closes it. A session kept busy
(a page that reloads itself, say) still ends ``SESSION_COOKIE_AGE`` seconds after sign-in
(8 hours by default), so a stolen session cookie is worth a working day at most.

The two moments live in the session itself: the sign-in is stamped when Django signs the user
in (``user_logged_in``, so every way of signing in counts), the last request by the
middleware, at most once a minute so that reading pages does not write the session each time.
A signed-in session with no stamp (made before this existed) is ended too.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

SIGNED_IN_AT = "staff_signed_in_at"
SEEN_AT = "staff_seen_at"
# How stale the "last request" stamp may get before it is written again.
_SEEN_RESOLUTION = 60


def stamp_sign_in(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: the moment the session's absolute limit counts from."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SIGNED_IN_AT] = now
        request.session[SEEN_AT] = now


def _expired(session: Any, now: int) -> bool:
    signed_in, seen = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in, int) or not isinstance(seen, int):
        return True
    return (now - seen > settings.STAFF_IDLE_MINUTES * 60
            or now - signed_in > settings.SESSION_COOKIE_AGE)


class StaffSessionTimeoutMiddleware:
    """Signs out a staff member whose session went idle or is too old (after
    AuthenticationMiddleware; before the views, so an expired session opens nothing)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            if _expired(request.session, now):
                logout(request)
                messages.info(request, _("You were signed out to keep the cases safe: the "
                                         "session was idle for too long, or had lasted a "
                                         "working day. Please sign in again."))
                if request.method == "GET":
                    return redirect_to_login(request.get_full_path())
                return redirect_to_login("/staff/")
            if now - request.session[SEEN_AT] >= _SEEN_RESOLUTION:
                request.session[SEEN_AT] = now
        return self.get_response(request)
