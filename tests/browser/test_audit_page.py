"""The auditor's page in a real browser: accessible in English and Dutch, filters work."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from django.db import transaction

from accounts.roles import Role
from audit import actions
from audit.actors import Actor
from audit.services import record
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import StaffUserFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_auditor_page_in_both_languages(page: Page, live_server: LiveServer) -> None:
    auditor = StaffUserFactory.create(role=Role.AUDITOR)
    with transaction.atomic():
        record(stream="system", action=actions.KEYS_ROTATED, actor=Actor.system(),
               target_type="case", target_id="", detail={"rewrapped": 3})
    sign_in(page, live_server.url, auditor)
    page.get_by_role("link", name="Audit trail").click()
    page.wait_for_url(live_server.url + "/staff/audit/")
    assert page.get_by_role("table").count() == 1
    assert "keys.rotated" in page.get_by_role("table").inner_text()
    assert axe_violations(page) == []

    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Auditspoor"
    assert axe_violations(page) == []
