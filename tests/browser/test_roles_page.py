"""The coordinators' roles page in a real browser: a role given through the confirmation,
the dashboard line that tells of it, each page free of serious axe violations in English and
Dutch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from accounts.models import User
from accounts.roles import Role, roles_of
from tests.browser.conftest import axe_violations, sign_in
from tests.factories import StaffUserFactory

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_gives_a_role_in_both_languages(page: Page,
                                                      live_server: LiveServer) -> None:
    coordinator = StaffUserFactory.create(role=Role.COORDINATOR)
    newcomer = StaffUserFactory.create(role=None, first_name="Nina", last_name="New")
    sign_in(page, live_server.url, coordinator)
    page.get_by_role("link", name="Roles", exact=True).click()
    page.wait_for_url(live_server.url + "/staff/roles/")
    assert axe_violations(page) == [], "roles page"

    page.get_by_role("link", name="Give Nina New the role “Confidential advisor”").click()
    page.wait_for_load_state()
    assert axe_violations(page) == [], "confirmation"
    page.get_by_role("button", name="Confirm: give the role").click()
    page.wait_for_url(live_server.url + "/staff/roles/")
    assert "Nina New now holds the role" in page.get_by_role("status").inner_text()
    assert roles_of(User.objects.get(pk=newcomer.pk)) == {Role.ADVISOR}

    page.goto(live_server.url + "/staff/")
    assert "Role changes in the last 14 days" in page.content()
    assert axe_violations(page) == [], "dashboard with role changes"

    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_load_state()
    assert axe_violations(page) == [], "dashboard, Dutch"
    page.goto(live_server.url + "/staff/roles/")
    assert axe_violations(page) == [], "roles page, Dutch"
    page.goto(live_server.url + f"/staff/roles/{newcomer.pk}/revoke/advisor/")
    assert axe_violations(page) == [], "confirmation, Dutch"
