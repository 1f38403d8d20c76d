"""Rate limits for the public side: receipt-code attempts and form submissions.

Counters live only in the cache, each with a TTL, never in the database (DESIGN.md §4). A client
is known by a keyed hash of its address, so not even the cache holds the address itself, and
the hash key changes with ``SECRET_KEY``.

Receipt codes are limited twice: per selector (the first 8 characters), so that one code cannot
be guessed from many addresses, and per client, so that one address cannot try many codes. Any
selector counts, whether a case has it or not: a lockout must not tell which codes exist.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from accounts.throttle import client_ip


@dataclass(frozen=True)
class Limit:
    name: str
    attempts: int
    window_seconds: int


def code_limits() -> tuple[Limit, Limit]:
    return (
        Limit("code-selector", settings.RECEIPT_CODE_FAILURES_PER_CODE,
              settings.RECEIPT_CODE_LOCKOUT_MINUTES * 60),
        Limit("code-client", settings.RECEIPT_CODE_FAILURES_PER_CLIENT,
              settings.RECEIPT_CODE_LOCKOUT_MINUTES * 60),
    )


def submission_limit() -> Limit:
    return Limit("submit-client", settings.SUBMISSIONS_PER_CLIENT_PER_HOUR, 3600)


def client_key(request: HttpRequest) -> str:
    """A stand-in for the client's address: stable for a while, useless to anyone who reads
    the cache."""
    secret = hashlib.sha256(b"intake-throttle:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(secret, client_ip(request).encode(), hashlib.sha256).hexdigest()[:32]


def _key(limit: Limit, subject: str) -> str:
    return f"throttle:{limit.name}:{subject}"


def is_blocked(limit: Limit, subject: str) -> bool:
    return int(cache.get(_key(limit, subject), 0)) >= limit.attempts


def count(limit: Limit, subject: str) -> None:
    """One more attempt against ``limit``. The window starts with the first attempt and ends
    with the key's TTL (a fixed window: simple, and enough to make guessing hopeless)."""
    key = _key(limit, subject)
    if not cache.add(key, 1, timeout=limit.window_seconds):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=limit.window_seconds)


def clear(limit: Limit, subject: str) -> None:
    cache.delete(_key(limit, subject))
