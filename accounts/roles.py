"""The office's staff roles, held as Django groups.

Roles are checked by group membership only. ``is_superuser`` is never a role: the system
administrator manages accounts but, by design, holds no case access (DESIGN.md §2), so a
superuser has no role here even if a group row says otherwise (the role services refuse to
make one, the database refuses to store one, see ``accounts.protections``; this is the last
line). Roles are granted and removed only by
``accounts.services.role_grant`` and ``role_revoke``. Code that decides what someone may see
asks this module or ``cases.access`` — never ``user.has_perm``, which answers True for every
superuser.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class Role(models.TextChoices):
    ADVISOR = "advisor", _("Confidential advisor")
    COORDINATOR = "coordinator", _("Coordinator")
    MISCONDUCT_COMMITTEE = "committee-misconduct", _("Misconduct Complaints Committee member")
    UU_COMMITTEE = "committee-uu", _("UU Committee on Interpersonal Integrity member")
    AUDITOR = "auditor", _("Auditor")


def roles_of(user: User | AnonymousUser) -> frozenset[Role]:
    """The roles a user holds, cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active or user.is_superuser:
        return frozenset()
    cached = getattr(user, "_ombuds_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        # A cache on this request's user object, not a field of the model.
        user._ombuds_roles = cached  # type: ignore[attr-defined]
    return cached


def has_role(user: User | AnonymousUser, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def superusers_in_role_groups() -> QuerySet[User]:
    """Superuser accounts with a row in a role group: what must never exist. The services and
    the admin cannot make one; this finds one made any other way (a shell, a restore)."""
    return User.objects.filter(is_superuser=True, groups__name__in=Role.values).distinct()
