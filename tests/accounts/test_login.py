from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from tests.factories import TEST_PASSWORD, StaffUserFactory

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db


def current_code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code(user: User) -> str:
    code = int(current_code(user))
    return f"{(code + 500_000) % 1_000_000:06d}"


def login(client: Client, username: str, password: str, code: str, **extra: str) -> TestResponse:
    return client.post(
        "/staff/login/", {"username": username, "password": password, "otp_token": code, **extra}
    )


def test_password_and_code_sign_in_with_a_verified_session(client: Client) -> None:
    user = StaffUserFactory.create()
    response = login(client, user.username, TEST_PASSWORD, current_code(user))
    assert response.status_code == 302 and response["Location"] == "/staff/"
    home = client.get("/staff/")
    assert home.status_code == 200
    user_seen = home.wsgi_request.user
    assert user_seen.is_authenticated and user_seen.is_verified()


def test_a_wrong_code_is_refused_with_the_uniform_message(client: Client) -> None:
    user = StaffUserFactory.create()
    response = login(client, user.username, TEST_PASSWORD, wrong_code(user))
    assert response.status_code == 200
    assert "The username, password or code is not correct." in response.content.decode()
    assert client.get("/staff/").status_code == 302


def test_a_wrong_password_gets_the_same_message(client: Client) -> None:
    user = StaffUserFactory.create()
    response = login(client, user.username, "not the password", current_code(user))
    assert "The username, password or code is not correct." in response.content.decode()


def test_a_malformed_code_is_explained(client: Client) -> None:
    user = StaffUserFactory.create()
    response = login(client, user.username, TEST_PASSWORD, "12ab")
    assert "Enter the six digits your authenticator app shows." in response.content.decode()


def test_an_account_without_a_second_factor_cannot_sign_in(client: Client) -> None:
    user = StaffUserFactory.create()
    TOTPDevice.objects.filter(user=user).delete()
    response = login(client, user.username, TEST_PASSWORD, "123456")
    assert response.status_code == 200
    assert client.get("/staff/").status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_wrong_codes_are_counted_by_the_throttle(client: Client) -> None:
    user = StaffUserFactory.create()
    for _ in range(2):
        assert login(client, user.username, TEST_PASSWORD, wrong_code(user)).status_code == 200
    # The third failure locks the account out, and then even the right code is refused.
    assert login(client, user.username, TEST_PASSWORD, wrong_code(user)).status_code == 429
    locked = login(client, user.username, TEST_PASSWORD, current_code(user))
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert client.get("/staff/").status_code == 302


def test_a_password_only_session_is_not_enough(client: Client) -> None:
    user = StaffUserFactory.create()
    client.force_login(user)  # authenticated, but never verified with a second factor
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/")


def test_next_must_stay_on_this_site(client: Client) -> None:
    user = StaffUserFactory.create()
    response = login(client, user.username, TEST_PASSWORD, current_code(user),
                     next="https://evil.example/")
    assert response["Location"] == "/staff/"


def test_logout_needs_post_and_ends_the_session(client: Client) -> None:
    user = StaffUserFactory.create()
    login(client, user.username, TEST_PASSWORD, current_code(user))
    assert client.get("/staff/logout/").status_code == 405
    assert client.post("/staff/logout/").status_code == 302
    assert client.get("/staff/").status_code == 302


def test_the_admin_needs_a_verified_superuser(client: Client) -> None:
    admin = StaffUserFactory.create(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 302  # password-only: back to sign-in
    client.logout()
    login(client, admin.username, TEST_PASSWORD, current_code(admin))
    assert client.get("/admin/").status_code == 200


def test_the_login_page_never_echoes_the_password(client: Client) -> None:
    user = StaffUserFactory.create()
    response = login(client, user.username, "Secret-Marker-Pw-123", "000000")
    assert "Secret-Marker-Pw-123" not in response.content.decode()


def test_the_staff_navigation_offers_the_audit_trail_to_auditors_only(client: Client) -> None:
    from accounts.roles import Role
    from tests.factories import sign_in_verified

    auditor = StaffUserFactory.create(role=Role.AUDITOR)
    advisor = StaffUserFactory.create(role=Role.ADVISOR)
    sign_in_verified(client, auditor)
    assert 'href="/staff/audit/"' in client.get("/staff/").content.decode()
    sign_in_verified(client, advisor)
    assert 'href="/staff/audit/"' not in client.get("/staff/").content.decode()


def test_failed_logins_log_neither_what_was_typed_nor_the_address(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    login(client, "MyS3cretPassw0rd-typed-as-username", "x", "123456")
    client.post("/staff/login/", {"username": "someone", "password": "x", "otp_token": "123456"},
                REMOTE_ADDR="203.0.113.77")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "MyS3cretPassw0rd" not in logged
    assert "203.0.113.77" not in logged
    assert "someone" not in logged


@override_settings(AXES_FAILURE_LIMIT=2, CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_behind_the_proxy_the_lockout_is_per_client_not_per_username(client: Client) -> None:
    """An attacker elsewhere cannot lock a colleague out of their own desk."""
    user = StaffUserFactory.create()
    attacker: dict[str, Any] = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_REAL_IP": "198.51.100.9"}
    for _ in range(2):
        client.post("/staff/login/", {"username": user.username, "password": "wrong",
                                      "otp_token": "123456"}, **attacker)
    assert client.post("/staff/login/", {"username": user.username, "password": "wrong",
                                         "otp_token": "123456"}, **attacker).status_code == 429
    colleague = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="192.0.2.20")
    response = login(colleague, user.username, TEST_PASSWORD, current_code(user))
    assert response.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=2)
def test_without_a_trusted_proxy_a_client_cannot_dodge_the_lockout_with_a_header(
    client: Client,
) -> None:
    user = StaffUserFactory.create()
    for forged in ("198.51.100.1", "198.51.100.2"):
        client.post("/staff/login/", {"username": user.username, "password": "wrong",
                                      "otp_token": "123456"}, HTTP_X_REAL_IP=forged)
    locked = client.post("/staff/login/", {"username": user.username, "password": "wrong",
                                           "otp_token": "123456"}, HTTP_X_REAL_IP="198.51.100.3")
    assert locked.status_code == 429
