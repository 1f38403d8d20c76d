"""The project's URLs plus one view that raises a domain error of a given status, for
tests/config/test_error_pages.py (the page template needs the real URL names)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config import urls as config_urls
from config.urls import urlpatterns as project_urlpatterns
from core.exceptions import ApplicationError

SECRET = "Case 2026-0042: Dr Example shouted; code 2345-6789-ABCD"


def raising(request: HttpRequest, status: int) -> HttpResponse:
    error = type(f"Error{status}", (ApplicationError,), {"status_code": status})
    raise error(SECRET)


urlpatterns = [path("raise/<int:status>/", raising), *project_urlpatterns]
# Django looks for the error handlers in the root URLconf: the project's own.
handler400, handler403, handler404, handler500 = (
    config_urls.handler400, config_urls.handler403, config_urls.handler404,
    config_urls.handler500)


def broken_context(request: HttpRequest) -> dict[str, str]:
    """A context processor that fails, as a broken one in production would."""
    raise RuntimeError("context processor broke")
