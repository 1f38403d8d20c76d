"""The auditor page: who may see it, filters, keyset pagination, constant query count."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from audit import actions
from audit.actors import Actor
from audit.models import SYSTEM_STREAM, AuditEvent
from audit.selectors import AuditFilters, Cursor, audit_events
from audit.services import record
from tests.audit.helpers import add_events, new_stream
from tests.conftest import Personas
from tests.factories import sign_in_verified
from tests.queries import queries_of

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

pytestmark = pytest.mark.django_db

URL = "/staff/audit/"


@pytest.fixture
def auditor_client(client: Client, personas: Personas) -> Client:
    sign_in_verified(client, personas.auditor)
    return client


def _rows(response: TestResponse) -> list[str]:
    """The table rows as text, one string per event."""
    body = response.content.decode()
    tbody = body.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", tbody, flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


def test_auditor_sees_the_trail_as_an_accessible_table(auditor_client: Client) -> None:
    stream = new_stream()
    add_events(stream, 2)
    response = auditor_client.get(URL, {"stream": stream})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>" in html and '<th scope="col">' in html
    for name in ("stream", "actor_kind", "username", "action", "date_from", "date_to"):
        assert f'<label for="id_{name}">' in html
    rows = _rows(response)
    assert len(rows) == 2
    assert "case.viewed" in rows[0] and "case.created" in rows[1]


@pytest.mark.parametrize("persona", ["advisor", "coordinator", "misconduct_committee",
                                     "uu_committee", "superuser", "no_role"])
def test_everyone_but_auditors_gets_404(client: Client, personas: Personas, persona: str) -> None:
    sign_in_verified(client, getattr(personas, persona))
    assert client.get(URL).status_code == 404
    assert not AuditEvent.objects.filter(action=actions.AUDIT_VIEWED).exists()


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302 and "/staff/login/" in response["Location"]


def test_viewing_is_recorded_on_the_system_stream(
    auditor_client: Client, personas: Personas
) -> None:
    stream = new_stream()
    auditor_client.get(URL, {"stream": stream, "action": actions.CASE_VIEWED})
    event = AuditEvent.objects.get(action=actions.AUDIT_VIEWED)
    assert event.stream == SYSTEM_STREAM
    assert (event.actor_kind, event.actor_id) == ("user", str(personas.auditor.pk))
    assert event.detail_items["stream"] == stream
    assert event.detail_items["filter_action"] == actions.CASE_VIEWED
    assert event.detail_items["paged"] is False


def test_filter_by_actor_username_and_kind(auditor_client: Client, personas: Personas) -> None:
    stream = new_stream()
    record(stream=stream, action=actions.CASE_UPDATED, actor=Actor.user(personas.advisor),
           target_type="case", target_id=stream)
    record(stream=stream, action=actions.MESSAGE_SENT, actor=Actor.reporter(),
           target_type="case", target_id=stream)
    by_user = _rows(auditor_client.get(URL, {"stream": stream, "username": "advisor"}))
    assert len(by_user) == 1 and "advisor (user" in by_user[0] and "case.updated" in by_user[0]
    by_reporter = _rows(auditor_client.get(URL, {"stream": stream, "actor_kind": "reporter"}))
    assert len(by_reporter) == 1 and "message.sent" in by_reporter[0]
    unknown = auditor_client.get(URL, {"username": "nobody"})
    assert "There is no staff member with this username." in unknown.content.decode()
    assert _rows(unknown) == ["No events match these filters."]


def test_filter_by_action_and_dates(
    auditor_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = new_stream()
    # Local noon, for both stamps: run near midnight, "today" must not slip to another day.
    now = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    monkeypatch.setattr("audit.services.timezone.now", lambda: now - timedelta(days=10))
    add_events(stream, 2)  # case.created, case.viewed ten days ago
    monkeypatch.setattr("audit.services.timezone.now", lambda: now)
    add_events(stream, 1)  # case.created today
    monkeypatch.undo()
    assert len(_rows(auditor_client.get(URL, {"stream": stream,
                                              "action": actions.CASE_CREATED}))) == 2
    today = timezone.localdate(now).isoformat()
    recent = _rows(auditor_client.get(URL, {"stream": stream, "date_from": today}))
    assert len(recent) == 1
    old_day = timezone.localdate(now - timedelta(days=10)).isoformat()
    old = _rows(auditor_client.get(URL, {"stream": stream, "date_from": old_day,
                                         "date_to": old_day}))
    assert len(old) == 2
    reversed_dates = auditor_client.get(URL, {"date_from": today, "date_to": old_day})
    assert "The end date is before the start date." in reversed_dates.content.decode()


def test_invalid_case_id_is_a_form_error_not_a_crash(auditor_client: Client) -> None:
    response = auditor_client.get(URL, {"stream": "not a case id"})
    assert response.status_code == 200
    assert "Enter a case id." in response.content.decode()


def test_keyset_pagination_walks_every_event_once_even_with_equal_timestamps(
    auditor_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = new_stream()
    frozen = timezone.now()
    # 120 events, many sharing one timestamp, so ties are broken by id across page borders.
    monkeypatch.setattr("audit.services.timezone.now", lambda: frozen)
    add_events(stream, 70)
    monkeypatch.undo()
    add_events(stream, 50)
    expected = list(AuditEvent.objects.filter(stream=stream)
                    .order_by("-timestamp", "-id").values_list("seq", flat=True))
    seen: list[int] = []
    params: dict[str, str] = {"stream": stream}
    pages = 0
    while True:
        response = auditor_client.get(URL, params)
        pages += 1
        seen += [int(row.split(" ")[3]) for row in _rows(response)]
        match = re.search(r'href="\?([^"]*after=[^"]*)" rel="next"', response.content.decode())
        if not match:
            break
        params = dict(pair.split("=", 1) for pair in match.group(1).replace("&amp;", "&")
                      .split("&"))
    assert pages == 3
    assert seen == expected


def test_the_page_never_uses_offset(auditor_client: Client) -> None:
    from django.test.utils import CaptureQueriesContext

    stream = new_stream()
    add_events(stream, 60)
    first = auditor_client.get(URL, {"stream": stream})
    link = re.search(r"after=(\d+-\d+)", first.content.decode())
    assert link is not None
    after = link.group(1)
    with CaptureQueriesContext(connection) as queries:
        auditor_client.get(URL, {"stream": stream, "after": after})
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


def test_query_count_does_not_grow_with_events(
    auditor_client: Client, personas: Personas
) -> None:
    def page_of(count: int) -> tuple[int, int]:
        stream = new_stream()
        for i in range(count):
            actor = Actor.user(personas.advisor if i % 2 else personas.coordinator)
            record(stream=stream, action=actions.CASE_UPDATED, actor=actor, target_type="case",
                   target_id=stream, fields=["state"], detail={"n": i})
        rows: list[int] = []
        queries = queries_of(
            lambda: rows.append(len(_rows(auditor_client.get(URL, {"stream": stream})))))
        return queries, rows[0]

    auditor_client.get(URL)  # warm the session
    small, shown = page_of(3)
    assert shown == 3
    assert page_of(120) == (small, 50)


@pytest.mark.postgres
@pytest.mark.parametrize(
    "filters",
    [
        AuditFilters(),
        AuditFilters(stream="0b4cbe5e-2f47-4a4e-9c77-6a0e6f9ea001"),
        AuditFilters(actor_kind="user", actor_id="7"),
        AuditFilters(actor_kind="reporter"),
        AuditFilters(action="case.viewed"),
        AuditFilters(since=timezone.now() - timedelta(days=3), until=timezone.now()),
    ],
    ids=["none", "stream", "user", "reporter", "action", "dates"],
)
@pytest.mark.parametrize("after", [None, Cursor(1_800_000_000_000_000, 12345)],
                         ids=["first", "later"])
def test_each_filter_and_the_order_are_one_index_scan(
    filters: AuditFilters, after: Cursor | None
) -> None:
    """With sorting and sequential scans priced out, the plan must still need neither."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = audit_events(filters=filters, after=after)[:51].explain()
    assert "Index Scan" in plan, plan
    assert "Sort" not in plan and "Seq Scan" not in plan, plan


@pytest.mark.parametrize(
    "after",
    [
        "99999999999999999999-1",  # beyond any datetime: OverflowError before
        "1-99999999999999999999",  # beyond bigint
        "253402300800000000-1",  # 10000-01-01, one past the last representable microsecond
        "1-9223372036854775808",  # 2**63
        "1-0",
        "-1-1",
        "1-1-1",
        "abc",
    ],
)
def test_an_invalid_cursor_is_no_cursor(auditor_client: Client, after: str) -> None:
    stream = new_stream()
    add_events(stream, 2)
    response = auditor_client.get(URL, {"stream": stream, "after": after})
    assert response.status_code == 200
    assert len(_rows(response)) == 2
    assert "Newest events" not in response.content.decode()  # shown only after a real cursor
    assert AuditEvent.objects.get(action=actions.AUDIT_VIEWED).detail_items["paged"] is False


def test_cursor_bounds_are_inclusive() -> None:
    from audit.selectors import MAX_CURSOR_ID, MAX_CURSOR_TS_US

    assert Cursor.parse(f"0-{MAX_CURSOR_ID}") == Cursor(0, MAX_CURSOR_ID)
    assert Cursor.parse(f"{MAX_CURSOR_TS_US}-1") == Cursor(MAX_CURSOR_TS_US, 1)
    assert Cursor.parse(f"{MAX_CURSOR_TS_US + 1}-1") is None
    assert Cursor.parse(f"1-{MAX_CURSOR_ID + 1}") is None
    assert MAX_CURSOR_ID == 2**63 - 1


def test_the_largest_cursor_is_a_valid_query(auditor_client: Client) -> None:
    from audit.selectors import MAX_CURSOR_ID, MAX_CURSOR_TS_US

    stream = new_stream()
    add_events(stream, 2)
    response = auditor_client.get(
        URL, {"stream": stream, "after": f"{MAX_CURSOR_TS_US}-{MAX_CURSOR_ID}"}
    )
    assert response.status_code == 200 and len(_rows(response)) == 2


@pytest.mark.parametrize("params", [
    {"date_to": "9999-12-31"}, {"date_from": "0001-01-01"},
    {"date_from": "0001-01-01", "date_to": "9999-12-31"},
])
def test_dates_out_of_range_are_a_form_error_not_a_crash(
        auditor_client: Client, params: dict[str, str]) -> None:
    response = auditor_client.get(URL, params)
    assert response.status_code == 200
    assert "Choose a date between 2000-01-01 and 2999-12-31." in response.content.decode()
