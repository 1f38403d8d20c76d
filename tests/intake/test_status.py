"""/status/: signing in with a receipt code, the status page, and everything it offers."""

from __future__ import annotations

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from cases import services
from cases.choices import MessageDirection, Outcome, State
from cases.models import Case, CaseAttachment, CaseMessage
from intake import reporter_session
from tests.cases.factories_cases import case_input
from tests.conftest import Personas
from tests.files.zipbombs import Unpacked, zip_bomb
from tests.intake.helpers import code_in, new_code, reported, signed_in

pytestmark = pytest.mark.django_db
UNIFORM = "This code does not open a case."


@pytest.fixture
def reporter(client: Client) -> tuple[Client, str]:
    code = reported(client)
    signed_in(client, code)
    return client, code


def _wrong(code: str) -> str:
    compact = code.replace("-", "")
    return compact[:-1] + ("2" if compact[-1] != "2" else "3")


def test_wrong_and_unknown_codes_get_the_same_answer(client: Client) -> None:
    code = reported(client)
    unknown = ("2" if code[0] != "2" else "3") + code[1:]
    answers = [Client().post("/status/", {"code": typed}) for typed in (_wrong(code), unknown)]
    assert [a.status_code for a in answers] == [400, 400]
    bodies = [re.sub(r'value="[^"]*"', "", a.content.decode()) for a in answers]
    assert UNIFORM in bodies[0] and bodies[0] == bodies[1]


def test_a_malformed_code_is_explained(client: Client) -> None:
    response = client.post("/status/", {"code": "ABC"})
    assert response.status_code == 400 and "32 letters and digits" in \
        response.content.decode()


def test_the_status_page_tells_where_the_case_stands(reporter: tuple[Client, str]) -> None:
    client, code = reporter
    case = Case.objects.get()
    html = client.get("/status/case/").content.decode()
    assert "We have received it." in html
    assert case.acknowledgement_due_at.strftime("%Y") in html and "We will answer by" in html
    assert code not in html  # the code is never shown again
    assert case.reference not in html  # the staff reference is the office's, not needed here


def test_the_reporter_and_the_advisor_exchange_messages(reporter: tuple[Client, str],
                                                        personas: Personas) -> None:
    client, _code = reporter
    case = Case.objects.get()
    services.case_assign(case_id=case.pk, actor=personas.coordinator,
                         advisor_ids=[personas.advisor.pk])
    services.message_send(case_id=case.pk, actor=personas.advisor, body="Shall we meet?")
    services.case_viewed(case=case, actor=personas.advisor)
    html = client.get("/status/case/").content.decode()
    assert "Shall we meet?" in html and "your confidential advisor" in html
    assert personas.advisor.get_full_name() not in html  # a role, never a name
    response = client.post("/status/case/message/", {"body": "Yes, Monday."})
    assert response.status_code == 302
    reply = CaseMessage.objects.get(direction=MessageDirection.FROM_REPORTER)
    assert reply.body == "Yes, Monday."


def test_a_message_with_the_reporters_own_code_is_refused_and_kept_in_the_box(
        reporter: tuple[Client, str]) -> None:
    client, code = reporter
    text = f"Hello, my code is {code.lower()}"
    response = client.post("/status/case/message/", {"body": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your message contains your receipt code" in html
    assert not CaseMessage.objects.exists()


def test_information_and_files_are_added(reporter: tuple[Client, str]) -> None:
    client, _code = reporter
    response = client.post("/status/case/add/", {
        "text": "One more thing", "files": [SimpleUploadedFile("more.txt", b"details")]})
    assert response.status_code == 302
    assert CaseAttachment.objects.get().content == b"details"
    assert "more.txt" in client.get("/status/case/").content.decode()
    refused = client.post("/status/case/add/", {
        "text": "", "files": [SimpleUploadedFile("x.pdf", b"not a pdf")]})
    assert refused.status_code == 400 and "x.pdf" in refused.content.decode()
    assert CaseAttachment.objects.count() == 1


def test_withdrawing_asks_first_then_closes_the_case(reporter: tuple[Client, str]) -> None:
    client, _code = reporter
    assert client.get("/status/case/withdraw/").status_code == 200
    assert client.post("/status/case/withdraw/", {}).status_code == 400
    assert Case.objects.get().state == State.RECEIVED
    assert client.post("/status/case/withdraw/", {"confirm": "on"}).status_code == 302
    case = Case.objects.get()
    assert (case.state, case.outcome) == (State.CLOSED, Outcome.WITHDRAWN)
    html = client.get("/status/case/").content.decode()
    assert "You withdrew this case" in html and 'action="/status/case/message/"' not in html


def test_replacing_the_code_shows_the_new_one_once_and_ends_the_old_one_everywhere(
        reporter: tuple[Client, str]) -> None:
    client, old = reporter
    elsewhere = Client()
    signed_in(elsewhere, old)
    response = new_code(client)
    new = code_in(response)
    assert new != old
    assert client.get("/status/case/").status_code == 200  # this browser follows the new code
    ended = elsewhere.get("/status/case/", follow=True)
    assert ended.redirect_chain[-1][0] == "/status/" and "it was replaced" in \
        ended.content.decode()
    assert Client().post("/status/", {"code": old}).status_code == 400
    signed_in(Client(), new)


def test_a_code_handed_over_by_an_advisor_is_replaced_before_anything_else(
        client: Client, personas: Personas) -> None:
    registered = services.case_register(actor=personas.advisor, data=case_input())
    signed_in(client, registered.receipt_code)
    response = client.get("/status/case/")
    assert response.status_code == 302 and response["Location"] == "/status/case/new-code/"
    assert "someone else has seen it" in client.get("/status/case/new-code/").content.decode()
    for blocked in (client.post("/status/case/message/", {"body": "hi"}),
                    client.post("/status/case/withdraw/", {"confirm": "on"}),
                    client.post("/status/case/add/", {"text": "x"})):
        assert blocked.status_code == 302
        assert blocked["Location"] == "/status/case/new-code/"
    assert not CaseMessage.objects.exists() and Case.objects.get().state == State.RECEIVED
    code_in(new_code(client))
    assert client.get("/status/case/").status_code == 200


def test_an_idle_session_ends(reporter: tuple[Client, str], settings: Settings,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    client, _code = reporter
    settings.REPORTER_IDLE_MINUTES = 15
    later = time.time() + 16 * 60
    monkeypatch.setattr(reporter_session.time, "time", lambda: later)
    response = client.get("/status/case/", follow=True)
    assert response.redirect_chain[-1][0] == "/status/"
    assert "signed out after a while without activity" in response.content.decode()
    assert reporter_session.KEY not in client.session


def test_leaving_forgets_everything(reporter: tuple[Client, str]) -> None:
    client, _code = reporter
    response = client.post("/status/leave/")
    assert response.status_code == 200
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert client.get("/status/case/").status_code == 302


def test_no_cookie_outlives_the_browser_session(client: Client) -> None:
    code = reported(client)
    response = signed_in(client, code)
    cookies = {**client.cookies, **response.cookies}
    for name in ("sessionid", "csrftoken"):
        morsel = cookies[name]
        assert not morsel["expires"] and not morsel["max-age"], name
        assert morsel["httponly"], name


def test_status_pages_are_never_cached(reporter: tuple[Client, str]) -> None:
    client, _code = reporter
    assert "no-store" in client.get("/status/case/")["Cache-Control"]


def test_a_double_click_on_new_code_leaves_a_working_code_on_the_screen(
        reporter: tuple[Client, str]) -> None:
    client, _old = reporter
    match = re.search(r'name="token" value="([^"]+)"',
                      client.get("/status/case/new-code/").content.decode())
    assert match
    # The second sending was read by the server before the first one had saved the session:
    # it still speaks for the old code.
    before = client.session[reporter_session.KEY]
    first = client.post("/status/case/new-code/", {"token": match.group(1)})
    session = client.session
    session[reporter_session.KEY] = before
    session.save()
    second = client.post("/status/case/new-code/", {"token": match.group(1)})
    assert code_in(first) == code_in(second)
    signed_in(Client(), code_in(second))


def test_a_new_code_form_without_its_token_changes_nothing(
        reporter: tuple[Client, str]) -> None:
    client, old = reporter
    assert client.post("/status/case/new-code/", {"token": "forged"}).status_code == 400
    signed_in(Client(), old)


def test_ten_zip_bombs_in_one_post_are_refused_before_they_are_unpacked(
        reporter: tuple[Client, str], unpacked: Unpacked) -> None:
    # The security review's request: ten .docx files of ~200 kB, each 200 MB of zeros inside.
    client, _code = reporter
    bombs = [SimpleUploadedFile(f"statement{n}.docx", zip_bomb("docx")) for n in range(10)]
    response = client.post("/status/case/add/", {"text": "The documents", "files": bombs})
    assert response.status_code == 400
    assert ("This document unpacks to more than 80 MB, too much to be checked safely. Send it "
            "as a PDF file instead.") in response.content.decode()
    assert unpacked.total == 0  # refused on the sizes the first one declares
    assert not CaseAttachment.objects.exists()
    assert not CaseMessage.objects.filter(direction=MessageDirection.FROM_REPORTER).exists()


def test_documents_within_a_files_limit_share_the_requests(
        reporter: tuple[Client, str], unpacked: Unpacked, settings: Settings) -> None:
    settings.ATTACHMENT_MAX_UNPACKED_BYTES = 30 * 1024 * 1024
    settings.ATTACHMENT_MAX_UNPACKED_BYTES_PER_REQUEST = 50 * 1024 * 1024
    client, _code = reporter
    documents = [SimpleUploadedFile(f"part{n}.docx", zip_bomb("docx", zeros_mb=20))
                 for n in range(10)]
    response = client.post("/status/case/add/", {"text": "", "files": documents})
    assert response.status_code == 400
    assert "Together, these documents unpack to more than 50 MB" in response.content.decode()
    assert unpacked.total <= 50 * 1024 * 1024  # two were unpacked, the third never started
    assert not CaseAttachment.objects.exists()
