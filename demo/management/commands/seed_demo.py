"""Demo data: one staff user per role (with a second factor), printed for the person trying it,
and a set of fictional sample cases in every state of the workflow.

Idempotent: running it again keeps users, passwords and TOTP secrets, so the printed logins
stay valid. Sample cases are added only to a database that holds no case yet; a second run adds
none and says so. (If seeding stops half-way, start again from an empty database: ``make
clean-demo``.) Refuses to run against production settings.

The sample cases are in ``demo.sample_cases``; ``demo.seeding`` makes them through the services.
The content is fictional. Only counts are printed: never a case's text or receipt code.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.roles import Role
from accounts.services import staff_user_ensure, totp_device_ensure, totp_secret_base32
from audit.actors import Actor
from cases.models import Case
from demo.seeding import seed_cases


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str
    totp_secret: str


# Demo-only passwords: seed_demo refuses to run in production, so these never guard real data.
DEMO_STAFF: list[tuple[str, str, Role | None, str]] = [
    ("advisor", "demo-advisor-pass", Role.ADVISOR, "Anna Advisor"),
    ("advisor2", "demo-advisor2-pass", Role.ADVISOR, "Bram Advisor"),
    ("coordinator", "demo-coordinator-pass", Role.COORDINATOR, "Carla Coordinator"),
    ("committee-mcc", "demo-committee-mcc-pass", Role.MISCONDUCT_COMMITTEE, "Dirk Committee"),
    ("committee-uu", "demo-committee-uu-pass", Role.UU_COMMITTEE, "Eva Committee"),
    ("auditor", "demo-auditor-pass", Role.AUDITOR, "Femke Auditor"),
    ("sysadmin", "demo-sysadmin-pass", None, "Gert Sysadmin"),
]


def seed_staff() -> list[DemoLogin]:
    logins = []
    for username, password, role, full_name in DEMO_STAFF:
        user = staff_user_ensure(
            username=username,
            password=password,
            role=role,
            superuser=role is None,
            full_name=full_name,
        )
        device = totp_device_ensure(user=user, actor=Actor.system())
        logins.append(
            DemoLogin(
                username=username,
                password=password,
                role=role.value if role else "sysadmin",
                totp_secret=totp_secret_base32(device),
            )
        )
    return logins


# --- sample cases ----------------------------------------------------------------------------

class Command(BaseCommand):
    help = ("Create demo users for every role (with TOTP secrets) and, in an empty database, "
            "fictional sample cases in every state. Never in production.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Print the logins as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.IS_PRODUCTION:
            raise CommandError(
                "seed_demo refuses to run with production settings (DJANGO_ENV=production)."
            )
        logins = seed_staff()
        created = seed_cases(usernames=[username for username, *_ in DEMO_STAFF])
        total = Case.objects.count()
        if options["json"]:
            self.stdout.write(json.dumps({"logins": [asdict(x) for x in logins],
                                          "cases": total}, indent=2))
            return
        self.stdout.write("Demo logins (password, then the 6-digit code from the TOTP secret):")
        for login in logins:
            self.stdout.write(
                f"  {login.role:<22} {login.username:<14} {login.password:<26} "
                f"TOTP {login.totp_secret}"
            )
        if created is None:
            self.stdout.write(f"Demo cases: none added; the database already holds {total}.")
        else:
            counts = ", ".join(f"{state} {n}" for state, n in created.items())
            self.stdout.write(f"Demo cases: {total} added ({counts}).")
