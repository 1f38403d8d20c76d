"""Checks every long-running process (web worker, Celery worker) makes before serving."""

from __future__ import annotations

import logging

from django.db import DatabaseError

logger = logging.getLogger(__name__)


def verify_keys_or_stop() -> None:
    """Refuse to start with keys that cannot open the stored data.

    A wrong or missing key raises ImproperlyConfigured and the process does not start. An
    unreachable database is not a key problem: the process starts, /healthz reports 503, and
    the check runs again at the next start.
    """
    from crypto.canary import verify_canary

    try:
        verify_canary()
    except DatabaseError as exc:
        logger.error("Key check skipped: database unavailable (%s)", exc.__class__.__name__)
