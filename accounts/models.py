"""The staff user.

A custom user model from the start (Django cannot swap it once data exists): it gives the code
one concrete type to annotate, and it is where a staff member's own attributes belong (their
language, the blind indexes of their name and e-mail for conflict-of-interest checks).

Roles are groups (``accounts.roles``); being a superuser grants no role and no case access.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    if TYPE_CHECKING:
        # Installed on request.user (signed in or anonymous) by django_otp's OTPMiddleware,
        # which ships no type information; a user loaded any other way does not have it.
        is_verified: Callable[[], bool]

    # django-stubs does not declare AbstractUser.Meta, which Django documents inheriting.
    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]
        swappable = "AUTH_USER_MODEL"
        db_table = "accounts_user"
