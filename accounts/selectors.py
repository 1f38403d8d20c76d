"""Reads about staff accounts: who holds which role, and the recent role changes.

Each read is a fixed number of queries, however many accounts or events there are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from accounts.exceptions import StaffNotFound
from accounts.models import User
from accounts.roles import Role, has_role
from audit import actions
from audit.models import SYSTEM_STREAM, AuditEvent

ROLE_CHANGES_DAYS = 14
ROLE_CHANGES_SHOWN = 50
ROLE_ACTIONS = (actions.ROLE_GRANTED, actions.ROLE_REVOKED)


@dataclass(frozen=True)
class StaffRoles:
    user: User
    roles: frozenset[Role]

    @property
    def role_states(self) -> list[tuple[Role, bool]]:
        """Every role in the office's order, with whether this member of staff holds it."""
        return [(role, role in self.roles) for role in Role]


def _staff() -> QuerySet[User]:
    # Active accounts that may hold a role: never the system administrator's.
    return User.objects.filter(is_active=True, is_superuser=False)


def staff_roles() -> list[StaffRoles]:
    """Every active member of staff but superusers, by username, with their roles: two
    queries (the accounts, then their role groups), whatever their number."""
    users = _staff().order_by("username", "pk").only(
        "id", "username", "first_name", "last_name").prefetch_related(
        Prefetch("groups", queryset=Group.objects.filter(name__in=Role.values).only("id", "name"),
                 to_attr="role_groups"))
    return [StaffRoles(user=user, roles=frozenset(
        Role(group.name) for group in user.role_groups))
        for user in users]


def staff_member(*, user_id: int) -> User:
    """One active member of staff whose roles a coordinator may change; ``StaffNotFound``
    for anyone else (a superuser, a deactivated account, no account)."""
    user = _staff().filter(pk=user_id).first()
    if user is None:
        raise StaffNotFound("No such staff account.")
    return user


@dataclass(frozen=True)
class RoleChange:
    when: datetime
    granted: bool
    role: Role | None
    member: User | None  # None: the account no longer exists
    by: User | None  # None: the system, or an account that no longer exists
    by_system: bool  # a management command or the demo seeding, not a member of staff

    @property
    def role_label(self) -> str:
        return str(self.role.label) if self.role else ""


def role_changes_recent(*, actor: User, now: datetime | None = None,
                        days: int = ROLE_CHANGES_DAYS,
                        size: int = ROLE_CHANGES_SHOWN) -> list[RoleChange]:
    """The role changes of the last ``days`` days, newest first, for a coordinator (nobody
    else is shown them): read from the audit trail's system stream, so what coordinators are
    told is exactly what was recorded. Two queries: the events, then the accounts named."""
    if not has_role(actor, Role.COORDINATOR):
        return []
    since = (now or timezone.now()) - timedelta(days=days)
    events = list(AuditEvent.objects.filter(
        stream=SYSTEM_STREAM, action__in=ROLE_ACTIONS, timestamp__gte=since)
        .order_by("-timestamp", "-id")
        .only("timestamp", "action", "actor_kind", "actor_id", "target_id", "detail")[:size])
    ids = {int(value) for event in events for value in (event.target_id, event.actor_id)
           if value.isdigit()}
    users = {str(user.pk): user for user in User.objects.filter(pk__in=ids).only(
        "id", "username", "first_name", "last_name")} if ids else {}
    changes = []
    for event in events:
        role = event.detail_items.get("role")
        changes.append(RoleChange(
            when=event.timestamp,
            granted=event.action == actions.ROLE_GRANTED,
            role=Role(role) if role in Role.values else None,
            member=users.get(event.target_id),
            by=users.get(event.actor_id) if event.actor_kind == "user" else None,
            by_system=event.actor_kind == "system",
        ))
    return changes
