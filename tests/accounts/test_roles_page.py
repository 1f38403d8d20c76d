"""The coordinators' roles page, and the dashboard line that tells coordinators of every
role change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role, roles_of
from accounts.selectors import role_changes_recent
from accounts.services import role_grant, role_revoke
from audit import actions
from audit.actors import Actor
from audit.models import SYSTEM_STREAM, AuditEvent
from tests.conftest import Personas
from tests.factories import StaffUserFactory, sign_in_verified
from tests.queries import queries_of

pytestmark = pytest.mark.django_db


def test_the_page_lists_active_staff_but_no_superuser(
        personas: Personas, client: Client) -> None:
    StaffUserFactory.create(username="gone-advisor", role=None, is_active=False)
    sign_in_verified(client, personas.coordinator)
    body = client.get("/staff/roles/").content.decode()
    assert "(advisor)" in body and "(no-role)" in body
    assert "(sysadmin)" not in body and "(gone-advisor)" not in body
    assert f"/staff/roles/{personas.advisor.pk}/revoke/advisor/" in body
    assert f"/staff/roles/{personas.no_role.pk}/grant/advisor/" in body


def test_a_coordinator_gives_a_role_after_confirming(
        personas: Personas, client: Client) -> None:
    newcomer = StaffUserFactory.create(role=None, first_name="Nina", last_name="New")
    sign_in_verified(client, personas.coordinator)
    path = f"/staff/roles/{newcomer.pk}/grant/advisor/"
    confirm = client.get(path)
    assert "Confirm: give the role" in confirm.content.decode()
    assert roles_of(User.objects.get(pk=newcomer.pk)) == frozenset()
    response = client.post(path, follow=True)
    assert response.redirect_chain == [("/staff/roles/", 302)]
    assert "Nina New now holds the role" in response.content.decode()
    assert roles_of(User.objects.get(pk=newcomer.pk)) == {Role.ADVISOR}
    [event] = AuditEvent.objects.filter(stream=SYSTEM_STREAM, action=actions.ROLE_GRANTED)
    assert (event.actor_id, event.target_id) == (str(personas.coordinator.pk), str(newcomer.pk))


def test_a_coordinator_removes_a_role(personas: Personas, client: Client) -> None:
    sign_in_verified(client, personas.coordinator)
    response = client.post(f"/staff/roles/{personas.auditor.pk}/revoke/auditor/", follow=True)
    assert "no longer holds the role" in response.content.decode()
    assert roles_of(User.objects.get(pk=personas.auditor.pk)) == frozenset()
    assert AuditEvent.objects.filter(action=actions.ROLE_REVOKED).count() == 1


def test_a_refused_change_is_explained_on_the_page(personas: Personas, client: Client) -> None:
    sign_in_verified(client, personas.coordinator)
    response = client.post(f"/staff/roles/{personas.coordinator.pk}/revoke/coordinator/")
    assert response.status_code == 200
    assert "Ask another coordinator" in response.content.decode()
    assert Role.COORDINATOR in roles_of(User.objects.get(pk=personas.coordinator.pk))


def test_a_new_advisors_access_begins_when_a_coordinator_grants_the_role(
        personas: Personas, client: Client) -> None:
    newcomer = StaffUserFactory.create(role=None)
    sign_in_verified(client, newcomer)
    assert client.get("/staff/cases/new/").status_code == 404
    role_grant(user_id=newcomer.pk, role=Role.ADVISOR, actor=personas.coordinator)
    assert client.get("/staff/cases/new/").status_code == 200


def test_the_page_costs_the_same_queries_for_more_staff(
        personas: Personas, client: Client) -> None:
    sign_in_verified(client, personas.coordinator)
    client.get("/staff/roles/")
    few = queries_of(lambda: client.get("/staff/roles/"))
    for n in range(12):
        StaffUserFactory.create(role=list(Role)[n % len(Role)])
    many = queries_of(lambda: client.get("/staff/roles/"))
    assert many == few


# --- the dashboard line ---------------------------------------------------------------------


def test_coordinators_see_every_role_change_on_their_dashboard(
        personas: Personas, client: Client) -> None:
    role_grant(user_id=personas.no_role.pk, role=Role.AUDITOR, actor=personas.coordinator)
    role_revoke(user_id=personas.advisor.pk, role=Role.ADVISOR, actor=Actor.system())
    name = personas.no_role.get_full_name()
    sign_in_verified(client, personas.coordinator)
    body = client.get("/staff/").content.decode()
    assert "Role changes in the last 14 days" in body
    assert f"{name}</th>" in body and "given the role “Auditor”" in body
    assert "the role “Confidential advisor” removed" in body
    assert "the system (a command run on the server)" in body


@pytest.mark.parametrize("persona", ["advisor", "auditor", "misconduct_committee",
                                     "superuser", "no_role"])
def test_nobody_else_sees_the_role_changes(
        persona: str, personas: Personas, client: Client) -> None:
    role_grant(user_id=personas.other_advisor.pk, role=Role.AUDITOR, actor=personas.coordinator)
    sign_in_verified(client, getattr(personas, persona))
    body = client.get("/staff/").content.decode()
    assert "Role changes in the last 14 days" not in body
    assert role_changes_recent(actor=getattr(personas, persona)) == []


def test_only_the_last_14_days_are_shown(personas: Personas) -> None:
    role_grant(user_id=personas.no_role.pk, role=Role.AUDITOR, actor=personas.coordinator)
    later = timezone.now() + timedelta(days=15)
    assert len(role_changes_recent(actor=personas.coordinator)) == 1
    assert role_changes_recent(actor=personas.coordinator, now=later) == []


def test_the_dashboard_line_costs_the_same_queries_for_more_changes(
        personas: Personas) -> None:
    coordinator = User.objects.get(pk=personas.coordinator.pk)
    role_grant(user_id=personas.no_role.pk, role=Role.AUDITOR, actor=coordinator)
    few = queries_of(lambda: role_changes_recent(actor=coordinator))
    for n in range(10):
        user = StaffUserFactory.create(role=None)
        role_grant(user_id=user.pk, role=list(Role)[n % len(Role)], actor=coordinator)
    many = queries_of(lambda: role_changes_recent(actor=coordinator))
    assert many == few
    assert len(role_changes_recent(actor=coordinator)) == 11
