"""Issue (or replace) a staff member's second factor and print its secret once.

Recorded on the audit trail's system stream with the system as actor: the operator at the
server's shell is not a signed-in member of staff."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services import totp_device_ensure, totp_secret_base32
from audit.actors import Actor


class Command(BaseCommand):
    help = "Create or replace the TOTP second factor of a staff user and print its secret."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--replace", action="store_true", help="Replace an existing device (lost phone)."
        )

    def handle(self, *args: Any, username: str, replace: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        device = totp_device_ensure(user=user, actor=Actor.system(), replace=replace)
        self.stdout.write(f"TOTP secret for {username} (base32): {totp_secret_base32(device)}")
        self.stdout.write(f"otpauth URI: {device.config_url}")
