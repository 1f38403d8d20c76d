"""Error pages that say what happened in plain words and echo nothing from the request.

The one place where an error becomes a response: Django's own (``Http404``,
``PermissionDenied``, a bad request, a crash) through the handlers in ``config.urls``, and
the project's domain errors (``core.exceptions.ApplicationError``) through
``ApplicationErrorMiddleware``, by their ``status_code`` alone. Neither ever shows an error's
message: it may name a case, a state or an id.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exceptions import ApplicationError

# Title and text of the page for each status a domain error may carry.
PAGES: dict[int, tuple[Promise, Promise]] = {
    400: (gettext_lazy("Something in the request was not right"),
          gettext_lazy("Please go back and try again.")),
    403: (gettext_lazy("Not allowed"),
          gettext_lazy("You do not have access to this page.")),
    404: (gettext_lazy("Page not found"),
          gettext_lazy("This page does not exist, or you do not have access to it.")),
    409: (gettext_lazy("This has changed in the meantime"),
          gettext_lazy("Someone may have done this a moment ago. Go back and reload the page "
                       "to see where things stand now.")),
}


def _render(request: HttpRequest | None, status: int, title: str, text: str) -> HttpResponse:
    context = {"status": status, "title": title, "text": text,
               # The language switch on an error page leads home, never back to the failing URL.
               "language_next": "/"}
    try:
        body: str = render_to_string("errors/error.html", context, request=request)
    except Exception:
        # A broken context processor or template must not leave the visitor without the quick
        # exit or their language: the plain page needs neither the request nor anything else.
        try:
            body = render_to_string("errors/plain.html", {
                **context, "quick_exit_url": settings.QUICK_EXIT_URL})
        except Exception:
            body = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
    return HttpResponse(body, status=status)


def error_page(request: HttpRequest, status: int) -> HttpResponse:
    """The page for a 4xx status; one without a page of its own reads like a bad request."""
    title, text = PAGES.get(status, PAGES[400])
    return _render(request, status, str(title), str(text))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # With the request, like every other error page (quick exit, language switch); should that
    # fail as well, _render falls back to the plain page.
    return _render(request, 500, _("Something went wrong on our side"),
                   _("Please try again in a few minutes."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _render(request, 403, _("This form has expired"),
                   _("For your safety, forms expire. Please go back, reload the page and "
                     "submit it again."))


class ApplicationErrorMiddleware:
    """A domain error a view lets through becomes the page for its ``status_code``.

    Errors of status 500 and above are left to Django: logged with their traceback and
    answered by ``server_error``, like any other fault. Django logs the 4xx responses made
    here ("Forbidden: /path") as it logs its own, without the error's message.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest,
                          exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError) or exception.status_code >= 500:
            return None
        return error_page(request, exception.status_code)
