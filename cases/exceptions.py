"""Domain errors of the cases app; views turn them into messages or 4xx responses."""

from __future__ import annotations


class ApplicationError(Exception):
    """Base class for every error the cases services raise on purpose."""


class CaseKeyAlreadyDestroyedError(ApplicationError):
    """The case's data key was destroyed before; there is nothing left to destroy."""


class InvalidTransitionInput(ApplicationError):
    """What was given with a transition breaks a rule (wrong committee, missing reason...).

    The message is written for the person who filled in the form."""


class TransitionUnavailable(ApplicationError):
    """The transition is not possible from the case's current state, or a rule does not hold.

    Also what a person sees when a colleague moved the case on a moment earlier."""


class NotPermitted(ApplicationError):
    """The actor may see the case but not do this (an advisor acting as a committee...)."""


class InvalidCaseInput(ApplicationError):
    """A registration, note or message that cannot be stored as given."""


class ReceiptCodeRefused(ApplicationError):
    """A receipt code that opens nothing: unknown, wrong, or of a destroyed case. One error
    for all of them, so that trying codes teaches nothing."""


class ReporterSessionEnded(ApplicationError):
    """The code the reporter signed in with was replaced (here or in another browser): the
    session that used it ends at once."""


class AlreadySubmitted(ApplicationError):
    """The same web form was sent again after its case was received and its code used, or
    too long after: nothing new is stored."""


class MustReplaceCode(ApplicationError):
    """The reporter signed in with a code an advisor handed over: it opens nothing but its
    own replacement."""
