"""Domain errors of the cases app; views turn them into messages or 4xx responses."""

from __future__ import annotations


class ApplicationError(Exception):
    """Base class for every error the cases services raise on purpose."""


class CaseKeyAlreadyDestroyedError(ApplicationError):
    """The case's data key was destroyed before; there is nothing left to destroy."""
