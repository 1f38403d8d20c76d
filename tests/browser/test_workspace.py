"""The advisor's workspace in a real browser: a phone report from registration to referral,
then the committee's review; every page free of serious axe violations in English and Dutch."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from accounts.roles import Role
from cases.models import Case
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import StaffUserFactory

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _accessible(page: Page, where: str) -> None:
    assert axe_violations(page) == [], where


def _confirm(page: Page, button: str) -> None:
    page.get_by_role("link", name=button, exact=True).click()
    page.wait_for_load_state()
    _accessible(page, f"confirmation of {button}")
    page.get_by_role("button", name=f"Confirm: {button}").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().startswith("Done:")


def test_an_advisor_registers_a_phone_report_and_refers_it(browser: Browser,
                                                          live_server: LiveServer) -> None:
    advisor = StaffUserFactory.create(role=Role.ADVISOR, first_name="Anna", last_name="Advisor")
    member = StaffUserFactory.create(role=Role.MISCONDUCT_COMMITTEE)
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, advisor)
    _accessible(page, "dashboard")

    page.get_by_role("link", name="Register a report received by phone or in person").click()
    _accessible(page, "registration form")
    # Submitting half a form explains what is missing and keeps what was typed.
    page.get_by_role("radio", name="Phone").check()
    page.get_by_role("radio", name="Report", exact=True).check()
    page.get_by_role("radio", name="Named").check()
    page.get_by_label("What happened").fill("My supervisor <b>shouted</b> at me.")
    page.get_by_role("button", name="Register the case").click()
    assert "needs the reporter's name" in page.get_by_role("alert").first.inner_text()
    assert page.get_by_label("What happened").input_value() == "My supervisor <b>shouted</b> at me."
    _accessible(page, "registration form with errors")

    page.get_by_label("Reporter's name").fill("Reporter Example")
    page.get_by_label("Verbal", exact=True).check()
    page.get_by_label("Affiliation of the person complained about").select_option("umc_staff")
    page.get_by_label("The reporter's written statement has been received").check()
    page.get_by_role("button", name="Register the case").click()
    code = page.locator('[data-testid="receipt-code"]').inner_text()
    assert re.fullmatch(r"([2-9A-Z]{4}-){7}[2-9A-Z]{4}", code)
    _accessible(page, "receipt code page")

    page.get_by_role("link", name="Go to the case").click()
    assert "My supervisor <b>shouted</b> at me." in page.locator("main").inner_text()
    assert code not in page.content()
    _accessible(page, "case page")

    _confirm(page, "Acknowledge receipt")
    _confirm(page, "Start working on the case")
    # Referral waits for consent, and says so next to the disabled button.
    assert "consent to refer has not been recorded" in page.locator("#why-refer").inner_text()
    page.get_by_role("link", name="Record consent to refer").click()
    _accessible(page, "consent page")
    page.get_by_label("The reporter consents to referring").check()
    page.get_by_role("button", name="Record consent").click()
    page.get_by_role("link", name="Refer to a committee", exact=True).click()
    page.get_by_label("Misconduct Complaints Committee").check()
    page.get_by_role("button", name="Confirm: Refer to a committee").click()
    assert "Referred to a committee" in page.locator(".lead").inner_text()

    page.goto(live_server.url + "/staff/cases/")
    _accessible(page, "case list")
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Dossiers"
    _accessible(page, "case list in Dutch")
    page.get_by_role("link", name=Case.objects.get().reference).click()
    _accessible(page, "case page in Dutch")
    context.close()

    # The committee member finds the file on their dashboard and accepts it.
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, member)
    case = Case.objects.get()
    page.get_by_role("link", name=case.reference).click()
    assert "Private notes" not in page.locator("main").inner_text()
    _confirm(page, "Accept the referral")
    assert Case.objects.get().state == "under_review"
    context.close()
