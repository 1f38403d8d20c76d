"""Permission-matrix rows for the public side (DESIGN.md §2, §8).

The forms and the code page are open to everyone, signed in or not: a staff account gives no
way into a reporter's case. Everything under /status/case/ needs a reporter session (a receipt
code entered in this browser); without one, everybody is sent back to the code form.
"""

from __future__ import annotations

from tests.matrix import PERSONAS, Row

WRONG_CODE = "2345-6789-ABCD-EFGH-JKMN-PQRS-TVWX-YZ23"


def _all(status: int) -> dict[str, int]:
    return {p: status for p in PERSONAS}


MATRIX = [
    Row("intake:report", "/report/", _all(200)),
    Row("intake:talk", "/talk/", _all(200)),
    # An empty form is an error page that keeps what was typed (400), for everyone.
    Row("intake:report", "/report/", _all(400), method="post", data={}),
    Row("intake:talk", "/talk/", _all(400), method="post", data={}),
    Row("intake:received_confirm", "/received/", _all(200), method="post"),
    Row("intake:status", "/status/", _all(200)),
    # A well-formed code that opens nothing: checked (and counted) like any other, then refused.
    Row("intake:status", "/status/", _all(400), method="post", data={"code": WRONG_CODE}),
    Row("intake:status_case", "/status/case/", _all(302)),
    Row("intake:status_message", "/status/case/message/", _all(302), method="post",
        data={"body": "hello"}),
    Row("intake:status_add", "/status/case/add/", _all(302), method="post",
        data={"text": "more"}),
    Row("intake:status_withdraw", "/status/case/withdraw/", _all(302)),
    Row("intake:status_withdraw", "/status/case/withdraw/", _all(302), method="post",
        data={"confirm": "on"}),
    Row("intake:status_new_code", "/status/case/new-code/", _all(302), method="post"),
    Row("intake:status_leave", "/status/leave/", _all(200), method="post"),
]
