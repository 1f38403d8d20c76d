"""/report/ and /talk/: what a reporter sends, and every way it can go wrong without leaving
half a case behind."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pytest_django import Settings

from accounts.models import User
from audit.models import AuditEvent
from cases.choices import Channel, Kind, ReceivedVia
from cases.models import Case, CaseAttachment, CaseParty, ReceiptCode
from tests.conftest import Personas
from tests.files.zipbombs import Unpacked, zip_bomb
from tests.intake.helpers import ANONYMOUS, REPORT, code_in, reported, send_report, token
from tests.queries import queries_of

pytestmark = pytest.mark.django_db
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def nothing_stored() -> bool:
    return not (Case.objects.exists() or CaseAttachment.objects.exists()
                or AuditEvent.objects.exists())


def test_the_form_asks_everything_the_office_needs_and_works_without_javascript(
        client: Client, personas: Personas) -> None:
    html = client.get("/report/").content.decode()
    for field in ("reporter_role", "reporter_population", "behaviours", "narrative",
                  "occurred", "accused_name", "accused_affiliation", "witnesses",
                  "desired_outcome", "channel", "reporter_name", "reporter_email",
                  "reporter_phone", "unwanted_advisor", "files", "submission"):
        assert f'name="{field}"' in html, field
    assert "staring, being ignored" in html  # the categories come with examples
    assert "cannot become a formal complaint" in html
    assert 'enctype="multipart/form-data"' in html and "<script>" not in html.split(
        "</head>")[1]
    # The advisors the reporter may rule out, by name only.
    assert personas.advisor.get_full_name() in html
    assert personas.coordinator.get_full_name() not in html


def test_a_named_report_is_received_and_the_code_is_shown_once(client: Client) -> None:
    response = send_report(client)
    assert response.status_code == 200
    code = code_in(response)
    case = Case.objects.get()
    assert (case.kind, case.channel, case.received_via) == (Kind.REPORT, Channel.NAMED,
                                                            ReceivedVia.WEB)
    assert case.behaviours == ["bullying", "verbal"] and case.accused_affiliation == "umc_staff"
    assert case.reporter_name == "Sam" and case.reporter_email == "sam@example.org"
    assert sorted(case.parties.values_list("role", flat=True)) == [
        CaseParty.PartyRole.COMPLAINED_ABOUT, CaseParty.PartyRole.WITNESS,
        CaseParty.PartyRole.WITNESS]
    html = response.content.decode()
    assert html.count(code) == 1
    assert case.acknowledgement_due_at.strftime("%Y") in html  # the answer date
    assert 'name="confirm"' in html and "print" in html.lower()
    # Switching language reloads the page: not offered while the code is on it.
    assert 'class="language-switch"' not in html
    # The page that confirms the code was saved does not show it again.
    done = client.post("/received/", {"confirm": "on"})
    assert done.status_code == 200 and code not in done.content.decode()


def test_an_anonymous_report_holds_no_contact_details(client: Client) -> None:
    reported(client, ANONYMOUS)
    case = Case.objects.get()
    assert case.channel == Channel.ANONYMOUS
    assert (case.reporter_name, case.reporter_email, case.reporter_phone) == (None, None, None)


@pytest.mark.parametrize(("changes", "error"), [
    ({"channel": "anonymous"}, "You chose to report anonymously"),
    ({"reporter_email": "", "reporter_phone": ""}, "e-mail address or a phone number"),
    ({"reporter_name": ""}, "Fill in your name"),
    ({"narrative": ""}, "This field is required"),
    ({"narrative": "x" * 20_001}, "at most 20000 characters"),
    ({"reporter_name": "x" * 501}, "at most 500 characters"),
    ({"behaviours": []}, "Choose at least one"),
    ({"behaviours": ["not-a-category"]}, "Select a valid choice"),
    ({"reporter_role": "boss"}, "Select a valid choice"),
    ({"reporter_email": "not an address"}, "valid email"),
    ({"witnesses": "\n".join(f"name {i}" for i in range(11))}, "At most 10 names"),
    ({"unwanted_advisor": "999999"}, "Select a valid choice"),
    ({"narrative": "nul \x00 byte"}, "Null characters are not allowed"),
])
def test_bad_input_is_explained_and_nothing_is_stored(changes: dict[str, Any], error: str,
                                                      client: Client) -> None:
    response = send_report(client, {**REPORT, **changes})
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html and "error-summary" in html
    assert nothing_stored()
    # What was typed is still there, and a fresh token lets the next sending succeed.
    if "narrative" not in changes:
        assert "He shouted at me in the meeting." in html


def test_invalid_utf8_is_read_as_replacement_characters_never_a_server_error(
        client: Client) -> None:
    body = (f"submission={token(client)}&reporter_role=affected&reporter_population=staff"
            "&behaviours=verbal&channel=anonymous&accused_affiliation=unknown"
            "&narrative=broken+%ff%fe+bytes+and+a+lone+surrogate+%ed%a0%80").encode()
    response = client.post("/report/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "\ufffd" in Case.objects.get().narrative


def test_html_and_script_are_shown_as_text_wherever_they_appear_later(
        client: Client, personas: Personas,
        verified_client: Callable[[User], Client]) -> None:
    from cases import services

    code = reported(client, {**REPORT, "narrative": PAYLOAD, "accused_name": PAYLOAD,
                             "reporter_name": PAYLOAD, "desired_outcome": PAYLOAD})
    case = Case.objects.get()
    services.case_assign(case_id=case.pk, actor=personas.coordinator,
                         advisor_ids=[personas.advisor.pk])
    reporter = Client()
    reporter.post("/status/", {"code": code})
    reporter.post("/status/case/message/", {"body": PAYLOAD})
    services.message_send(case_id=case.pk, actor=personas.advisor, body=PAYLOAD)
    pages = [verified_client(personas.advisor).get(f"/staff/cases/{case.pk}/"),
             reporter.get("/status/case/")]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200
        assert PAYLOAD not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_the_same_form_sent_twice_makes_one_case(client: Client) -> None:
    fields = {**REPORT, "submission": token(client)}
    first, second = client.post("/report/", fields), client.post("/report/", fields)
    assert first.status_code == second.status_code == 200
    assert Case.objects.count() == 1
    # Both answers carry the same, working code: the browser may keep either.
    assert code_in(first) == code_in(second)
    assert Client().post("/status/", {"code": code_in(second)}).status_code == 302
    # Once the code was used, the same form sent again stores and shows nothing.
    again = client.post("/report/", fields)
    assert again.status_code == 409 and "data-testid=\"receipt-code\"" not in \
        again.content.decode()


SHOWN = 'data-testid="receipt-code"'


def _saved(client: Client, page: Any, *, ticked: bool = True) -> Any:
    """Tick "I have saved my receipt code" on a receipt page and continue."""
    match = re.search(r'name="submission" value="([^"]+)"', page.content.decode())
    assert match, "the receipt page's confirmation names the form that was sent"
    return client.post("/received/", {"submission": match.group(1),
                                      **({"confirm": "on"} if ticked else {})})


def test_once_the_code_is_saved_the_form_sent_again_shows_it_no_more(client: Client) -> None:
    fields = {**REPORT, "submission": token(client)}
    first, second = client.post("/report/", fields), client.post("/report/", fields)
    # A double click before the confirmation: both answers show the same, working code.
    assert code_in(first) == code_in(second)
    assert "did not tick" in _saved(client, second, ticked=False).content.decode()
    assert code_in(client.post("/report/", fields)) == code_in(first)  # not saved yet
    done = _saved(client, second)
    assert done.status_code == 200 and "did not tick" not in done.content.decode()
    assert ReceiptCode.objects.get().saved_at is not None  # held by the row, in any process
    again = client.post("/report/", fields)  # Back, and "send again"
    assert again.status_code == 409 and SHOWN not in again.content.decode()
    assert code_in(first) not in again.content.decode()
    assert "We already have this" in again.content.decode()
    assert Case.objects.count() == 1
    assert Client().post("/status/", {"code": code_in(first)}).status_code == 302


def test_after_the_code_was_used_the_form_sent_again_shows_it_no_more(client: Client) -> None:
    fields = {**REPORT, "submission": token(client)}
    code = code_in(client.post("/report/", fields))
    assert Client().post("/status/", {"code": code}).status_code == 302
    again = client.post("/report/", fields)
    assert again.status_code == 409 and SHOWN not in again.content.decode()


def test_only_the_browser_that_sent_the_form_can_confirm_its_code(client: Client) -> None:
    fields = {**REPORT, "submission": token(client)}
    page = client.post("/report/", fields)
    assert _saved(Client(), page).status_code == 200  # another browser: thanked, nothing stored
    assert ReceiptCode.objects.get().saved_at is None
    assert code_in(client.post("/report/", fields)) == code_in(page)


def test_a_form_without_its_token_is_refused_with_a_fresh_one(client: Client) -> None:
    response = client.post("/report/", {**REPORT})
    assert response.status_code == 400 and nothing_stored()
    html = response.content.decode()
    assert "did not arrive complete" in html and 'name="submission" value="' in html


def test_a_missing_csrf_token_is_refused_politely_and_stores_nothing() -> None:
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/report/", {**REPORT, "submission": "x" * 20})
    assert response.status_code == 403
    assert "<h1>" in response.content.decode() and nothing_stored()


def _upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_files_come_with_the_report_and_are_checked_by_content(client: Client) -> None:
    good = _upload("notes.txt", b"what he wrote")
    reported(client, {**REPORT, "files": [good]})
    attachment = CaseAttachment.objects.get()
    assert attachment.content == b"what he wrote" and attachment.added_by is None


@pytest.mark.parametrize(("files", "error"), [
    ([_upload("photo.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)], "photo.pdf"),
    ([_upload("run.pdf", b"MZ\x90\x00\x03 windows program")], "run.pdf"),
    ([_upload(f"n{i}.txt", b"x") for i in range(11)], "at most 10 files"),
])
def test_bad_files_refuse_the_report_and_say_which(files: list[Any], error: str,
                                                    client: Client) -> None:
    response = send_report(client, {**REPORT, "files": files})
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html and "choose your files again" in html
    assert "He shouted at me in the meeting." in html
    assert nothing_stored()


def test_a_report_with_zip_bombs_is_refused_and_keeps_what_was_typed(
        client: Client, unpacked: Unpacked) -> None:
    bombs = [_upload(f"evidence{n}.odt", zip_bomb("odt")) for n in range(10)]
    response = send_report(client, {**REPORT, "files": bombs})
    assert response.status_code == 400
    html = response.content.decode()
    assert "This document unpacks to more than 80 MB" in html
    assert "He shouted at me in the meeting." in html
    assert unpacked.total < 1024  # the first one's mimetype, nothing more
    assert nothing_stored()


def test_an_oversized_file_is_dropped_while_reading_and_named(client: Client,
                                                              settings: Settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = send_report(client, {**REPORT, "files": [_upload("big.txt", b"x" * 5000)]})
    assert response.status_code == 400
    assert "“big.txt” is too large" in response.content.decode()
    assert nothing_stored()


def test_too_many_reports_from_one_client_are_slowed_down(client: Client,
                                                          settings: Settings) -> None:
    settings.SUBMISSIONS_PER_CLIENT_PER_HOUR = 2
    reported(client)
    reported(client)
    response = send_report(client)
    assert response.status_code == 429
    assert "try again in an hour" in response.content.decode()
    assert Case.objects.count() == 2


def test_only_forms_that_store_a_case_count_against_the_address(client: Client,
                                                               settings: Settings) -> None:
    """Behind a campus NAT many reporters share the limit: a double click, a form sent
    again or a refused form must not use it up."""
    settings.SUBMISSIONS_PER_CLIENT_PER_HOUR = 2
    fields = {**REPORT, "submission": token(client)}
    for _ in range(3):
        assert client.post("/report/", fields).status_code == 200
    refused = send_report(client, {**REPORT, "files": [_upload("run.pdf", b"MZ\x90\x00")]})
    assert refused.status_code == 400
    reported(client)
    assert send_report(client).status_code == 429
    assert Case.objects.count() == 2


def test_a_conversation_needs_no_personal_data(client: Client) -> None:
    response = send_report(client, {}, path="/talk/")
    assert response.status_code == 200 and code_in(response)
    case = Case.objects.get()
    assert (case.kind, case.channel) == (Kind.CONSULTATION, Channel.ANONYMOUS)
    assert case.narrative is None and case.reporter_name is None


def test_a_conversation_with_contact_details_is_named(client: Client) -> None:
    send_report(client, {"reporter_name": "Sam", "reporter_phone": "06 1234 5678",
                         "preferences": "Mornings"}, path="/talk/")
    case = Case.objects.get()
    assert (case.kind, case.channel) == (Kind.CONSULTATION, Channel.NAMED)
    assert case.reporter_phone == "06 1234 5678" and case.desired_outcome == "Mornings"


def test_a_name_without_a_way_to_reach_someone_is_explained(client: Client) -> None:
    response = send_report(client, {"reporter_name": "Sam"}, path="/talk/")
    assert response.status_code == 400 and "we will answer on your status" in \
        response.content.decode()
    assert nothing_stored()


def test_sending_a_report_costs_the_same_queries_however_many_advisors_and_people(
        client: Client) -> None:
    """The one-time token's lock, the reference counter, the case, its people (one statement
    for all), the receipt code and the audit appends: the same number for a small report in a
    small office as for a long one in a larger office. The advisors are not looked up unless
    the reporter chose one."""
    from accounts.roles import Role
    from tests.factories import StaffUserFactory

    def send(witnesses: int) -> None:
        fields = {**REPORT, "submission": token(client),
                  "witnesses": "\n".join(f"Witness {i}" for i in range(witnesses))}
        assert client.post("/report/", fields).status_code == 200

    StaffUserFactory.create(role=Role.ADVISOR)
    small = queries_of(lambda: send(1))
    for _ in range(5):
        StaffUserFactory.create(role=Role.ADVISOR)
    large = queries_of(lambda: send(10))
    assert large == small
    assert CaseParty.objects.count() == 2 + 11
