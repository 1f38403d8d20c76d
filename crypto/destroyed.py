"""What an encrypted value reads as once its case's data key has been destroyed."""

from __future__ import annotations

from typing import final

from django.utils.translation import pgettext


@final  # one instance, compared by identity: a subclass would have a second
class Destroyed:
    """The one value every encrypted field of a crypto-shredded case reads as.

    Distinct from ``None`` and ``""`` (those are real values), and it renders as the translated
    word "destroyed", so templates need no special case. Compare with ``is DESTROYED`` or
    ``is_destroyed(value)``.
    """

    _instance: Destroyed | None = None

    def __new__(cls) -> Destroyed:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __str__(self) -> str:
        return pgettext("encrypted value whose key was destroyed", "destroyed")

    def __repr__(self) -> str:
        return "<destroyed>"

    def __reduce__(self) -> tuple[object, ...]:
        return (Destroyed, ())


DESTROYED = Destroyed()


def is_destroyed(value: object) -> bool:
    return value is DESTROYED
