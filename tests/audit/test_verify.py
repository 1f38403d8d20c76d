"""verify_audit detects every kind of tampering a database owner could do.

Each test switches the append-only triggers off (as the owner can), changes the trail, and
expects verify_audit to fail naming the break.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit import checkpoints, triggers
from audit.models import AuditCheckpoint, AuditEvent
from audit.verification import verify
from tests.audit.helpers import add_events, execute, new_stream
from tests.audit.triggers_off import triggers_suspended

pytestmark = pytest.mark.django_db


def _verify_fails() -> str:
    """The command's error (naming the first break) followed by its full report."""
    report = _Sink()
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", stdout=_Sink(), stderr=report)
    assert caught.value.returncode == 1
    return f"{caught.value}\n{report.text}"


class _Sink:
    def __init__(self) -> None:
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def test_an_intact_trail_verifies_with_a_one_line_summary() -> None:
    add_events(new_stream(), 5)
    add_events(new_stream(), 3)
    checkpoints.checkpoint_create()
    add_events(new_stream(), 2)
    out = _Sink()
    call_command("verify_audit", stdout=out)
    assert out.text.startswith("OK: 11 events in 4 stream(s), 1 checkpoint(s)")
    assert out.text.count("\n") == 1


def test_an_empty_trail_verifies() -> None:
    assert verify().ok


def test_modified_event_is_detected() -> None:
    stream = new_stream()
    events = add_events(stream, 5)
    with triggers_suspended():
        execute("UPDATE audit_auditevent SET target_id = %s WHERE id = %s",
                ["someone-else", events[2].pk])
    assert f"stream {stream} seq 3: content does not match its hash" in _verify_fails()


def test_modified_event_with_recomputed_hash_breaks_the_next_link() -> None:
    stream = new_stream()
    events = add_events(stream, 5)
    with triggers_suspended():
        execute("UPDATE audit_auditevent SET hash = %s WHERE id = %s", ["f" * 64, events[1].pk])
    message = _verify_fails()
    assert f"stream {stream} seq 2: content does not match" in message


def test_deleted_event_leaves_a_gap() -> None:
    stream = new_stream()
    events = add_events(stream, 5)
    with triggers_suspended():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    assert f"stream {stream} seq 3: seq 2..2 missing" in _verify_fails()


def test_deleted_first_event_is_detected() -> None:
    stream = new_stream()
    events = add_events(stream, 3)
    with triggers_suspended():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])
    assert f"stream {stream} seq 2: seq 1..1 missing" in _verify_fails()


def test_reordered_events_are_detected() -> None:
    stream = new_stream()
    events = add_events(stream, 5)
    with triggers_suspended():
        execute("UPDATE audit_auditevent SET seq = 1000 WHERE id = %s", [events[1].pk])
        execute("UPDATE audit_auditevent SET seq = 2 WHERE id = %s", [events[2].pk])
        execute("UPDATE audit_auditevent SET seq = 3 WHERE id = %s", [events[1].pk])
    assert f"stream {stream} seq 2: prev_hash does not match" in _verify_fails()


def test_truncated_tail_behind_a_checkpoint_is_detected() -> None:
    stream = new_stream()
    events = add_events(stream, 5)
    checkpoints.checkpoint_create()
    with triggers_suspended():
        execute("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [events[3].pk, events[4].pk])
    message = _verify_fails()
    assert f"stream {stream}: ends at seq 3 but checkpoint 1 recorded seq 5" in message


def test_deleted_stream_behind_a_checkpoint_is_detected() -> None:
    stream = new_stream()
    add_events(stream, 3)
    add_events(new_stream(), 2)
    checkpoints.checkpoint_create()
    with triggers_suspended():
        execute("DELETE FROM audit_auditevent WHERE stream = %s", [stream])
    assert f"stream {stream}: checkpoint 1 recorded seq 3, but the stream has no events" in (
        _verify_fails()
    )


def test_chain_rewritten_consistently_is_caught_by_the_checkpoint() -> None:
    """Someone who recomputes every hash after a change still cannot match the signed head."""
    from audit import chain

    stream = new_stream()
    add_events(stream, 4)
    checkpoints.checkpoint_create()
    with triggers_suspended():
        execute("UPDATE audit_auditevent SET target_id = %s WHERE stream = %s AND seq = 2",
                ["rewritten", stream])
        prev = chain.GENESIS
        for event in AuditEvent.objects.filter(stream=stream).order_by("seq"):
            body = chain.event_body(
                stream=event.stream, ts_us=chain.timestamp_us(event.timestamp),
                actor_kind=event.actor_kind, actor_id=event.actor_id, action=event.action,
                target_type=event.target_type, target_id=event.target_id,
                changed_fields=event.changed_fields, detail=event.detail,
            )
            digest = chain.event_hash(body, event.seq, prev)
            execute("UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                    [prev, digest, event.pk])
            prev = digest
    message = _verify_fails()
    assert f"stream {stream} seq 4: differs from checkpoint 1" in message
    assert "content does not match" not in message


def test_forged_checkpoint_signature_is_detected() -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    add_events(new_stream(), 2)
    checkpoint = checkpoints.checkpoint_create()
    assert checkpoint is not None
    forged = Ed25519PrivateKey.generate().sign(b"anything")
    import base64

    with triggers_suspended():
        execute("UPDATE audit_auditcheckpoint SET signature = %s WHERE seq = 1",
                [base64.b64encode(forged).decode()])
    assert "checkpoint 1: signature is invalid" in _verify_fails()


def test_checkpoint_with_changed_heads_is_detected() -> None:
    stream = new_stream()
    add_events(stream, 2)
    checkpoints.checkpoint_create()
    with triggers_suspended():
        execute("DELETE FROM audit_auditcheckpointhead WHERE stream = %s", [stream])
    assert "checkpoint 1: its heads do not match their digest" in _verify_fails()


def test_checkpoint_signed_with_an_unknown_key_is_detected() -> None:
    add_events(new_stream(), 2)
    checkpoints.checkpoint_create()
    with triggers_suspended():
        execute("UPDATE audit_auditcheckpoint SET key_id = 'stolen' WHERE seq = 1")
    message = _verify_fails()
    assert "checkpoint 1: content does not match its hash" in message
    assert "signed with key stolen, which is not configured" in message


def test_deleted_checkpoint_in_the_middle_is_detected() -> None:
    stream = new_stream()
    for _ in range(3):
        add_events(stream, 1)
        assert checkpoints.checkpoint_create() is not None
    with triggers_suspended():
        execute("DELETE FROM audit_auditcheckpointhead WHERE checkpoint_seq = 2")
        execute("DELETE FROM audit_auditcheckpoint WHERE seq = 2")
    message = _verify_fails()
    assert "checkpoint 3: checkpoint 2..2 missing" in message


def test_disabled_triggers_are_reported() -> None:
    add_events(new_stream(), 1)
    triggers.remove(__import__("django.db").db.connection, ("audit_auditevent",))
    assert "audit_auditevent: the append-only triggers are missing, disabled or altered" in (
        _verify_fails()
    )


def test_report_names_the_first_break_and_lists_all() -> None:
    first, second = sorted([new_stream(), new_stream()])
    events_a = add_events(first, 3)
    events_b = add_events(second, 3)
    with triggers_suspended():
        execute("DELETE FROM audit_auditevent WHERE id IN (%s, %s)",
                [events_a[1].pk, events_b[1].pk])
    err = _Sink()
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", stdout=_Sink(), stderr=err)
    assert f"2 problem(s); first break: stream {first} seq 3" in str(caught.value)
    assert f"stream {second} seq 3" in err.text


def test_single_stream_verification() -> None:
    good, bad = new_stream(), new_stream()
    add_events(good, 3)
    events = add_events(bad, 3)
    with triggers_suspended():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    out = _Sink()
    call_command("verify_audit", "--stream", good, stdout=out)
    assert out.text.startswith("OK: 3 events in 1 stream(s)")
    with pytest.raises(CommandError):
        call_command("verify_audit", "--stream", bad, stdout=_Sink(), stderr=_Sink())


def test_progress_is_shown_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from audit import verification

    monkeypatch.setattr(verification, "PROGRESS_EVERY", 2)
    add_events(new_stream(), 5)

    class Terminal(_Sink):
        def isatty(self) -> bool:
            return True

    terminal, pipe = Terminal(), _Sink()
    call_command("verify_audit", stdout=terminal)
    call_command("verify_audit", stdout=pipe)
    assert "ETA" in terminal.text and "verifying: 2 of ~5 events" in terminal.text
    assert "ETA" not in pipe.text


def test_export_and_compare_catches_deleted_latest_checkpoint(tmp_path: Path) -> None:
    stream = new_stream()
    for _ in range(2):
        add_events(stream, 1)
        checkpoints.checkpoint_create()
    export = tmp_path / "checkpoints.jsonl"
    call_command("audit_export_checkpoints", str(export), stdout=_Sink())
    lines = [json.loads(line) for line in export.read_text().splitlines()]
    assert [line["seq"] for line in lines] == [1, 2]
    assert lines[1]["heads"][0][0] in {stream, "system"}
    call_command("verify_audit", "--against", str(export), stdout=_Sink())
    # The newest checkpoint (and the events it alone covered) vanish: the database alone
    # cannot tell, the export can.
    with triggers_suspended():
        execute("DELETE FROM audit_auditcheckpointhead WHERE checkpoint_seq = 2")
        execute("DELETE FROM audit_auditcheckpoint WHERE seq = 2")
    call_command("verify_audit", stdout=_Sink())
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", "--against", str(export), stdout=_Sink(), stderr=_Sink())
    assert "exported checkpoint 2: is missing from the database" in str(caught.value)


def test_export_to_stdout_is_json_lines() -> None:
    add_events(new_stream(), 1)
    checkpoints.checkpoint_create()
    out = _Sink()
    call_command("audit_export_checkpoints", "-", stdout=out)
    (line,) = out.text.splitlines()
    assert json.loads(line)["seq"] == AuditCheckpoint.objects.get().seq


def _late_commit(monkeypatch: pytest.MonkeyPatch, stream: str, count: int = 1) -> None:
    """Events stamped more than GRACE ago that commit only now (a long-open transaction)."""
    stamped = timezone.now() - checkpoints.GRACE - timedelta(minutes=5)
    with monkeypatch.context() as patch:
        patch.setattr("audit.services.timezone.now", lambda: stamped)
        add_events(stream, count)


def _verify_incomplete() -> str:
    report = _Sink()
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", stdout=_Sink(), stderr=report)
    assert caught.value.returncode == 3
    return f"{caught.value}\n{report.text}"


def test_a_late_commit_no_checkpoint_covers_is_reported_until_a_full_checkpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_events(new_stream(), 2)
    assert checkpoints.checkpoint_create() is not None
    late = new_stream()
    _late_commit(monkeypatch, late, 2)
    assert checkpoints.checkpoint_create() is None  # outside the incremental window
    report = verify()
    assert report.ok and not report.complete
    assert [str(w).split(" (")[0] for w in report.warnings] == [f"stream {late}: head seq 2"]
    message = _verify_incomplete()
    assert "audit verification INCOMPLETE" in message
    assert f"WARNING: stream {late}: head seq 2 (stamped " in message
    assert "not covered by any checkpoint, though checkpoint 1 was signed more than 1 hour" in (
        message
    )
    assert checkpoints.checkpoint_create(full=True) is not None
    out = _Sink()
    call_command("verify_audit", stdout=out)
    assert out.text.startswith("OK: ")


def test_a_late_commit_followed_by_newer_events_is_covered_through_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_events(new_stream(), 1)
    assert checkpoints.checkpoint_create() is not None
    stream = new_stream()
    _late_commit(monkeypatch, stream)
    add_events(stream, 1)  # the stream moves again: the next checkpoint covers its new head
    assert checkpoints.checkpoint_create() is not None
    report = verify()
    assert report.ok and report.complete


def test_recent_uncheckpointed_events_and_a_trail_without_checkpoints_are_complete(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _late_commit(monkeypatch, new_stream())  # old, but there is no checkpoint to compare with
    assert verify().complete
    assert checkpoints.checkpoint_create() is not None
    add_events(new_stream(), 1)  # newer than the checkpoint: the next run covers it
    assert verify().complete


def test_a_break_and_an_uncovered_head_exit_1_listing_both(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broken = add_events(new_stream(), 3)
    assert checkpoints.checkpoint_create() is not None
    late = new_stream()
    _late_commit(monkeypatch, late)
    with triggers_suspended():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [broken[1].pk])
    message = _verify_fails()
    assert "audit verification FAILED: 1 problem(s)" in message
    assert f"WARNING: stream {late}: head seq 1" in message


def test_an_uncovered_head_of_a_single_stream_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_events(new_stream(), 1)
    assert checkpoints.checkpoint_create() is not None
    late = new_stream()
    _late_commit(monkeypatch, late)
    assert verify(stream=late).warning_count == 1


def test_an_unknown_key_id_that_could_be_key_material_is_not_shown() -> None:
    add_events(new_stream(), 2)
    checkpoints.checkpoint_create()
    pasted = bytes(range(32)).hex()
    with triggers_suspended():
        execute("UPDATE audit_auditcheckpoint SET key_id = %s WHERE seq = 1", [pasted])
    message = _verify_fails()
    assert "signed with key <an id that is not shown" in message
    assert pasted[:8] not in message


def test_a_damaged_export_is_reported_without_echoing_it(tmp_path: Path) -> None:
    add_events(new_stream(), 1)
    checkpoints.checkpoint_create()
    export = tmp_path / "checkpoints.jsonl"
    call_command("audit_export_checkpoints", str(export), stdout=_Sink())
    secret = "c2VjcmV0LWtleS1tYXRlcmlhbC10aGF0LXdhcy1wYXN0ZWQ"
    good = json.loads(export.read_text())
    with export.open("a") as handle:
        handle.write(f"not json {secret}\n")
        handle.write(json.dumps([secret]) + "\n")
        handle.write(json.dumps({"seq": secret}) + "\n")
        handle.write(json.dumps({"seq": [secret]}) + "\n")
        handle.write(json.dumps({k: v for k, v in good.items() if k != "hash"}) + "\n")
    message = _verify_fails_against(export)
    assert secret not in message and secret[:12] not in message
    assert "export line 2: is not a JSON object" in message
    assert "export line 3: is not a JSON object" in message
    assert "export entry 2: has no integer seq" in message
    assert "export entry 3: has no integer seq" in message
    assert "exported checkpoint 1: the exported copy itself does not verify" in message


def _verify_fails_against(export: Path) -> str:
    report = _Sink()
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit", "--against", str(export), stdout=_Sink(), stderr=report)
    assert caught.value.returncode == 1
    return f"{caught.value}\n{report.text}"


def test_a_missing_export_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read the export file"):
        call_command("verify_audit", "--against", str(tmp_path / "missing.jsonl"),
                     stdout=_Sink(), stderr=_Sink())
