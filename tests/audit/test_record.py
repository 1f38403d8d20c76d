"""audit.services.record and record_read: chaining, validation, transaction rules."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection, transaction
from pytest_django import DjangoAssertNumQueries

from audit import actions, chain
from audit.actors import Actor
from audit.exceptions import InvalidAuditEvent, NotInTransaction
from audit.models import AuditEvent
from audit.services import record, record_read

pytestmark = pytest.mark.django_db


def _record(**overrides: Any) -> AuditEvent:  # Any: some tests pass what record() refuses
    arguments: dict[str, Any] = {
        "stream": "system", "action": actions.KEYS_ROTATED, "actor": Actor.system(),
        "target_type": "key", "target_id": "k1",
    }
    arguments.update(overrides)
    return record(**arguments)


def _recomputed(event: AuditEvent) -> str:
    body = chain.event_body(
        stream=event.stream, ts_us=chain.timestamp_us(event.timestamp),
        actor_kind=event.actor_kind, actor_id=event.actor_id, action=event.action,
        target_type=event.target_type, target_id=event.target_id,
        changed_fields=event.changed_fields, detail=event.detail,
    )
    return chain.event_hash(body, event.seq, event.prev_hash)


def test_first_event_of_a_stream_chains_to_genesis() -> None:
    event = _record()
    assert (event.seq, event.prev_hash) == (1, chain.GENESIS)
    assert event.hash == _recomputed(event)


def test_events_chain_per_stream() -> None:
    case_a, case_b = str(uuid.uuid4()), str(uuid.uuid4())
    a1 = _record(stream=case_a, action=actions.CASE_CREATED, target_type="case", target_id=case_a)
    b1 = _record(stream=case_b, action=actions.CASE_CREATED, target_type="case", target_id=case_b)
    a2 = _record(stream=case_a, action=actions.CASE_REFERRED, target_type="case",
                 target_id=case_a, fields=["state", "committee"], detail={"committee": "uu"})
    assert (a1.seq, b1.seq, a2.seq) == (1, 1, 2)
    assert a2.prev_hash == a1.hash
    assert b1.prev_hash == chain.GENESIS


def test_returned_event_matches_the_stored_row_and_the_python_encoding() -> None:
    """On PostgreSQL the hash is computed in SQL; it must equal the reference encoding."""
    user_stream = str(uuid.uuid4())
    _record(stream=user_stream)
    event = _record(
        stream=user_stream, action=actions.PERMISSION_GRANTED, actor=Actor.reporter(),
        target_type="user", target_id="42", fields=["advisor"],
        detail={"perm": "cases.view_case", "count": 3, "late": True, "none": None},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.seq, stored.prev_hash, stored.hash) == (event.seq, event.prev_hash, event.hash)
    assert stored.timestamp == event.timestamp
    assert stored.hash == _recomputed(stored)
    assert stored.changed_field_names == ["advisor"]
    assert stored.detail_items == {"perm": "cases.view_case", "count": 3, "late": True,
                                   "none": None}


def test_stream_may_be_given_as_a_uuid() -> None:
    case_id = uuid.uuid4()
    event = _record(stream=case_id)
    assert event.stream == str(case_id)


def test_record_read_needs_no_transaction_and_chains_on() -> None:
    first = record_read(stream="system", action=actions.CASES_SEARCHED, actor=Actor.system(),
                        target_type="case", target_id="", detail={"results": 12})
    second = record_read(stream="system", action=actions.CASES_EXPORTED, actor=Actor.system(),
                         target_type="case", target_id="")
    assert second.prev_hash == first.hash and second.seq == first.seq + 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"action": "case.teleported"}, "not registered"),
        ({"stream": ""}, "stream"),
        ({"stream": "has space"}, "stream"),
        ({"stream": "x" * 65}, "stream"),
        ({"target_type": "Case"}, "target_type"),
        ({"target_id": "Jan Jansen"}, "target_id"),
        ({"actor": "advisor"}, "actor"),
        ({"fields": "state"}, "fields"),
        ({"fields": ["State"]}, "field name"),
        ({"fields": ["state", "state"]}, "fields"),
        ({"detail": {"note": "He said terrible things to me"}}, "detail"),
        ({"detail": {"name": "x" * 65}}, "detail"),
        ({"detail": {"email": "someone@example.org"}}, "detail"),
        ({"detail": {"line": "a\nb"}}, "detail"),
        ({"detail": {"nested": {"a": 1}}}, "detail"),
        ({"detail": {"items": ["a"]}}, "detail"),
        ({"detail": {"ratio": 0.5}}, "detail"),
        ({"detail": {"Bad Key": 1}}, "detail key"),
        ({"detail": {f"k{i}": i for i in range(17)}}, "keys"),
        ({"detail": {"big": 2**64}}, "range"),
    ],
)
def test_invalid_events_are_refused_without_echoing_the_value(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidAuditEvent) as caught:
        _record(**overrides)
    assert message in str(caught.value)
    for value in overrides.values():
        if isinstance(value, dict):
            for inner in value.values():
                if isinstance(inner, str) and len(inner) > 3:
                    assert inner not in str(caught.value)
    assert not AuditEvent.objects.exists()


# A key pasted as a detail key: a valid lower-case identifier, but never to be echoed.
PASTED = "f" + bytes(range(31)).hex()


@pytest.mark.parametrize(
    "detail",
    [{PASTED: 2**64}, {PASTED: 0.5}, {PASTED: "not a token"}],
    ids=["out-of-range", "float", "not-a-token"],
)
def test_a_long_detail_key_is_not_echoed(detail: dict[str, object]) -> None:
    with pytest.raises(InvalidAuditEvent) as caught:
        _record(detail=detail)
    assert "a detail value" in str(caught.value)
    assert PASTED[:8] not in str(caught.value)


def test_a_short_detail_key_is_named() -> None:
    with pytest.raises(InvalidAuditEvent, match=r"detail\['ratio'\] must be"):
        _record(detail={"ratio": 0.5})


def test_orm_updates_and_deletes_are_refused_early() -> None:
    event = _record()
    stored = AuditEvent.objects.get(pk=event.pk)
    with pytest.raises(TypeError):
        stored.save()
    with pytest.raises(TypeError):
        stored.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action=actions.CASE_VIEWED)
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction(clean_audit_trail: None) -> None:
    assert not connection.in_atomic_block
    with pytest.raises(NotInTransaction):
        _record()
    with transaction.atomic():
        _record()
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_event_and_no_gap(clean_audit_trail: None) -> None:
    with transaction.atomic():
        _record()
    with pytest.raises(RuntimeError), transaction.atomic():
        _record()
        raise RuntimeError("the change failed")
    with transaction.atomic():
        third = _record()
    assert third.seq == 2
    assert list(AuditEvent.objects.values_list("seq", flat=True).order_by("seq")) == [1, 2]


@pytest.mark.postgres
def test_record_read_is_one_statement_on_postgres(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    record_read(stream="system", action=actions.CASE_VIEWED, actor=Actor.system(),
                target_type="case", target_id="1")
    with django_assert_num_queries(1):
        record_read(stream="system", action=actions.CASE_VIEWED, actor=Actor.system(),
                    target_type="case", target_id="1")
