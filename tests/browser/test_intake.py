"""The reporter's side in a real browser: reporting, the receipt code, /status/ and the messages
with the advisor, with and without JavaScript; every page free of serious axe violations in
English and Dutch.

Form fields are found by their names and values, not their labels, so that the same helpers
work in Dutch while the intake pages' translations are still being written. Links are found by
their addresses for the same reason.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from django.utils.formats import date_format

from cases import services
from cases.models import Case, CaseAttachment, CaseMessage
from tests.browser.conftest import axe_violations, sign_in
from tests.conftest import Personas

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Eight groups of four from the alphabet without look-alikes (cases.receipt_codes).
CODE = re.compile(r"([2-9A-HJKMNP-TV-Z]{4}-){7}[2-9A-HJKMNP-TV-Z]{4}")
# Well formed, but no case has it: what a guess or a typo looks like.
UNKNOWN_CODE = "ZZZZ-ZZZZ-2345-6789-ABCD-EFGH-JKMN-PQRS"
WRONG_CODE = "This code does not open a case. Check it and try again"

REPORT_FORM = 'form[action="/report/"]'
STATUS_FORM = 'form[action="/status/"]'
MESSAGE_FORM = 'form[action="/status/case/message/"]'

OpenPage = Callable[..., "Page"]  # a string: Page is imported for the checker only


@pytest.fixture
def open_page(browser: Browser) -> Iterator[OpenPage]:
    """A page in a context of its own: each one a separate person with their own cookies."""
    contexts: list[BrowserContext] = []

    def _open(*, locale: str = "en-GB", javascript: bool = True) -> Page:
        context = browser.new_context(locale=locale, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield _open
    for context in contexts:
        context.close()


# --- helpers --------------------------------------------------------------------------------


def _accessible(page: Page, where: str) -> None:
    assert axe_violations(page) == [], where


def _fill_report(page: Page, *, narrative: str = "My supervisor shouted at me in a meeting.",
                 channel: str = "anonymous", name: str = "", email: str = "",
                 files: tuple[Path, ...] = ()) -> None:
    """The fewest answers the report form takes, plus contact details for a named report."""
    form = page.locator(REPORT_FORM)
    form.locator('input[name="reporter_role"][value="affected"]').check()
    form.locator('input[name="reporter_population"][value="staff"]').check()
    form.locator('input[name="behaviours"][value="verbal"]').check()
    form.locator('textarea[name="narrative"]').fill(narrative)
    form.locator(f'input[name="channel"][value="{channel}"]').check()
    if name:
        form.locator('input[name="reporter_name"]').fill(name)
    if email:
        form.locator('input[name="reporter_email"]').fill(email)
    if files:
        form.locator('input[name="files"]').set_input_files([str(f) for f in files])


def _send_report(page: Page) -> None:
    page.locator(f"{REPORT_FORM} button[type=submit]").click()
    page.wait_for_load_state()


def _report(page: Page, base_url: str, **answers: Any) -> str:
    """Make a report through /report/ and return the receipt code it shows."""
    page.goto(base_url + "/report/")
    _fill_report(page, **answers)
    _send_report(page)
    return _code(page)


def _code(page: Page) -> str:
    code = page.get_by_test_id("receipt-code").inner_text().strip()
    assert CODE.fullmatch(code), code
    return code


def _enter_code(page: Page, base_url: str, code: str) -> None:
    page.goto(base_url + "/status/")
    page.locator(f'{STATUS_FORM} input[name="code"]').fill(code)
    page.locator(f"{STATUS_FORM} button[type=submit]").click()
    page.wait_for_load_state()


def _send_message(page: Page, text: str) -> None:
    page.locator(f'{MESSAGE_FORM} textarea[name="body"]').fill(text)
    page.locator(f"{MESSAGE_FORM} button[type=submit]").click()
    page.wait_for_load_state()


def _png_with_metadata(path: Path) -> Path:
    """A real PNG that says which camera took it (EXIF) and who made it (a tEXt chunk)."""
    from PIL import Image, PngImagePlugin

    exif = Image.Exif()
    exif[0x010F] = "Phone Maker"  # Make
    exif[0x0110] = "Phone Model 12"  # Model
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Reporter Example")
    Image.new("RGB", (16, 16), "teal").save(path, format="PNG", exif=exif, pnginfo=text)
    assert b"eXIf" in path.read_bytes() and b"tEXt" in path.read_bytes()
    return path


# --- 1. an anonymous report, then its status page -------------------------------------------


def test_an_anonymous_report_and_its_status_page(page: Page, live_server: LiveServer) -> None:
    code = _report(page, live_server.url, channel="anonymous")
    assert page.locator("h1").inner_text() == "We have received your report"
    case = Case.objects.get()
    assert (case.kind, case.channel, case.state) == ("report", "anonymous", "received")
    assert case.behaviours == ["verbal"]

    page.get_by_label("I have saved my receipt code").check()
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Thank you for letting us know"
    # Ticked, so no warning that the code may not have been saved.
    assert page.locator(".message--warning").count() == 0
    # The code was on one page only.
    assert code not in page.content()

    _enter_code(page, live_server.url, code)
    assert page.url == live_server.url + "/status/case/"
    assert page.locator("h1").inner_text() == "Your report"
    assert page.get_by_test_id("status-state").inner_text().startswith("We have received it.")
    answer_by = date_format(timezone.localtime(case.acknowledgement_due_at), "l j F Y")
    assert page.get_by_test_id("status-next-date").inner_text() == answer_by
    assert page.locator("dt", has_text="We will answer by").count() == 1
    assert code not in page.content()


# --- 2. a named report with a photo ---------------------------------------------------------


def test_a_named_report_with_a_photo_keeps_it_without_its_metadata(
        page: Page, live_server: LiveServer, tmp_path: Path) -> None:
    photo = _png_with_metadata(tmp_path / "screenshot.png")
    _report(page, live_server.url, channel="named", name="Reporter Example",
            email="reporter@example.org", files=(photo,))
    # A named report is answered through the contact details given.
    assert "contacts you in the way you gave us" in page.locator(".next-steps").inner_text()

    case = Case.objects.get()
    assert (case.channel, case.reporter_name) == ("named", "Reporter Example")
    attachment = CaseAttachment.objects.get(case=case)
    assert attachment.filename == "screenshot.png"
    assert attachment.content_type == "image/png"
    assert attachment.added_by is None  # from the reporter
    assert attachment.content == photo.read_bytes()  # the original, kept as evidence
    assert attachment.metadata_removed
    assert b"Phone Model" not in attachment.working_copy
    assert b"Reporter Example" not in attachment.working_copy


# --- 3. messages between the reporter and the advisor ---------------------------------------


def test_reporter_and_advisor_exchange_messages(open_page: OpenPage, live_server: LiveServer,
                                                personas: Personas) -> None:
    reporter = open_page()
    code = _report(reporter, live_server.url)
    case = Case.objects.get()
    services.case_assign(case_id=case.pk, actor=personas.coordinator,
                         advisor_ids=[personas.advisor.pk])

    advisor = open_page()
    sign_in(advisor, live_server.url, personas.advisor)
    case_page = f"{live_server.url}/staff/cases/{case.pk}/"
    advisor.goto(case_page)
    advisor.get_by_label("Message to the reporter").fill("Thank you for telling us. Can we talk?")
    advisor.get_by_role("button", name="Send to the reporter").click()
    advisor.wait_for_load_state()
    assert "Your message has been sent to the reporter." in advisor.get_by_role(
        "status").inner_text()

    _enter_code(reporter, live_server.url, code)
    received = reporter.locator(".conversation__message--to_reporter")
    assert received.locator(".conversation__body").inner_text() == (
        "Thank you for telling us. Can we talk?")
    assert received.locator(".conversation__meta").inner_text().startswith("Your advisor ·")
    _send_message(reporter, "Yes, on Thursday morning.")
    assert reporter.url == live_server.url + "/status/case/"
    assert reporter.get_by_role("status").inner_text() == (
        "Your message has been sent to your advisor.")
    assert reporter.locator(".conversation__message--from_reporter").inner_text().endswith(
        "Yes, on Thursday morning.")

    advisor.goto(case_page)
    assert "Yes, on Thursday morning." in advisor.locator(
        ".thread__item--from_reporter").inner_text()

    # The advisor's visits are on the reporter's page, by role and day, never by name.
    reporter.reload()
    accesses = reporter.get_by_test_id("status-accesses").inner_text()
    assert "your confidential advisor" in accesses
    assert personas.advisor.get_full_name() not in reporter.content()


# --- 4. replacing the receipt code ----------------------------------------------------------


def test_replacing_the_code_retires_the_old_one(
        open_page: OpenPage, live_server: LiveServer) -> None:
    page = open_page()
    old = _report(page, live_server.url)
    _enter_code(page, live_server.url, old)

    page.locator('a[href="/status/case/new-code/"]').click()
    assert page.locator("h1").inner_text() == "Replace my receipt code"
    page.get_by_role("button", name="Give me a new code").click()
    assert page.locator("h1").inner_text() == "Your new receipt code"
    new = _code(page)
    assert new != old
    page.get_by_role("link", name="I have saved it: back to my case").click()
    assert page.url == live_server.url + "/status/case/"

    # Someone else with the old code gets exactly what a made-up code gets.
    elsewhere = open_page()
    _enter_code(elsewhere, live_server.url, UNKNOWN_CODE)
    unknown_error = elsewhere.locator("#id_code-errors").inner_text()
    assert WRONG_CODE in unknown_error
    _enter_code(elsewhere, live_server.url, old)
    assert elsewhere.url == live_server.url + "/status/"
    assert elsewhere.locator("#id_code-errors").inner_text() == unknown_error

    _enter_code(elsewhere, live_server.url, new)
    assert elsewhere.url == live_server.url + "/status/case/"
    assert elsewhere.locator("h1").inner_text() == "Your report"


# --- 5. a message with the reporter's own code ----------------------------------------------


def test_a_message_with_the_own_code_is_refused(page: Page, live_server: LiveServer) -> None:
    code = _report(page, live_server.url)
    _enter_code(page, live_server.url, code)
    # Pasted in lower case and without dashes: still the code.
    typed = f"Is this what you need? {code.replace('-', '').lower()}"
    _send_message(page, typed)

    assert "Your message contains your receipt code" in page.locator(
        "#id_body-errors").inner_text()
    assert page.locator(f'{MESSAGE_FORM} textarea[name="body"]').input_value() == typed
    assert CaseMessage.objects.count() == 0


# --- 6. without JavaScript ------------------------------------------------------------------


def test_a_report_without_javascript(open_page: OpenPage, live_server: LiveServer) -> None:
    page = open_page(javascript=False)
    code = _report(page, live_server.url)
    assert Case.objects.count() == 1
    page.get_by_label("I have saved my receipt code").check()
    page.get_by_role("button", name="Continue").click()
    assert page.locator("h1").inner_text() == "Thank you for letting us know"
    _enter_code(page, live_server.url, code)
    assert page.locator("h1").inner_text() == "Your report"


# --- 7. every page of the flow, in English and in Dutch -------------------------------------


@pytest.mark.parametrize("language", ["en", "nl"])
def test_every_intake_page_is_accessible(open_page: OpenPage, live_server: LiveServer,
                                         language: str) -> None:
    page = open_page()
    base = live_server.url

    def check(where: str) -> None:
        assert page.locator("html").get_attribute("lang") == language, where
        _accessible(page, f"{where} ({language})")

    page.goto(base + "/")
    if language != "en":
        # As a visitor would: the switch in the header (it sets the language cookie).
        page.locator(f'button[name="language"][value="{language}"]').click()
        page.wait_for_load_state()
    check("landing page")

    page.goto(base + "/report/")
    check("report form")
    _send_report(page)  # empty
    assert page.locator(".error-summary").count() == 1
    check("report form with errors")

    page.goto(base + "/talk/")
    check("conversation form")

    page.goto(base + "/report/")
    _fill_report(page)
    _send_report(page)
    code = _code(page)
    check("receipt page")
    page.locator("#id_confirm").check()
    page.locator('form[action="/received/"] button[type=submit]').click()
    page.wait_for_load_state()
    check("done page")

    page.goto(base + "/status/")
    check("code form")
    _enter_code(page, base, UNKNOWN_CODE)
    assert page.locator("#id_code-errors").count() == 1
    check("code form with an error")

    _enter_code(page, base, code)
    _send_message(page, "Can we talk next week?")
    assert page.locator(".conversation__message").count() == 1
    check("status page with a message")

    page.locator('a[href="/status/case/withdraw/"]').click()
    page.wait_for_load_state()
    check("withdraw confirmation")

    page.goto(base + "/status/case/new-code/")
    check("new code explanation")
    page.locator('form[action="/status/case/new-code/"] button[type=submit]').click()
    page.wait_for_load_state()
    _code(page)
    check("new code")

    page.locator('a[href="/status/case/"]').click()
    page.wait_for_load_state()
    page.locator('form[action="/status/leave/"] button[type=submit]').click()
    page.wait_for_load_state()
    assert page.url == base + "/status/leave/"
    check("left page")


# --- 8. a double click sends the form twice, and makes one case -----------------------------


class _TwoSendings:
    """Stands in for ``services.case_submit`` in the live server, to decide which of two
    sendings of the same form the server handles first: the test clicks the second time only
    once the first sending has arrived, and each sending waits for its turn."""

    def __init__(self, submit: Callable[..., Any], *, second_first: bool) -> None:
        self.submit, self.second_first = submit, second_first
        self.arrived = [threading.Event(), threading.Event()]
        self.handled = [threading.Event(), threading.Event()]
        self._lock = threading.Lock()
        self.sendings = 0

    def __call__(self, **kwargs: Any) -> Any:
        with self._lock:
            index, self.sendings = self.sendings, self.sendings + 1
        if index > 1:
            return self.submit(**kwargs)
        self.arrived[index].set()
        turn: threading.Event | None
        if index == 0:
            # Never answer before the second click: its sending must reach the server too.
            turn = self.handled[1] if self.second_first else self.arrived[1]
        else:
            turn = None if self.second_first else self.handled[0]
        if turn is not None:
            turn.wait(timeout=5)
        try:
            return self.submit(**kwargs)
        finally:
            self.handled[index].set()

    def both_handled(self) -> bool:
        return all(event.wait(timeout=5) for event in self.handled)


# Either order must leave a working code on the screen: both answers carry the same code,
# derived from the form's one-time token (cases.receipt_codes.from_form_token).
@pytest.mark.parametrize("order", ["first sending handled first",
                                   "second sending handled first"])
def test_double_click_on_send_makes_one_case(page: Page, live_server: LiveServer,
                                             monkeypatch: pytest.MonkeyPatch,
                                             order: str) -> None:
    sendings = _TwoSendings(services.case_submit, second_first=order.startswith("second"))
    monkeypatch.setattr(services, "case_submit", sendings)
    page.goto(live_server.url + "/report/")
    _fill_report(page)
    button = page.locator(f"{REPORT_FORM} button[type=submit]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    # A person's double click: the second click lands while the first sending is on its way.
    # (Playwright's dblclick() is so quick that Chromium merges both clicks into one sending,
    # and a locator would wait for the first answer, so these are two plain mouse clicks.)
    page.mouse.click(x, y)
    assert sendings.arrived[0].wait(timeout=5)
    page.mouse.click(x, y)
    code = _code(page)
    assert sendings.both_handled()
    assert sendings.sendings == 2
    assert Case.objects.count() == 1

    # The browser shows the answer to the second sending: its code must be the one that works.
    _enter_code(page, live_server.url, code)
    assert page.url == live_server.url + "/status/case/"
