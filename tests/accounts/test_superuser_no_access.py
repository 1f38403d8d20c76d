"""Being superuser opens no case, even with a role group row got round the services and the
database's triggers (dropped here, as a database owner could)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.roles import Role
from tests.accounts.guard_off import superuser_role_guard_dropped
from tests.cases.matrix import referred, report
from tests.conftest import Personas
from tests.factories import sign_in_verified

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", list(Role))
def test_a_superuser_in_a_role_group_opens_no_case(
        role: Role, personas: Personas, client: Client) -> None:
    case = referred(personas)
    other = report(personas)
    # As the admin once allowed: the group row added directly, outside the role service.
    superuser_role_guard_dropped()
    personas.superuser.groups.add(Group.objects.get_or_create(name=role.value)[0])
    sign_in_verified(client, personas.superuser)
    for target in (case, other):
        assert client.get(f"/staff/cases/{target.pk}/").status_code == 404
    listing = client.get("/staff/cases/")
    assert listing.status_code == 200
    assert case.reference not in listing.content.decode()
    assert client.get("/staff/audit/").status_code == 404
