"""The audit trail is not in the admin: the system administrator must not read it.

Auditors read it at /staff/audit/, which checks the role and records the read; the admin could
do neither (and its filters would scan the whole table).
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from audit.models import AuditCheckpoint, AuditCheckpointHead, AuditEvent
from tests.audit.helpers import add_events, new_stream
from tests.conftest import Personas
from tests.factories import sign_in_verified

pytestmark = pytest.mark.django_db

AUDIT_ADMIN_PATHS = [
    "/admin/audit/",
    "/admin/audit/auditevent/",
    "/admin/audit/auditevent/1/change/",
    "/admin/audit/auditcheckpoint/",
    "/admin/audit/auditcheckpointhead/",
]


def test_no_audit_model_is_registered_in_the_admin() -> None:
    for model in (AuditEvent, AuditCheckpoint, AuditCheckpointHead):
        assert not admin.site.is_registered(model)


@pytest.mark.parametrize("path", AUDIT_ADMIN_PATHS)
def test_the_audit_admin_is_a_404_for_a_verified_superuser(
    client: Client, personas: Personas, path: str
) -> None:
    event = add_events(new_stream(), 1)[0]
    sign_in_verified(client, personas.superuser)
    response = client.get(path.replace("/1/", f"/{event.pk}/"))
    assert response.status_code == 404
    assert event.stream not in response.content.decode()


def test_the_admin_index_does_not_list_the_audit_app(client: Client, personas: Personas) -> None:
    sign_in_verified(client, personas.superuser)
    index = client.get("/admin/")
    assert index.status_code == 200
    assert "/admin/audit/" not in index.content.decode()
