"""Errors of the files app, raised on purpose; the app that takes an upload turns them into its
own errors or messages."""

from __future__ import annotations

from core import exceptions


class ApplicationError(exceptions.ApplicationError):
    """Base class for every error the files app raises on purpose."""


class FileRefused(ApplicationError):
    """An upload that is not accepted as it is: a kind we do not take, a name that does not match
    the content, a damaged or password-protected document.

    The message is written for the person who sent the file and is already translated."""

    status_code = 400
