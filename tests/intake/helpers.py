"""Filling in the public forms as a browser would, with the test client."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.test import Client

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

CODE = re.compile(r'data-testid="receipt-code"[^>]*>([^<]+)<')
TOKEN = re.compile(r'name="submission" value="([^"]+)"')

REPORT = {
    "reporter_role": "affected", "reporter_population": "staff",
    "behaviours": ["verbal", "bullying"], "narrative": "He shouted at me in the meeting.",
    "occurred": "Tuesday, meeting room 3", "accused_name": "Dr. Example",
    "accused_affiliation": "umc_staff", "witnesses": "Ann\nBob",
    "desired_outcome": "That it stops.", "channel": "named", "reporter_name": "Sam",
    "reporter_email": "sam@example.org", "reporter_phone": "", "unwanted_advisor": "",
}
ANONYMOUS = {**REPORT, "channel": "anonymous", "reporter_name": "", "reporter_email": ""}


def token(client: Client, path: str = "/report/") -> str:
    match = TOKEN.search(client.get(path).content.decode())
    assert match, "the form carries a one-time token"
    return match.group(1)


def send_report(client: Client, data: dict[str, Any] | None = None, *,
                path: str = "/report/", **extra: Any) -> TestResponse:
    fields = {**(REPORT if data is None else data)}
    fields.setdefault("submission", token(client, path))
    return client.post(path, fields, **extra)


def code_in(response: TestResponse) -> str:
    match = CODE.search(response.content.decode())
    assert match, "the receipt page shows the code"
    return match.group(1).strip()


def reported(client: Client, data: dict[str, Any] | None = None) -> str:
    """File a report and return its receipt code."""
    response = send_report(client, data)
    assert response.status_code == 200, response.content.decode()[:500]
    return code_in(response)


def signed_in(client: Client, code: str) -> TestResponse:
    response = client.post("/status/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/status/case/"
    return response


NEW_CODE_TOKEN = re.compile(r'name="token" value="([^"]+)"')


def new_code(client: Client) -> TestResponse:
    """Ask for a new receipt code the way the page does, with its one-time token."""
    match = NEW_CODE_TOKEN.search(client.get("/status/case/new-code/").content.decode())
    assert match, "the new-code form carries a one-time token"
    return client.post("/status/case/new-code/", {"token": match.group(1)})
