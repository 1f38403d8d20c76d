"""Nothing that identifies a reporter's device is stored: no address, user agent or referrer
in the database, the audit trail or the logs (DESIGN.md §4)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from pytest_django import Settings

from tests.intake.helpers import REPORT, code_in, send_report

pytestmark = pytest.mark.django_db
ADDRESS = "203.0.113.187"
AGENT = "Mozilla/5.0 (DeviceMarker-Q7)"
REFERRER = "https://referrer.example/MarkerPage-Z3"


def _everything_stored() -> str:
    """Every row of every table, as text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - our own table names
            rows.append(repr(cursor.fetchall()))
    return "\n".join(rows)


def test_a_whole_visit_leaves_no_trace_of_the_device(caplog: pytest.LogCaptureFixture,
                                                     settings: Settings) -> None:
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    device: dict[str, Any] = {"REMOTE_ADDR": ADDRESS, "HTTP_X_REAL_IP": ADDRESS,
                              "HTTP_USER_AGENT": AGENT, "HTTP_REFERER": REFERRER}
    client = Client(**device)
    caplog.set_level(logging.DEBUG)
    code = code_in(send_report(client, {**REPORT}))
    wrong = "2" * 32 if code.replace("-", "") != "2" * 32 else "3" * 32
    client.post("/status/", {"code": wrong})  # a failure is counted, by client
    client.post("/status/", {"code": code})
    client.get("/status/case/")
    client.post("/status/case/message/", {"body": "Thank you"})
    client.post("/status/case/message/", {"body": ""})  # a 400 is logged by Django
    stored = _everything_stored()
    logged = caplog.text
    for marker in (ADDRESS, "DeviceMarker-Q7", "MarkerPage-Z3", "referrer.example"):
        assert marker not in stored, marker
        assert marker not in logged, marker
    assert code not in stored and code not in logged
    assert code.replace("-", "") not in stored
