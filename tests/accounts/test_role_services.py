"""Roles are granted and removed only through the service, never to a superuser, and every
change is on the audit trail's system stream with who made it."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.exceptions import RoleChangeRefused, StaffNotFound
from accounts.models import User
from accounts.roles import Role, roles_of
from accounts.services import role_grant, role_revoke, staff_user_ensure, totp_device_ensure
from audit import actions
from audit.actors import Actor
from audit.models import SYSTEM_STREAM, AuditEvent
from tests.conftest import Personas
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


def system_events(*names: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(stream=SYSTEM_STREAM, action__in=names)
                .order_by("seq"))


def fresh(user: User) -> User:
    """The user as a new request would load it (roles are cached on the instance)."""
    return User.objects.get(pk=user.pk)


def test_a_coordinator_grants_a_role_and_the_trail_says_who(personas: Personas) -> None:
    newcomer = StaffUserFactory.create(role=None)
    assert role_grant(user_id=newcomer.pk, role=Role.ADVISOR, actor=personas.coordinator)
    assert roles_of(fresh(newcomer)) == {Role.ADVISOR}
    [event] = system_events(actions.ROLE_GRANTED)
    assert (event.actor_kind, event.actor_id) == ("user", str(personas.coordinator.pk))
    assert (event.target_type, event.target_id) == ("user", str(newcomer.pk))
    assert event.changed_field_names == ["groups"]
    assert event.detail_items == {"role": "advisor"}
    # Tokens only: never the account's name or e-mail address.
    assert newcomer.username not in event.detail and newcomer.first_name not in event.detail


def test_granting_a_role_held_already_changes_and_records_nothing(personas: Personas) -> None:
    assert not role_grant(user_id=personas.advisor.pk, role=Role.ADVISOR,
                          actor=personas.coordinator)
    assert system_events(actions.ROLE_GRANTED) == []


def test_a_coordinator_removes_a_role_and_the_trail_says_who(personas: Personas) -> None:
    assert role_revoke(user_id=personas.advisor.pk, role=Role.ADVISOR,
                       actor=personas.coordinator)
    assert roles_of(fresh(personas.advisor)) == frozenset()
    [event] = system_events(actions.ROLE_REVOKED)
    assert event.actor_id == str(personas.coordinator.pk)
    assert event.detail_items == {"role": "advisor"}
    assert not role_revoke(user_id=personas.advisor.pk, role=Role.ADVISOR,
                           actor=personas.coordinator)
    assert len(system_events(actions.ROLE_REVOKED)) == 1


def test_a_superuser_is_never_given_a_role(personas: Personas) -> None:
    for actor in (personas.coordinator, Actor.system()):
        with pytest.raises(RoleChangeRefused):
            role_grant(user_id=personas.superuser.pk, role=Role.ADVISOR, actor=actor)
    assert not fresh(personas.superuser).groups.exists()
    assert system_events(actions.ROLE_GRANTED) == []


def test_a_deactivated_account_is_not_given_a_role(personas: Personas) -> None:
    gone = StaffUserFactory.create(role=None, is_active=False)
    with pytest.raises(RoleChangeRefused):
        role_grant(user_id=gone.pk, role=Role.ADVISOR, actor=personas.coordinator)


@pytest.mark.parametrize("persona", ["advisor", "auditor", "misconduct_committee",
                                     "superuser", "no_role"])
def test_only_a_coordinator_changes_roles(persona: str, personas: Personas) -> None:
    actor = getattr(personas, persona)
    target = personas.no_role if persona != "no_role" else personas.advisor
    with pytest.raises(StaffNotFound):
        role_grant(user_id=target.pk, role=Role.COORDINATOR, actor=actor)
    with pytest.raises(StaffNotFound):
        role_revoke(user_id=personas.advisor.pk, role=Role.ADVISOR, actor=actor)
    assert roles_of(fresh(target)) == roles_of(target)
    assert system_events(actions.ROLE_GRANTED, actions.ROLE_REVOKED) == []


def test_an_unknown_account_is_not_found(personas: Personas) -> None:
    with pytest.raises(StaffNotFound):
        role_grant(user_id=987654, role=Role.ADVISOR, actor=personas.coordinator)


def test_a_coordinator_cannot_remove_their_own_coordinator_role(personas: Personas) -> None:
    with pytest.raises(RoleChangeRefused):
        role_revoke(user_id=personas.coordinator.pk, role=Role.COORDINATOR,
                    actor=personas.coordinator)
    other = StaffUserFactory.create(role=Role.COORDINATOR)
    assert role_revoke(user_id=personas.coordinator.pk, role=Role.COORDINATOR, actor=other)


def test_a_user_actor_must_be_a_user_or_the_system(personas: Personas) -> None:
    with pytest.raises(TypeError):
        role_grant(user_id=personas.no_role.pk, role=Role.ADVISOR, actor=Actor.reporter())


def test_a_superuser_has_no_role_even_with_a_group_row(personas: Personas) -> None:
    """The last line: whatever a group row says, ``roles_of`` gives a superuser nothing."""
    coordinator = fresh(personas.coordinator)
    coordinator.is_superuser = True  # as if the flag had been set behind the services' back
    assert roles_of(coordinator) == frozenset()


# --- the command for the first coordinator ---------------------------------------------------


def test_grant_role_makes_the_first_coordinator_as_the_system() -> None:
    first = StaffUserFactory.create(role=None)
    out = StringIO()
    call_command("grant_role", first.username, "coordinator", stdout=out)
    assert roles_of(fresh(first)) == {Role.COORDINATOR}
    assert "now holds the role coordinator" in out.getvalue()
    [event] = system_events(actions.ROLE_GRANTED)
    assert (event.actor_kind, event.actor_id, event.target_id) == ("system", "", str(first.pk))
    call_command("grant_role", first.username, "coordinator", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert len(system_events(actions.ROLE_GRANTED)) == 1


def test_grant_role_refuses_a_superuser_and_an_unknown_name(personas: Personas) -> None:
    with pytest.raises(CommandError, match="system administrator"):
        call_command("grant_role", personas.superuser.username, "coordinator")
    with pytest.raises(CommandError, match="No user"):
        call_command("grant_role", "nobody-here", "coordinator")
    with pytest.raises(CommandError):
        call_command("grant_role", personas.no_role.username, "superuser")
    assert not fresh(personas.superuser).groups.exists()
    assert system_events(actions.ROLE_GRANTED) == []


# --- second factors and the demo's accounts --------------------------------------------------


def test_issuing_and_replacing_a_second_factor_are_recorded() -> None:
    user = StaffUserFactory.create(role=None)
    TOTPDevice.objects.filter(user=user).delete()
    out = StringIO()
    call_command("staff_totp", user.username, stdout=out)
    call_command("staff_totp", user.username, stdout=out)  # the device it has: no event
    call_command("staff_totp", user.username, "--replace", stdout=out)
    events = system_events(actions.SECOND_FACTOR_ISSUED, actions.SECOND_FACTOR_REPLACED)
    assert [(e.action, e.actor_kind, e.target_id) for e in events] == [
        (actions.SECOND_FACTOR_ISSUED, "system", str(user.pk)),
        (actions.SECOND_FACTOR_REPLACED, "system", str(user.pk)),
    ]
    # The secret is printed to the operator once, never recorded.
    secret = out.getvalue().split("(base32): ")[1].split()[0]
    assert all(secret not in e.detail for e in events)


def test_a_second_factor_issued_by_a_user_names_them(personas: Personas) -> None:
    totp_device_ensure(user=personas.no_role, actor=personas.superuser, replace=True)
    [event] = system_events(actions.SECOND_FACTOR_REPLACED)
    assert event.actor_id == str(personas.superuser.pk)


def test_staff_user_ensure_grants_through_the_role_service() -> None:
    user = staff_user_ensure(username="demo-advisor", password="x" * 20, role=Role.ADVISOR)
    staff_user_ensure(username="demo-advisor", password="x" * 20, role=Role.AUDITOR)
    assert roles_of(fresh(user)) == {Role.AUDITOR}
    events = system_events(actions.ROLE_GRANTED, actions.ROLE_REVOKED)
    assert [(e.action, json.loads(e.detail)["role"], e.actor_kind) for e in events] == [
        (actions.ROLE_GRANTED, "advisor", "system"),
        (actions.ROLE_REVOKED, "advisor", "system"),
        (actions.ROLE_GRANTED, "auditor", "system"),
    ]
    with pytest.raises(RoleChangeRefused):
        staff_user_ensure(username="demo-root", password="x" * 20, role=Role.AUDITOR,
                          superuser=True)
    admin = staff_user_ensure(username="demo-admin", password="x" * 20, role=None,
                              superuser=True)
    assert admin.is_superuser and not admin.groups.exists()
