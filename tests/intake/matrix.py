"""Permission-matrix rows for the public side (DESIGN.md §2, §8).

The forms and the code page are open to everyone, signed in or not: a staff account gives no
way into a reporter's case. Everything under /status/case/ needs a reporter session (a receipt
code entered in this browser); without one, everybody is sent back to the code form.

The two reporter personas are signed in: ``reporter`` with the code of the case the row is
about, ``other_reporter`` with the code of another case. The paths name no case, so each of
them reaches only the case of their own session: the matrix test checks that the other
reporter's pages never show this case's message, and that the reporter's status page does.
"""

from __future__ import annotations

from tests.matrix import PERSONAS, REPORTERS, Row

WRONG_CODE = "2345-6789-ABCD-EFGH-JKMN-PQRS-TVWX-YZ23"


def _all(status: int) -> dict[str, int]:
    return {p: status for p in PERSONAS}


def _reporters(status: int, *, others: int) -> dict[str, int]:
    return {p: status if p in REPORTERS else others for p in PERSONAS}


MATRIX = [
    Row("intake:report", "/report/", _all(200)),
    Row("intake:talk", "/talk/", _all(200)),
    # An empty form is an error page that keeps what was typed (400), for everyone.
    Row("intake:report", "/report/", _all(400), method="post", data={}),
    Row("intake:talk", "/talk/", _all(400), method="post", data={}),
    Row("intake:received_confirm", "/received/", _all(200), method="post"),
    # A signed-in reporter goes straight on to their case.
    Row("intake:status", "/status/", _reporters(302, others=200)),
    # A well-formed code that opens nothing: checked (and counted) like any other, then refused.
    Row("intake:status", "/status/", _all(400), method="post", data={"code": WRONG_CODE}),
    Row("intake:status_case", "/status/case/", _reporters(200, others=302)),
    # Sent (and back to the case page), or without a session back to the code form.
    Row("intake:status_message", "/status/case/message/", _all(302), method="post",
        data={"body": "hello"}),
    Row("intake:status_add", "/status/case/add/", _all(302), method="post",
        data={"text": "more"}),
    Row("intake:status_withdraw", "/status/case/withdraw/", _reporters(200, others=302)),
    Row("intake:status_withdraw", "/status/case/withdraw/", _all(302), method="post",
        data={"confirm": "on"}),
    Row("intake:status_new_code", "/status/case/new-code/", _reporters(200, others=302)),
    # Without the page's one-time token: the form again, with a fresh token (400).
    Row("intake:status_new_code", "/status/case/new-code/", _reporters(400, others=302),
        method="post"),
    Row("intake:status_leave", "/status/leave/", _all(200), method="post"),
]
