"""Who did something, as the audit trail records it.

An actor is a kind and an id, nothing more: the audit app imports no domain app, and the trail
must stay readable after an account is deleted, so a user is stored by primary key only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models


class ActorKind(models.TextChoices):
    USER = "user", "user"
    REPORTER = "reporter", "reporter"
    SYSTEM = "system", "system"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str = ""

    @classmethod
    def user(cls, user: Any) -> Actor:
        """A signed-in staff member; anything with a saved primary key will do."""
        if getattr(user, "pk", None) is None:
            raise ValueError("Actor.user needs a saved user with a primary key.")
        return cls(ActorKind.USER, str(user.pk))

    @classmethod
    def reporter(cls) -> Actor:
        # Reporters have no account, and their receipt code must never reach the trail.
        return cls(ActorKind.REPORTER, "")

    @classmethod
    def system(cls) -> Actor:
        return cls(ActorKind.SYSTEM, "")
