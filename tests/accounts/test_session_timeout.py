"""Staff sessions end after STAFF_IDLE_MINUTES without a request, and SESSION_COOKIE_AGE
after sign-in however busy they were."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from pytest_django import Settings

from accounts.session_timeout import SEEN_AT, SIGNED_IN_AT
from tests.conftest import Personas
from tests.factories import sign_in_verified

pytestmark = pytest.mark.django_db

DASHBOARD = "/staff/"


def _age(client: Client, *, seen: int = 0, signed_in: int = 0) -> None:
    """Move the session's stamps ``seen`` and ``signed_in`` seconds into the past."""
    session = client.session
    now = int(time.time())
    session[SEEN_AT] = now - seen
    session[SIGNED_IN_AT] = now - signed_in
    session.save()


@pytest.fixture
def advisor_client(client: Client, personas: Personas) -> Client:
    sign_in_verified(client, personas.advisor)
    assert client.get(DASHBOARD).status_code == 200
    return client


def _signed_out(response: object, client: Client) -> bool:
    return (getattr(response, "status_code", None) == 302
            and getattr(response, "url", "").startswith("/staff/login/")
            and "_auth_user_id" not in client.session)


def test_an_idle_session_is_signed_out(advisor_client: Client) -> None:
    _age(advisor_client, seen=31 * 60, signed_in=40 * 60)
    response = advisor_client.get(DASHBOARD)
    assert _signed_out(response, advisor_client)
    # The sign-in page says why; and it stays out: the next request is an anonymous one.
    assert "You were signed out to keep the cases safe" in advisor_client.get(
        response.url).content.decode()  # type: ignore[attr-defined]
    assert advisor_client.get(DASHBOARD).status_code == 302


def test_a_busy_session_still_ends_a_working_day_after_sign_in(advisor_client: Client) -> None:
    _age(advisor_client, seen=10, signed_in=8 * 3600 + 60)
    assert _signed_out(advisor_client.get(DASHBOARD), advisor_client)


def test_a_post_of_an_expired_session_changes_nothing(
        advisor_client: Client, personas: Personas) -> None:
    _age(advisor_client, seen=31 * 60, signed_in=31 * 60)
    response = advisor_client.post("/staff/cases/register/", {})
    assert _signed_out(response, advisor_client)


def test_a_session_in_use_stays_and_its_idle_clock_restarts(advisor_client: Client) -> None:
    _age(advisor_client, seen=29 * 60, signed_in=7 * 3600)
    assert advisor_client.get(DASHBOARD).status_code == 200
    assert int(time.time()) - advisor_client.session[SEEN_AT] < 5


def test_the_idle_limit_is_configurable(advisor_client: Client, settings: Settings) -> None:
    settings.STAFF_IDLE_MINUTES = 5
    _age(advisor_client, seen=6 * 60, signed_in=6 * 60)
    assert _signed_out(advisor_client.get(DASHBOARD), advisor_client)


def test_a_signed_in_session_without_stamps_is_ended(advisor_client: Client) -> None:
    session = advisor_client.session
    del session[SIGNED_IN_AT]
    session.save()
    assert _signed_out(advisor_client.get(DASHBOARD), advisor_client)


def test_sign_in_through_the_login_page_is_stamped(client: Client, personas: Personas) -> None:
    sign_in_verified(client, personas.coordinator)
    assert abs(client.session[SIGNED_IN_AT] - int(time.time())) < 5
