"""The admin creates and deactivates accounts; it gives no role, permission or superuser flag,
and what it does to someone else's account is on the audit trail's system stream."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client

from accounts.checks import verify_no_superuser_in_roles_or_stop
from accounts.models import User
from accounts.roles import Role, roles_of
from audit import actions
from audit.models import SYSTEM_STREAM, AuditEvent
from tests.accounts.guard_off import superuser_role_guard_dropped
from tests.accounts.test_login import current_code, login
from tests.cases.matrix import referred
from tests.conftest import Personas
from tests.factories import TEST_PASSWORD, StaffUserFactory, sign_in_verified

pytestmark = pytest.mark.django_db


def change_form(user: User, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v != ""}


def events(*names: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(stream=SYSTEM_STREAM, action__in=names)
                .order_by("seq"))


def test_the_admin_form_has_no_roles_permissions_or_superuser_flag(
        personas: Personas, client: Client) -> None:
    sign_in_verified(client, personas.superuser)
    page = client.get(f"/admin/accounts/user/{personas.superuser.pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    for name in ("groups", "user_permissions", "is_superuser"):
        assert f'name="{name}"' not in body


def test_a_superuser_cannot_give_themself_a_role_through_the_admin(
        personas: Personas, client: Client) -> None:
    case = referred(personas)
    sysadmin = personas.superuser
    sign_in_verified(client, sysadmin)
    groups = [str(Group.objects.get_or_create(name=r.value)[0].pk) for r in Role]
    permission = Permission.objects.get(codename="view_case")
    response = client.post(f"/admin/accounts/user/{sysadmin.pk}/change/", change_form(
        sysadmin, groups=groups, user_permissions=[str(permission.pk)], is_superuser="on"))
    assert response.status_code == 302
    sysadmin.refresh_from_db()
    assert not sysadmin.groups.exists() and not sysadmin.user_permissions.exists()
    assert roles_of(User.objects.get(pk=sysadmin.pk)) == frozenset()
    assert client.get(f"/staff/cases/{case.pk}/").status_code == 404
    assert client.get("/staff/roles/").status_code == 404
    assert events(actions.ROLE_GRANTED) == []


def test_nor_make_someone_else_superuser_or_give_them_a_role(
        personas: Personas, client: Client) -> None:
    sign_in_verified(client, personas.superuser)
    target = personas.no_role
    groups = [str(Group.objects.get_or_create(name=Role.COORDINATOR.value)[0].pk)]
    client.post(f"/admin/accounts/user/{target.pk}/change/",
                change_form(target, groups=groups, is_superuser="on"))
    target.refresh_from_db()
    assert not target.is_superuser and not target.groups.exists()


def test_deactivation_by_the_administrator_is_recorded(
        personas: Personas, client: Client) -> None:
    sign_in_verified(client, personas.superuser)
    target = personas.advisor
    response = client.post(f"/admin/accounts/user/{target.pk}/change/",
                           change_form(target, is_active=""))
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    client.post(f"/admin/accounts/user/{target.pk}/change/", change_form(target, is_active="on"))
    target.refresh_from_db()
    client.post(f"/admin/accounts/user/{target.pk}/change/",
                change_form(target, first_name="Renamed"))
    recorded = events(actions.ACCOUNT_DEACTIVATED, actions.ACCOUNT_REACTIVATED)
    assert [(e.action, e.actor_id, e.target_id, e.changed_field_names) for e in recorded] == [
        (actions.ACCOUNT_DEACTIVATED, str(personas.superuser.pk), str(target.pk), ["is_active"]),
        (actions.ACCOUNT_REACTIVATED, str(personas.superuser.pk), str(target.pk), ["is_active"]),
    ]


def test_a_password_set_by_the_administrator_is_recorded(
        personas: Personas, client: Client) -> None:
    sign_in_verified(client, personas.superuser)
    target = personas.advisor
    new = "a new long passphrase 42"
    response = client.post(f"/admin/accounts/user/{target.pk}/password/", {
        "password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(new)
    [event] = events(actions.ACCOUNT_PASSWORD_SET)
    assert (event.actor_id, event.target_id) == (str(personas.superuser.pk), str(target.pk))
    assert event.detail_items == {"own": False}
    # A refused form changes nothing and records nothing.
    client.post(f"/admin/accounts/user/{target.pk}/password/",
                {"password1": "x", "password2": "y", "usable_password": "true"})
    assert len(events(actions.ACCOUNT_PASSWORD_SET)) == 1


def test_an_account_created_in_the_admin_is_recorded(
        personas: Personas, client: Client) -> None:
    sign_in_verified(client, personas.superuser)
    response = client.post("/admin/accounts/user/add/", {
        "username": "new-advisor", "password1": "a long passphrase 4242",
        "password2": "a long passphrase 4242", "usable_password": "true"})
    assert response.status_code == 302
    created = User.objects.get(username="new-advisor")
    assert roles_of(created) == frozenset()
    [event] = events(actions.ACCOUNT_CREATED)
    assert (event.actor_id, event.target_id) == (str(personas.superuser.pk), str(created.pk))


# --- a superuser in a role group, made behind every door's back -------------------------------


def superuser_with_a_role() -> User:
    """Made as a database owner could: with the triggers that refuse it dropped first."""
    superuser_role_guard_dropped()
    user = StaffUserFactory.create(role=Role.ADVISOR)
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    return User.objects.get(pk=user.pk)


def test_sign_in_refuses_a_superuser_in_a_role_group(client: Client) -> None:
    user = superuser_with_a_role()
    response = login(client, user.username, TEST_PASSWORD, current_code(user))
    assert response.status_code == 200
    assert "The username, password or code is not correct." in response.content.decode()
    assert client.get("/staff/").status_code == 302
    [event] = events(actions.SIGN_IN_REFUSED)
    assert (event.actor_kind, event.target_id) == ("system", str(user.pk))
    assert event.detail_items == {"reason": "superuser_with_role"}


def test_a_superuser_without_a_role_signs_in(personas: Personas, client: Client) -> None:
    user = personas.superuser
    response = login(client, user.username, TEST_PASSWORD, current_code(user))
    assert response.status_code == 302
    assert events(actions.SIGN_IN_REFUSED) == []


def test_the_system_check_and_the_start_up_guard_refuse_a_superuser_in_a_role() -> None:
    call_command("check", "--database", "default")
    verify_no_superuser_in_roles_or_stop()
    user = superuser_with_a_role()
    with pytest.raises(SystemCheckError, match=r"accounts\.E001"):
        call_command("check", "--database", "default")
    with pytest.raises(ImproperlyConfigured, match=str(user.pk)):
        verify_no_superuser_in_roles_or_stop()
