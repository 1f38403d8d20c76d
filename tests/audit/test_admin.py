"""The admin shows the trail read-only."""

from __future__ import annotations

import pytest
from django.test import Client

from audit.models import AuditEvent
from tests.audit.helpers import add_events, new_stream
from tests.factories import sign_in_verified

pytestmark = pytest.mark.django_db


def test_admin_lists_events_but_offers_no_add_change_or_delete(client: Client, personas) -> None:  # type: ignore[no-untyped-def]
    event = add_events(new_stream(), 1)[0]
    sign_in_verified(client, personas.superuser)
    changelist = client.get("/admin/audit/auditevent/")
    assert changelist.status_code == 200
    assert event.stream in changelist.content.decode()
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    detail = client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}
                       ).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert client.get("/admin/audit/auditcheckpoint/").status_code == 200
