"""Errors of the audit app. They signal programming mistakes in callers, not user errors, so
they keep the base's status 500: logged in full, answered with the generic error page."""

from __future__ import annotations

from core.exceptions import ApplicationError


class AuditError(ApplicationError):
    """Base class for every audit error."""


class InvalidAuditEvent(AuditError, ValueError):
    """An event that must not be recorded: unknown action, malformed id, or content in detail.

    Messages name the offending argument but never echo its value, which might be case content.
    """


class NotInTransaction(AuditError):
    """``record`` was called outside the transaction of the change it records."""


class AppendFailed(AuditError):
    """The next sequence number of a stream could not be claimed (endless contention)."""
