"""The staff user.

A custom user model from the start (Django cannot swap it once data exists): it gives the code
one concrete type to annotate, and it is where a staff member's own attributes belong (their
language, the blind indexes of their name and e-mail for conflict-of-interest checks).

Roles are groups (``accounts.roles``); being a superuser grants no role and no case access.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        db_table = "accounts_user"
