from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.roles import roles_of


def staff_roles(request: HttpRequest) -> dict[str, object]:
    """The signed-in user's roles, for navigation; queried only if a template asks."""
    return {"staff_roles": SimpleLazyObject(lambda: roles_of(request.user))}
