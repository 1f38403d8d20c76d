"""The cache counters behind every rate limit of the project (the public forms and receipt
codes in ``intake.throttle``, staff uploads in ``cases.throttle``).

A counter lives only in the cache, with a TTL that is its window; the database never holds
one. Counting comes first (one atomic increment), so a burst of parallel requests cannot all
slip under a limit. Kept here, below both apps that use it (``cases`` may not import
``intake``).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window_seconds: int


def _key(limit: Limit, subject: str) -> str:
    return f"throttle:{limit.name}:{subject}"


def reserve(limit: Limit, subject: str) -> int:
    """Count one attempt; the count including it. The window starts with the first attempt
    and ends with the key's TTL."""
    key = _key(limit, subject)
    if cache.add(key, 1, timeout=limit.window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=limit.window_seconds)
        return 1


def hit(limit: Limit, subject: str) -> bool:
    """Count one attempt against ``limit`` and say whether it goes over."""
    return reserve(limit, subject) > limit.attempts


def release(limit: Limit, subject: str) -> None:
    """Give back one counted attempt that turned out not to count (the window keeps its
    end)."""
    with contextlib.suppress(ValueError):  # the window ended meanwhile: nothing to give back
        cache.decr(_key(limit, subject))


def clear(limit: Limit, subject: str) -> None:
    cache.delete(_key(limit, subject))
