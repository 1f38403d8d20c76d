"""A system check, and the start-up guard of web and worker processes: no superuser holds a
role group (DESIGN.md §2). ``roles_of`` and ``cases.access`` ignore such a row anyway; this
makes it visible to the operator instead of leaving it in the database."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from accounts.roles import superusers_in_role_groups

HINT = (
    "A system administrator never holds a role. Remove the account from its role groups, or "
    "take away its superuser flag (manage.py shell), then have a coordinator grant roles."
)


def describe_superusers_in_roles() -> list[str]:
    ids = sorted(superusers_in_role_groups().values_list("pk", flat=True))
    if not ids:
        return []
    return [f"Superuser accounts hold a role group (user ids {', '.join(map(str, ids))})."]


@register(Tags.database)
def check_superusers_hold_no_role(
    app_configs: Iterable[Any] | None = None, databases: Iterable[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    # Database checks run only when asked for (`check --database default`, `migrate`).
    if not databases:
        return []
    return [Error(message, hint=HINT, id="accounts.E001")
            for message in describe_superusers_in_roles()]


def verify_no_superuser_in_roles_or_stop() -> None:
    """Called by every web and worker process before it serves."""
    problems = describe_superusers_in_roles()
    if problems:
        raise ImproperlyConfigured(" ".join([*problems, HINT]))
