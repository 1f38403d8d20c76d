"""Domain errors of the accounts app, each with the status a request that ends in it answers
(see ``core.exceptions``)."""

from __future__ import annotations

from core import exceptions


class ApplicationError(exceptions.ApplicationError):
    """Base class for every error the accounts services raise on purpose."""


class StaffNotFound(ApplicationError):
    """A staff account that does not exist, or a role change the actor may not make: one
    answer for both, like every other page of the workspace a person may not use."""

    status_code = 404


class RoleChangeRefused(ApplicationError):
    """The role change breaks a rule (a superuser, an inactive account, one's own
    coordinator role). The message is written for the person who asked for it."""

    status_code = 400
