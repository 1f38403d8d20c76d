"""Error pages that say what happened in plain words and echo nothing from the request."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def _render(request: HttpRequest | None, status: int, title: str, text: str) -> HttpResponse:
    try:
        # The language switch on an error page leads home, never back to the failing URL.
        context = {"status": status, "title": title, "text": text, "language_next": "/"}
        body: str = render_to_string("errors/error.html", context, request=request)
    except Exception:
        body = f"<!doctype html><title>{status}</title><h1>{status}</h1>"
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 400, _("Something in the request was not right"),
                   _("Please go back and try again."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403, _("Not allowed"),
                   _("You do not have access to this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404, _("Page not found"),
                   _("This page does not exist, or you do not have access to it."))


def server_error(request: HttpRequest) -> HttpResponse:
    # No request context: a broken context processor must not break the error page too.
    return _render(None, 500, _("Something went wrong on our side"),
                   _("Please try again in a few minutes."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _render(request, 403, _("This form has expired"),
                   _("For your safety, forms expire. Please go back, reload the page and "
                     "submit it again."))
