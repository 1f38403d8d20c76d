"""Rate limits for the public side: receipt-code attempts and form submissions.

Counters live only in the cache, each with a TTL, never in the database (DESIGN.md §4). A client
is known by a keyed hash of its address, so not even the cache holds the address itself, and
the hash key changes with ``SECRET_KEY``.

Receipt codes are limited twice: per selector (the first 8 characters), so that one code cannot
be guessed from many addresses, and per client, so that one address cannot try many codes. Any
selector counts, whether a case has it or not: a lockout must not tell which codes exist. Only
failures count: an attempt is reserved before the code is checked (so a burst cannot slip
under a limit) and given back when the code opens a case, or when it was never checked.

A whole campus may share one address (NAT), so the per-client limit is a backstop that must
not keep an owner from their case: past it, a code nobody has failed on in the window is still
checked, and opens its case if it is right. Anything else (a wrong code, or a code that already
has failures against it) gets the lockout page, so a client past its limit learns nothing from
a wrong code, and each code it tries is then protected by that code's own limit.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest

from accounts.ratelimit import Limit, clear, hit, release, reserve
from accounts.throttle import client_ip


def code_limits() -> tuple[Limit, Limit]:
    return (
        Limit("code-selector", settings.RECEIPT_CODE_FAILURES_PER_CODE,
              settings.RECEIPT_CODE_LOCKOUT_MINUTES * 60),
        Limit("code-client", settings.RECEIPT_CODE_FAILURES_PER_CLIENT,
              settings.RECEIPT_CODE_LOCKOUT_MINUTES * 60),
    )


@dataclass(frozen=True)
class CodeAttempt:
    """One receipt-code attempt that was allowed to be checked; its counts are reserved."""

    selector: str
    client: str
    # Checked only because nobody has failed on this code: the client is past its own limit.
    # A wrong code then answers with the lockout page, not with "wrong code".
    past_client_limit: bool

    def succeeded(self) -> None:
        """The code opened a case: this attempt was no failure, and the code's earlier
        failures (its owner's typos) are forgiven."""
        per_code, per_client = code_limits()
        clear(per_code, self.selector)
        if not self.past_client_limit:
            release(per_client, self.client)


def code_attempt(*, selector: str, client: str) -> CodeAttempt | None:
    """Reserve one attempt with ``selector`` from ``client``, or None when it must not be
    checked at all (locked: nothing is counted for it). A failed attempt keeps its
    reservation: that is how failures are counted."""
    per_code, per_client = code_limits()
    code_count = reserve(per_code, selector)
    if code_count > per_code.attempts:
        release(per_code, selector)
        return None
    if reserve(per_client, client) <= per_client.attempts:
        return CodeAttempt(selector=selector, client=client, past_client_limit=False)
    release(per_client, client)
    if code_count > 1:  # failures against this code (or another attempt at it right now)
        release(per_code, selector)
        return None
    return CodeAttempt(selector=selector, client=client, past_client_limit=True)


def submission_limit() -> Limit:
    return Limit("submit-client", settings.SUBMISSIONS_PER_CLIENT_PER_HOUR, 3600)


def client_key(request: HttpRequest) -> str:
    """A stand-in for the client's address: stable for a while, useless to anyone who reads
    the cache. An IPv6 client counts by its /64, which one subscriber usually holds whole."""
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        parsed = None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is None:
        address = str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    secret = hashlib.sha256(b"intake-throttle:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(secret, address.encode(), hashlib.sha256).hexdigest()[:32]


# --- Additions on the status page ------------------------------------------------------------
# Each may carry ten files that must be read and checked, so they are limited like the forms:
# per case, so that one code cannot keep a worker busy, and per client, so that one address
# holding many codes cannot either. The per-client limit is the higher one: a campus behind
# one address shares it.


def addition_limits() -> tuple[Limit, Limit]:
    return (
        Limit("add-case", settings.STATUS_ADDITIONS_PER_CASE_PER_HOUR, 3600),
        Limit("add-client", settings.STATUS_ADDITIONS_PER_CLIENT_PER_HOUR, 3600),
    )


def case_key(case_id: UUID) -> str:
    """A stand-in for the case, so that the cache does not say which cases are active."""
    secret = hashlib.sha256(b"intake-throttle-case:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(secret, str(case_id).encode(), hashlib.sha256).hexdigest()[:32]


def addition_over_limit(request: HttpRequest, case_id: UUID) -> bool:
    """Count one addition against both limits (both, always) and say whether it goes over."""
    per_case, per_client = addition_limits()
    over_client = hit(per_client, client_key(request))
    return hit(per_case, case_key(case_id)) or over_client
