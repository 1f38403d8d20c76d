"""Access to the staff workspace: signed in, and verified with a second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from accounts.models import User


class StaffRequest(HttpRequest):
    """A request that ``verified_staff_required`` let through: its user is a signed-in, active
    staff member verified with a second factor, never an anonymous visitor. An annotation for
    the views behind that decorator, and only for them; at run time the request is Django's
    own."""

    user: User


def verified_staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Every staff page needs a session verified with the second factor.

    A password-only session (which our login never creates, but an old or forged one might)
    is sent back to the login page like an anonymous visitor.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and user.is_active and user.is_verified()):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
