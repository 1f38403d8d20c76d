"""How the staff login throttle (django-axes) sees and describes a client.

The throttle keys lockouts on username and client address, kept only in the cache with a TTL.
Neither may reach the logs: a password typed into the username box would be written to the
journal, and client addresses are not ours to keep.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client address as the trusted reverse proxy saw it, else the socket peer.

    Behind nginx every request comes from 127.0.0.1, which would make the lockout per username
    only, letting anyone lock a colleague out. nginx overwrites ``X-Real-IP`` with the real peer
    (deploy/nginx/ombuds.conf); a header a client sends itself is never trusted unless the
    deployment names it in ``CLIENT_IP_HEADER``.
    """
    header = settings.CLIENT_IP_HEADER
    if header:
        value = request.META.get(header, "").strip()
        if value:
            return value
    return request.META.get("REMOTE_ADDR", "")


def describe_attempt(
    username: str, ip_address: str, user_agent: str, path_info: str, request: HttpRequest
) -> str:
    """What axes writes in its log lines: the path only, never username or address."""
    return f"{{path_info: {path_info!r}}}"
