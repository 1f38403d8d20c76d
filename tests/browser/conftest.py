"""A real browser: Debian's Chromium, headless, driven by Playwright (no downloaded browser).

axe-core comes from the npm registry (package.json) and is injected into each page under test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.conftest import IN_CI

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from accounts.models import User

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run in
# the test body next to it. The test thread only sets up data, the live server serves requests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problems = []
    if not Path(CHROMIUM).exists():
        problems.append("Chromium is not installed (apt-get install chromium chromium-driver)")
    if not AXE.exists():
        problems.append("axe-core is not installed (npm ci)")
    if not problems:
        return
    if IN_CI:
        raise pytest.UsageError("CI=true but the browser tests cannot run: " + "; ".join(problems))
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason="; ".join(problems)))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now."""
    page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluate is not subject to the page's CSP
    result = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def sign_in(page: Page, base_url: str, user: User) -> None:
    """Sign in through the real login form, with password and a current TOTP code."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.factories import TEST_PASSWORD

    device = TOTPDevice.objects.get(user=user)
    page.goto(base_url + "/staff/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(TEST_PASSWORD)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.locator("#id_otp_token").fill(f"{code:06d}")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(base_url + "/staff/")
