"""The database refuses a superuser in a role group, whatever writes the rows."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, connection, transaction

from accounts import protections
from accounts.models import User
from accounts.roles import Role
from protections.installing import install_missing, missing
from tests.accounts.guard_off import superuser_role_guard_dropped
from tests.conftest import Personas
from tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db


def role_group(role: Role) -> Group:
    return Group.objects.get_or_create(name=role.value)[0]


@pytest.mark.parametrize("role", list(Role))
def test_a_superuser_cannot_be_put_in_a_role_group(role: Role, personas: Personas) -> None:
    with pytest.raises(IntegrityError, match="never holds a role"), transaction.atomic():
        personas.superuser.groups.add(role_group(role))
    assert not personas.superuser.groups.exists()


def test_a_group_row_cannot_be_moved_to_a_superuser(personas: Personas) -> None:
    through = User.groups.through
    with pytest.raises(IntegrityError, match="never holds a role"), transaction.atomic():
        through.objects.filter(user=personas.advisor).update(user=personas.superuser)


def test_a_member_of_a_role_group_cannot_be_made_superuser(personas: Personas) -> None:
    with pytest.raises(IntegrityError, match="never holds a role"), transaction.atomic():
        User.objects.filter(pk=personas.coordinator.pk).update(is_superuser=True)
    advisor = personas.advisor
    advisor.is_superuser = True
    with pytest.raises(IntegrityError), transaction.atomic():
        advisor.save()
    assert not User.objects.filter(is_superuser=True, groups__isnull=False).exists()


def test_other_groups_and_other_changes_are_left_alone(personas: Personas) -> None:
    personas.superuser.groups.add(Group.objects.create(name="printer-admins"))
    User.objects.filter(pk=personas.superuser.pk).update(first_name="Root")
    User.objects.filter(pk=personas.advisor.pk).update(is_superuser=False, last_name="A")
    roleless = StaffUserFactory.create(role=None)
    User.objects.filter(pk=roleless.pk).update(is_superuser=True)
    personas.advisor.groups.add(role_group(Role.AUDITOR))


def test_the_guard_is_put_back_after_migrate_and_missed_until_then() -> None:
    assert protections.SUPERUSER_NO_ROLE_TRIGGERS not in missing()
    superuser_role_guard_dropped()
    assert protections.SUPERUSER_NO_ROLE_TRIGGERS in missing()
    assert protections.FUNCTION in install_missing()
    assert protections.SUPERUSER_NO_ROLE_TRIGGERS not in missing()
    assert connection.vendor in {"sqlite", "postgresql"}
