"""Give a staff member a role from the server's shell: how the first coordinator gets theirs.

After that, coordinators grant and remove roles on the workspace's roles page. Recorded on the
audit trail's system stream with the system as actor (the operator at the shell is not a
signed-in member of staff); refused for a superuser, like every other way to a role.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.exceptions import ApplicationError
from accounts.models import User
from accounts.roles import Role
from accounts.services import role_grant
from audit.actors import Actor


class Command(BaseCommand):
    help = "Give a staff user a role (for the first coordinator); audited, never a superuser."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)

    def handle(self, *args: Any, username: str, role: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            changed = role_grant(user_id=user.pk, role=Role(role), actor=Actor.system())
        except ApplicationError as refused:
            raise CommandError(str(refused)) from refused
        if changed:
            self.stdout.write(f"{username} now holds the role {role}.")
        else:
            self.stdout.write(f"{username} already holds the role {role}; nothing changed.")
