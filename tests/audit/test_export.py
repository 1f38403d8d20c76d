"""Exporting checkpoints: the shared reader, and never destroying an earlier export."""

from __future__ import annotations

import json

import pytest

from audit import checkpoints, cursors, exporting, verification
from audit.exporting import export_lines
from tests.audit.helpers import add_events, new_stream

pytestmark = pytest.mark.django_db


def test_export_and_verification_share_one_server_side_reader() -> None:
    assert not hasattr(exporting, "_rows") and not hasattr(verification, "_rows")
    assert exporting.server_side_rows is cursors.server_side_rows
    assert verification.server_side_rows is cursors.server_side_rows


def test_the_reader_returns_every_row_across_batches() -> None:
    events = add_events(new_stream(), 5)
    rows = list(cursors.server_side_rows(
        "SELECT seq FROM audit_auditevent WHERE stream = %s ORDER BY seq", [events[0].stream],
        fetch=2,
    ))
    assert rows == [(1,), (2,), (3,), (4,), (5,)]


def test_export_in_small_batches_keeps_each_checkpoints_heads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exporting, "_FETCH", 1)
    streams = [new_stream() for _ in range(3)]
    for stream in streams:
        add_events(stream, 2)
        assert checkpoints.checkpoint_create() is not None
    lines = [json.loads(line) for line in export_lines()]
    assert [line["seq"] for line in lines] == [1, 2, 3]
    assert [len(line["heads"]) for line in lines] == [2, 2, 2]
    assert [line["head_count"] for line in lines] == [2, 2, 2]
