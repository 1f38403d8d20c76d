from __future__ import annotations

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client, override_settings

from deploy.totp_code import totp

pytestmark = pytest.mark.django_db

ROLES = {"advisor", "coordinator", "committee-misconduct", "committee-uu", "auditor", "sysadmin"}


def _seed() -> dict:  # type: ignore[type-arg]
    out = StringIO()
    call_command("seed_demo", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_seed_demo_creates_a_login_for_every_role() -> None:
    logins = _seed()["logins"]
    assert {entry["role"] for entry in logins} == ROLES
    for entry in logins:
        assert set(entry) == {"username", "password", "role", "totp_secret"}


def test_seed_demo_is_idempotent() -> None:
    first = _seed()
    users = get_user_model().objects.count()
    assert _seed() == first
    assert get_user_model().objects.count() == users


def test_printed_logins_work_with_the_printed_totp_secret(client: Client) -> None:
    advisor = next(e for e in _seed()["logins"] if e["username"] == "advisor")
    response = client.post("/staff/login/", {
        "username": advisor["username"], "password": advisor["password"],
        "otp_token": totp(advisor["totp_secret"]),
    })
    assert response.status_code == 302
    assert "Confidential advisor" in client.get("/staff/").content.decode()


def test_the_sysadmin_is_a_superuser_without_a_role() -> None:
    _seed()
    sysadmin = get_user_model().objects.get(username="sysadmin")
    assert sysadmin.is_superuser and not sysadmin.groups.exists()


def test_plain_output_lists_the_logins() -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "advisor" in out.getvalue() and "TOTP" in out.getvalue()


@override_settings(IS_PRODUCTION=True)
def test_seed_demo_refuses_production_settings() -> None:
    with pytest.raises(CommandError, match="refuses to run with production settings"):
        call_command("seed_demo")
    assert not get_user_model().objects.exists()
