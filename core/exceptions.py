"""The one base of every error the project raises on purpose.

Each app's ``exceptions.py`` derives its own base from ``ApplicationError`` (STYLE.md), and
each error class says, in ``status_code``, what a web request that ends in it answers.
``config.errors.ApplicationErrorMiddleware`` turns such an error into its page, in one place,
so views do not map errors themselves: they catch one only where it becomes a message on the
page the person is working on (a form error, "a colleague was quicker").

It lives here, below every app, because the domain-free apps (``audit`` and, once they are
apps, ``crypto`` and ``files``) may import no domain app and not ``config`` either, which
imports every app.
"""

from __future__ import annotations

from typing import ClassVar


class ApplicationError(Exception):
    """An error raised on purpose. ``status_code`` is the answer to a request it ends:

    - 400: what was sent cannot be used as it is;
    - 403: the person may see this, but not do this;
    - 404: it does not exist, or the person may not see it (one answer for both, so that a
      refusal never tells that something exists);
    - 409: it changed, or was done already, so the request no longer fits;
    - 500 (the default): a fault on our side, logged in full.

    The message is for the code that catches the error (and may show it on a form) and for
    the logs: an error page never shows it, as it may name a case, a state or an id.
    """

    status_code: ClassVar[int] = 500
