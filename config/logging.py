"""Logging filters that keep request data out of the logs."""

from __future__ import annotations

import logging


class DropRequestFilter(logging.Filter):
    """Strip the ``request`` attached to records by django.request and friends.

    Django attaches the whole HttpRequest (body, headers, client address) to error records;
    a handler or formatter that renders extras would print it. We remove it before any handler
    sees it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        return True
