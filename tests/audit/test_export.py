"""Exporting checkpoints: the shared reader, and never destroying an earlier export."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from audit import checkpoints, cursors, exporting, verification
from audit.exporting import export_lines
from tests.audit.helpers import add_events, new_stream

pytestmark = pytest.mark.django_db


def test_export_and_verification_share_one_server_side_reader() -> None:
    assert not hasattr(exporting, "_rows") and not hasattr(verification, "_rows")
    # What each module imported, looked up as such: they do not re-export it.
    assert vars(exporting)["server_side_rows"] is cursors.server_side_rows
    assert vars(verification)["server_side_rows"] is cursors.server_side_rows


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


def _checkpoints(count: int) -> None:
    for _ in range(count):
        add_events(new_stream(), 1)
        assert checkpoints.checkpoint_create() is not None


def _seqs(path: Path) -> list[int]:
    return [json.loads(line)["seq"] for line in path.read_text().splitlines()]


def _export(*args: str) -> str:
    out = StringIO()
    call_command("audit_export_checkpoints", *args, stdout=out)
    return out.getvalue()


def test_since_appends_to_the_earlier_export(tmp_path: Path) -> None:
    export = tmp_path / "checkpoints.jsonl"
    _checkpoints(2)
    _export(str(export))
    earlier = export.read_bytes()
    _checkpoints(1)
    assert "Appended 1 checkpoint(s)" in _export(str(export), "--since", "2")
    assert export.read_bytes().startswith(earlier)
    assert _seqs(export) == [1, 2, 3]
    call_command("verify_audit", "--against", str(export), stdout=StringIO())


def test_since_creates_a_missing_file(tmp_path: Path) -> None:
    export = tmp_path / "new.jsonl"
    _checkpoints(2)
    _export(str(export), "--since", "1")
    assert _seqs(export) == [2]


def test_without_since_a_non_empty_file_is_refused_unless_forced(tmp_path: Path) -> None:
    export = tmp_path / "checkpoints.jsonl"
    _checkpoints(2)
    _export(str(export))
    earlier = export.read_bytes()
    _checkpoints(1)
    with pytest.raises(CommandError, match="not empty"):
        _export(str(export))
    assert export.read_bytes() == earlier
    _export(str(export), "--force")
    assert _seqs(export) == [1, 2, 3]


def test_an_empty_file_needs_no_force(tmp_path: Path) -> None:
    export = tmp_path / "checkpoints.jsonl"
    export.touch()
    _checkpoints(1)
    _export(str(export))
    assert _seqs(export) == [1]


def test_appending_after_a_cut_off_line_is_refused(tmp_path: Path) -> None:
    export = tmp_path / "checkpoints.jsonl"
    export.write_text('{"seq":1,"hea')
    _checkpoints(2)
    with pytest.raises(CommandError, match="complete line"):
        _export(str(export), "--since", "1")
    assert export.read_text() == '{"seq":1,"hea'
