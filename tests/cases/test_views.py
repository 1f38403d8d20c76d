"""The staff workspace through HTTP: what each role sees, what each form does, how refusals
and conflicts read, and that page costs do not grow with the number of cases."""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from accounts.models import User
from audit import actions
from audit.models import AuditEvent
from cases import receipt_codes, services
from cases.choices import Affiliation, Channel, Kind, State
from cases.models import Case, CaseNote, ReceiptCode
from tests.cases.factories_cases import NARRATIVE, case_input, make_case
from tests.conftest import Personas
from tests.factories import sign_in_verified
from tests.files.zipbombs import Unpacked, zip_bomb

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    sign_in_verified(client, user)
    return client


def _messages(response: TestResponse) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _detail(case: Case) -> str:
    return reverse("cases:detail", kwargs={"case_id": case.pk})


# --- who sees what -------------------------------------------------------------------------


def test_the_dashboard_shows_each_role_its_own_work(personas: Personas) -> None:
    mine = make_case(state=State.ACKNOWLEDGED, advisor=personas.advisor)
    unassigned = make_case(state=State.RECEIVED, coordinator=personas.coordinator, consent=False)

    advisor_page = _client(personas.advisor).get("/staff/").content.decode()
    assert mine.reference in advisor_page and unassigned.reference not in advisor_page
    other_page = _client(personas.other_advisor).get("/staff/").content.decode()
    assert mine.reference not in other_page
    coordinator_page = _client(personas.coordinator).get("/staff/").content.decode()
    assert "Unassigned cases" in coordinator_page and unassigned.reference in coordinator_page
    admin_page = _client(personas.superuser).get("/staff/").content.decode()
    assert "gives no access to cases" in admin_page and mine.reference not in admin_page


def test_the_case_page_shows_content_only_to_those_who_may_read_it(personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    services.note_add(case_id=case.pk, actor=personas.advisor, body="Private note marker")

    advisor_page = _client(personas.advisor).get(_detail(case)).content.decode()
    assert NARRATIVE in advisor_page and "Private note marker" in advisor_page
    coordinator_page = _client(personas.coordinator).get(_detail(case)).content.decode()
    assert case.reference in coordinator_page
    assert NARRATIVE not in coordinator_page and "Private note marker" not in coordinator_page
    assert "metadata and deadlines" in coordinator_page


def test_a_committee_reads_the_file_but_never_the_advisors_notes(personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    services.note_add(case_id=case.pk, actor=personas.advisor, body="Private note marker")
    services.case_refer(case_id=case.pk, actor=personas.advisor, committee="misconduct")

    page = _client(personas.misconduct_committee).get(_detail(case)).content.decode()
    assert NARRATIVE in page
    assert "Private note marker" not in page and "Private notes" not in page
    assert _client(personas.uu_committee).get(_detail(case)).status_code == 404


def test_viewing_a_case_is_recorded_in_its_trail(personas: Personas) -> None:
    case = make_case(state=State.RECEIVED, advisor=personas.advisor)
    _client(personas.coordinator).get(_detail(case))
    viewed = AuditEvent.objects.filter(stream=str(case.pk), action=actions.CASE_VIEWED)
    assert viewed.count() == 1
    assert viewed.get().actor_id == str(personas.coordinator.pk)

    # The history on the page shows what changed, not the views (they would crowd it out).
    page = _client(personas.advisor).get(_detail(case)).content.decode()
    history = page[page.index('id="timeline-heading"'):]
    assert "Case registered" in history and "Case viewed" not in history


# --- transitions ---------------------------------------------------------------------------


def test_a_transition_is_confirmed_then_performed(personas: Personas) -> None:
    case = make_case(state=State.RECEIVED, advisor=personas.advisor)
    client = _client(personas.advisor)
    url = reverse("cases:transition", kwargs={"case_id": case.pk, "action": "acknowledge"})
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Confirm: Acknowledge receipt" in confirm.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED  # a GET changes nothing

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == _detail(case)
    assert Case.objects.get(pk=case.pk).state == State.ACKNOWLEDGED
    assert _messages(response) == ["Done: Acknowledge receipt."]


def test_an_unavailable_transition_says_why(personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor,
                     channel=Channel.ANONYMOUS)
    page = _client(personas.advisor).get(_detail(case)).content.decode()
    assert re.search(r'<button class="button" type="button" disabled aria-describedby="why-refer"',
                     page)
    assert "An anonymous report cannot become a formal complaint" in page


def test_a_colleague_acting_first_gives_a_message_not_an_error(personas: Personas) -> None:
    case = make_case(state=State.RECEIVED, advisor=personas.advisor)
    services.case_assign(case_id=case.pk, actor=personas.coordinator,
                         advisor_ids=[personas.advisor.pk, personas.other_advisor.pk])
    first, second = _client(personas.advisor), _client(personas.other_advisor)
    url = reverse("cases:transition", kwargs={"case_id": case.pk, "action": "acknowledge"})
    assert second.get(url).status_code == 200  # the confirmation page is open
    assert first.post(url).status_code == 302

    response = second.post(url)
    assert response.status_code == 302 and response["Location"] == _detail(case)
    assert _messages(response) == [
        "This step is not available for this case now: it is “Acknowledged”."]
    assert Case.objects.get(pk=case.pk).state == State.ACKNOWLEDGED


def test_a_referral_for_a_dual_appointment_needs_a_reason(personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor,
                     affiliation=Affiliation.DUAL)
    client = _client(personas.advisor)
    url = reverse("cases:transition", kwargs={"case_id": case.pk, "action": "refer"})
    page = client.get(url).content.decode()
    assert "Misconduct Complaints Committee" in page and "UU Committee" in page

    response = client.post(url, {"committee": "uu_integrity", "reason": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS

    response = client.post(url, {"committee": "uu_integrity",
                                 "reason": "Teaches at the university."})
    assert response.status_code == 302
    referred = Case.objects.get(pk=case.pk)
    assert referred.state == State.REFERRED and referred.committee == "uu_integrity"


def test_a_committee_returns_a_file_with_a_reason(personas: Personas) -> None:
    case = make_case(state=State.REFERRED, advisor=personas.advisor,
                     committee_actor=personas.misconduct_committee)
    client = _client(personas.misconduct_committee)
    url = reverse("cases:transition", kwargs={"case_id": case.pk, "action": "return"})
    assert client.post(url, {"reason": ""}).status_code == 200  # required
    response = client.post(url, {"reason": "Not our jurisdiction."})
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.IN_PROGRESS
    # The committee has lost access with the file.
    assert client.get(_detail(case)).status_code == 404


# --- registration --------------------------------------------------------------------------


def _registration(**overrides: Any) -> dict[str, Any]:
    data = {
        "received_via": "phone", "kind": "report", "channel": "named",
        "reporter_role": "affected", "reporter_population": "staff",
        "behaviours": ["verbal", "bullying"], "narrative": NARRATIVE, "occurred": "Ward 3",
        "complained_about": "Dr Example", "accused_affiliation": "umc_staff",
        "desired_outcome": "", "reporter_name": "Reporter Example",
        "reporter_email": "reporter@example.org", "reporter_phone": "",
    }
    data.update(overrides)
    return data


def test_registering_shows_the_receipt_code_once(personas: Personas) -> None:
    client = _client(personas.advisor)
    response = client.post(reverse("cases:register"), _registration())
    assert response.status_code == 200
    page = response.content.decode()
    shown = re.search(r'data-testid="receipt-code">([^<]+)<', page)
    assert shown is not None
    case = Case.objects.get()
    stored = ReceiptCode.objects.get(case=case)
    code = receipt_codes.normalise(shown[1])
    assert code is not None
    selector, verifier = receipt_codes.split(code)
    assert stored.selector == selector and stored.must_replace
    assert receipt_codes.verifier_matches(verifier, stored.verifier_mac)
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response[
        "Cache-Control"]
    # Never again: not on the case page, not in the trail.
    assert code not in client.get(_detail(case)).content.decode()
    assert not AuditEvent.objects.filter(detail__contains=selector).exists()
    assert case.advisors.get() == personas.advisor


@pytest.mark.parametrize(("overrides", "error"), [
    ({"channel": "anonymous"}, "An anonymous case holds no name or contact details"),
    ({"reporter_name": "", "reporter_email": ""}, "needs the reporter&#x27;s name or contact"),
    ({"narrative": ""}, "Describe what happened."),
    ({"reporter_role": "chief"}, "Select a valid choice."),
    ({"narrative": "x" * 20_001}, "Ensure this value has at most 20000 characters"),
    ({"received_at": "2999-01-01T09:00"}, "cannot be in the future"),
    ({"received_at": "yesterday"}, "Enter a valid date/time."),
])
def test_a_bad_registration_is_explained_and_stores_nothing(
        personas: Personas, overrides: dict[str, Any], error: str) -> None:
    response = _client(personas.advisor).post(reverse("cases:register"),
                                              _registration(**overrides))
    assert response.status_code == 200 and error in response.content.decode()
    assert not Case.objects.exists() and not AuditEvent.objects.exists()


# --- notes, messages, files ----------------------------------------------------------------


def test_a_report_received_earlier_runs_its_clock_from_then(personas: Personas) -> None:
    response = _client(personas.advisor).post(reverse("cases:register"), _registration(
        received_at="2026-11-13T16:30"))
    assert response.status_code == 200
    case = Case.objects.get()
    assert timezone.localtime(case.received_at).isoformat().startswith("2026-11-13T16:30")
    assert case.acknowledgement_due_at == timezone.localtime(case.received_at) + timedelta(days=7)


def test_notes_and_messages_are_escaped_where_they_appear(personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    client = _client(personas.advisor)
    payload = '<script>alert("x")</script>'
    client.post(reverse("cases:note_add", kwargs={"case_id": case.pk}), {"body": payload})
    client.post(reverse("cases:message_send", kwargs={"case_id": case.pk}),
                {"body": payload})
    page = client.get(_detail(case)).content.decode()
    assert payload not in page
    assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") == 2


def test_an_empty_note_is_refused_with_a_message(personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    response = _client(personas.advisor).post(
        reverse("cases:note_add", kwargs={"case_id": case.pk}), {"body": "   "})
    assert response.status_code == 302
    assert _messages(response) == ["This field is required."]
    assert not CaseNote.objects.exists()


def test_files_are_downloaded_never_rendered_and_the_download_is_recorded(
        personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    client = _client(personas.advisor)
    upload = client.post(reverse("cases:attachment_upload", kwargs={"case_id": case.pk}), {
        "file": _named_file(b"<html><script>x</script></html>", "brief \"é\".txt")})
    assert upload.status_code == 302 and _messages(upload) == ["The file has been added."]
    attachment = case.attachments.get()
    response = client.get(reverse("cases:attachment_download", kwargs={
        "case_id": case.pk, "attachment_id": attachment.pk}))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''brief%20%22%C3%A9%22.txt")
    assert response.content == b"<html><script>x</script></html>"
    assert AuditEvent.objects.filter(action=actions.ATTACHMENT_DOWNLOADED,
                                     target_id=str(attachment.pk)).count() == 1
    # The coordinator reads no content, files included: refused (403) like every content
    # action on a case they see, and nothing of the file in the answer.
    refused = _client(personas.coordinator).get(reverse("cases:attachment_download", kwargs={
        "case_id": case.pk, "attachment_id": attachment.pk}))
    assert refused.status_code == 403
    assert b"<script>x</script>" not in refused.content and b"brief" not in refused.content


@pytest.mark.parametrize(("name", "header"), [
    ('plain "quoted" name.txt', 'attachment; filename="plain \\"quoted\\" name.txt"'),
    ("line\r\nSet-Cookie: x=1.txt",
     "attachment; filename*=utf-8''line%0D%0ASet-Cookie%3A%20x%3D1.txt"),
])
def test_a_file_name_cannot_break_the_download_header(
        personas: Any, name: str, header: str) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    attachment = services.attachment_add(case_id=case.pk, actor=personas.advisor,
                                         filename=name, content=b"text")
    response = _client(personas.advisor).get(reverse("cases:attachment_download", kwargs={
        "case_id": case.pk, "attachment_id": attachment.pk}))
    assert response["Content-Disposition"] == header
    assert "Set-Cookie" not in response


def test_a_file_over_the_limit_is_refused(personas: Personas, settings: Settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 2048
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 4096
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    response = _client(personas.advisor).post(
        reverse("cases:attachment_upload", kwargs={"case_id": case.pk}),
        {"file": _named_file(b"x" * 3000, "big.txt")})
    assert _messages(response) == ["The file is too large: at most 0 MB."] or \
        "too large" in _messages(response)[0]
    assert not case.attachments.exists()


def test_a_zip_bomb_uploaded_by_staff_is_refused_with_the_reason(
        personas: Personas, unpacked: Unpacked) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    response = _client(personas.advisor).post(
        reverse("cases:attachment_upload", kwargs={"case_id": case.pk}),
        {"file": _named_file(zip_bomb("docx"), "statement.docx")})
    assert response.status_code == 400
    assert ("This document unpacks to more than 80 MB, too much to be checked safely. Send it "
            "as a PDF file instead.") in response.content.decode()
    assert unpacked.total == 0
    assert not case.attachments.exists()


def _named_file(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- assignment ----------------------------------------------------------------------------


def test_the_coordinator_assigns_and_the_advisor_gains_access(personas: Personas) -> None:
    case = make_case(state=State.RECEIVED, coordinator=personas.coordinator, consent=False)
    assert _client(personas.advisor).get(_detail(case)).status_code == 404
    response = _client(personas.coordinator).post(
        reverse("cases:assign", kwargs={"case_id": case.pk}),
        {"advisors": [str(personas.advisor.pk)]})
    assert response.status_code == 302
    assert _client(personas.advisor).get(_detail(case)).status_code == 200
    # Someone who is not an advisor cannot be chosen.
    response = _client(personas.coordinator).post(
        reverse("cases:assign", kwargs={"case_id": case.pk}),
        {"advisors": [str(personas.auditor.pk)]})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


# --- costs and leaks -----------------------------------------------------------------------


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("persona", ["advisor", "coordinator"])
def test_dashboard_and_list_cost_the_same_queries_at_any_size(personas: Personas,
                                                               persona: str) -> None:
    advisor = personas.advisor
    for _ in range(2):
        make_case(state=State.ACKNOWLEDGED, advisor=advisor)
    make_case(state=State.RECEIVED, coordinator=personas.coordinator, consent=False)
    client = _client(getattr(personas, persona))
    small = {url: _queries(client, url) for url in ("/staff/", "/staff/cases/")}
    for _ in range(12):
        make_case(state=State.ACKNOWLEDGED, advisor=advisor)
        make_case(state=State.RECEIVED, coordinator=personas.coordinator, consent=False)
    large = {url: _queries(client, url) for url in ("/staff/", "/staff/cases/")}
    assert large == small


def test_case_content_never_reaches_the_logs(
        personas: Personas, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client = _client(personas.advisor)
    client.post(reverse("cases:register"), _registration(narrative="LOGMARKER narrative"))
    case = Case.objects.get()
    client.post(reverse("cases:note_add", kwargs={"case_id": case.pk}),
                {"body": "LOGMARKER note"})
    client.get(_detail(case))
    client.post(reverse("cases:transition", kwargs={"case_id": case.pk,
                                                    "action": "acknowledge"}))
    assert "LOGMARKER" not in caplog.text
    assert not AuditEvent.objects.filter(detail__contains="LOGMARKER").exists()


def test_a_consultation_becomes_a_report_only_with_consent(personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor,
                     data=case_input(kind=Kind.CONSULTATION))
    client = _client(personas.advisor)
    url = reverse("cases:convert", kwargs={"case_id": case.pk})
    response = client.post(url, {})
    assert response.status_code == 200 and "Tick this only when" in response.content.decode()
    assert Case.objects.get(pk=case.pk).kind == Kind.CONSULTATION
    assert client.post(url, {"consent": "on"}).status_code == 302
    assert Case.objects.get(pk=case.pk).kind == Kind.REPORT


def _png_with_text_chunk() -> bytes:
    from io import BytesIO

    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Author", "Reporter Full Name")
    buffer = BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def test_the_working_copy_is_served_and_the_original_only_when_asked(personas: Personas) -> None:
    case = make_case(state=State.IN_PROGRESS, advisor=personas.advisor)
    original = _png_with_text_chunk()
    attachment = services.attachment_add(case_id=case.pk, actor=personas.advisor,
                                         filename="photo.png", content=original)
    assert attachment.metadata_removed
    client = _client(personas.advisor)
    url = reverse("cases:attachment_download", kwargs={"case_id": case.pk,
                                                       "attachment_id": attachment.pk})
    working = client.get(url).content
    assert b"Reporter Full Name" not in working and working.startswith(b"\x89PNG")
    assert client.get(url + "?copy=original").content == original
    copies = [e.detail_items["copy"] for e in AuditEvent.objects.filter(
        action=actions.ATTACHMENT_DOWNLOADED).order_by("seq")]
    assert copies == ["working", "original"]
    page = client.get(reverse("cases:detail", kwargs={"case_id": case.pk})).content.decode()
    assert "?copy=original" in page


def test_the_advisor_the_reporter_does_not_want_is_not_offered(personas: Personas) -> None:
    registered = services.case_submit(
        data=case_input(received_via="web"), submission_token="form-token-for-assign-test",
        unwanted_advisor_id=personas.advisor.pk)
    page = _client(personas.coordinator).get(
        reverse("cases:assign", kwargs={"case_id": registered.case.pk})).content.decode()
    assert personas.other_advisor.get_full_name() in page
    assert personas.advisor.get_full_name() not in page
    assert "The reporter asked that one advisor does not handle this case" in page
