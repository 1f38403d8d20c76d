"""Typed helpers that read settings from the environment.

Every helper raises ImproperlyConfigured naming the variable, so a malformed value stops
start-up with a message an operator can act on. Secrets may also come from a file named by
``<NAME>_FILE`` (Docker/systemd credentials), which keeps them out of the process listing.
"""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Final

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class _Unset(Enum):
    """No default given: the variable is required. (An enum, so the type checker can tell it
    apart from a default string.)"""

    TOKEN = 0


_UNSET: Final = _Unset.TOKEN


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def env_str(name: str, default: str | _Unset = _UNSET) -> str:
    value = _raw(name)
    if value is None or value == "":
        if default is _UNSET:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name} must be a boolean (true/false), got {value!r}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be an integer, got {value!r}."
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"The environment variable {name} must be at least {minimum}.")
    return number


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = _raw(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} is required.")
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be one of {', '.join(choices)}; got {value!r}."
        )
    return value


def env_secret(name: str, default: str | _Unset = _UNSET) -> str:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (never both).

    The error messages name the variable but never echo the value.
    """
    direct = _raw(name)
    file_name = _raw(f"{name}_FILE")
    if direct and file_name:
        raise ImproperlyConfigured(f"Set either {name} or {name}_FILE, not both.")
    if file_name:
        path = Path(file_name)
        try:
            content = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(
                f"{name}_FILE points at {file_name}, which cannot be read ({exc.strerror})."
            ) from None
        if not content:
            raise ImproperlyConfigured(f"{name}_FILE points at {file_name}, which is empty.")
        return content
    if direct:
        return direct
    if default is _UNSET:
        raise ImproperlyConfigured(
            f"The secret {name} is required: set {name} or {name}_FILE."
        )
    return default
