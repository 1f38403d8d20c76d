"""The request the staff workspace's views receive."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


class StaffRequest(HttpRequest):
    """A request that ``accounts.decorators.verified_staff_required`` let through: its user is
    a signed-in, active staff member verified with a second factor, never an anonymous
    visitor. An annotation for the views behind that decorator, and only for them; at run time
    the request is Django's own."""

    user: User
