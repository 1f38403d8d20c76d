"""The public shell and the staff sign-in in a real browser, in English and Dutch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.browser.conftest import axe_violations
from tests.factories import TEST_PASSWORD, StaffUserFactory

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_landing_is_accessible_and_switches_to_dutch(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Something happened that did not feel right?"
    assert axe_violations(page) == []

    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").inner_text() == "Is er iets gebeurd dat niet goed voelde?"
    assert axe_violations(page) == []


def test_skip_link_moves_focus_to_the_content(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_quick_exit_replaces_the_history_entry(page: Page, live_server: LiveServer) -> None:
    neutral = live_server.url + "/healthz"
    with override_settings(QUICK_EXIT_URL=neutral):
        page.goto("about:blank")
        page.goto(live_server.url + "/")
        page.get_by_test_id("quick-exit").click()
        page.wait_for_url(neutral)
        # Back does not return to our page: the quick exit replaced it in the history.
        page.go_back()
        assert page.url == "about:blank"


def test_quick_exit_by_pressing_escape_three_times(page: Page, live_server: LiveServer) -> None:
    neutral = live_server.url + "/healthz"
    with override_settings(QUICK_EXIT_URL=neutral):
        page.goto(live_server.url + "/")
        for _ in range(3):
            page.keyboard.press("Escape")
        page.wait_for_url(neutral)


def test_the_shell_works_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Is er iets gebeurd dat niet goed voelde?"
    href = page.get_by_test_id("quick-exit").get_attribute("href")
    assert href is not None and href.startswith("https://")
    context.close()


def test_staff_sign_in_with_second_factor(page: Page, live_server: LiveServer) -> None:
    user = StaffUserFactory.create(first_name="Anna")
    device = TOTPDevice.objects.get(user=user)
    page.goto(live_server.url + "/staff/")
    assert page.url.startswith(live_server.url + "/staff/login/")
    assert axe_violations(page) == []

    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    alert = page.get_by_role("alert").inner_text()
    assert alert == "The username, password or code is not correct."
    assert axe_violations(page) == []

    # django-otp refuses any code for a second after a failure (its own throttle), as it should.
    page.wait_for_timeout(1100)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Code from your authenticator app").fill(f"{code:06d}")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/staff/")
    assert page.locator("h1").inner_text() == "Welcome, Anna"
    assert axe_violations(page) == []


def test_error_page_is_accessible_in_dutch(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    page.goto(live_server.url + "/no-such-page/")
    assert page.locator("h1").inner_text() == "Pagina niet gevonden"
    assert axe_violations(page) == []
    context.close()
