"""Domain errors of the cases app, each with the status a request that ends in it answers
(see ``core.exceptions``). ``config.errors`` renders that status; views catch an error only
where it becomes a message on the page the person is working on."""

from __future__ import annotations

from core import exceptions


class ApplicationError(exceptions.ApplicationError):
    """Base class for every error the cases services raise on purpose."""


class CaseNotFound(ApplicationError):
    """A case (or a file of one) that does not exist, or that the actor may not see: one
    error for both, so that a refusal never tells that a case exists."""

    status_code = 404


class CaseKeyAlreadyDestroyedError(ApplicationError):
    """The case's data key was destroyed before; there is nothing left to destroy."""

    status_code = 409


class InvalidTransitionInput(ApplicationError):
    """What was given with a transition breaks a rule (wrong committee, missing reason...).

    The message is written for the person who filled in the form."""

    status_code = 400


class TransitionUnavailable(ApplicationError):
    """The transition is not possible from the case's current state, or a rule does not hold.

    Also what a person sees when a colleague moved the case on a moment earlier."""

    status_code = 409


class NotPermitted(ApplicationError):
    """The actor may see the case but not do this (an advisor acting as a committee...)."""

    status_code = 403


class InvalidCaseInput(ApplicationError):
    """A registration, note or message that cannot be stored as given."""

    status_code = 400


class ReceiptCodeRefused(ApplicationError):
    """A receipt code that opens nothing: unknown, wrong, or of a destroyed case. One error
    for all of them, so that trying codes teaches nothing."""

    status_code = 400


class ReporterSessionEnded(ApplicationError):
    """The code the reporter signed in with was replaced (here or in another browser): the
    session that used it ends at once."""

    status_code = 403


class AlreadySubmitted(ApplicationError):
    """The same web form was sent again after its case was received and its code used, or
    too long after: nothing new is stored."""

    status_code = 409


class MustReplaceCode(ApplicationError):
    """The reporter signed in with a code an advisor handed over: it opens nothing but its
    own replacement."""

    status_code = 403
