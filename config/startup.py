"""Checks every long-running process (web worker, Celery worker) makes before serving."""

from __future__ import annotations

import logging

from django.db import DatabaseError

logger = logging.getLogger(__name__)


def verify_before_serving() -> None:
    """Refuse to start with keys that cannot open the stored data, without the database's
    own protections (append-only audit tables, the key-destroyed trigger), or with a
    superuser holding a role.

    Each problem raises ImproperlyConfigured, naming the key or the protection, and the
    process does not start. An unreachable database is neither: the process starts, /healthz
    reports 503, and the checks run again at the next start.
    """
    from accounts.checks import verify_no_superuser_in_roles_or_stop
    from crypto.canary import verify_canary
    from protections.checks import verify_protections_or_stop

    try:
        verify_canary()
        verify_protections_or_stop()
        verify_no_superuser_in_roles_or_stop()
    except DatabaseError as exc:
        logger.error("Start-up checks skipped: database unavailable (%s)",
                     exc.__class__.__name__)
