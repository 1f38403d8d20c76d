"""Checkpoints: what they cover, idempotency, signing keys, the Celery task body."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from celery.schedules import crontab
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from audit import actions, chain, checkpoints, signing
from audit.models import SYSTEM_STREAM, AuditCheckpoint, AuditEvent
from audit.tasks import audit_checkpoint
from audit.verification import verify
from tests.audit.helpers import add_events, new_stream

pytestmark = pytest.mark.django_db


def _key_line(key_id: str) -> tuple[str, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return f"{key_id}:{base64.b64encode(seed).decode()}", key


def _heads(checkpoint: AuditCheckpoint) -> dict[str, int]:
    return dict(checkpoint.heads.values_list("stream", "seq"))


def test_first_checkpoint_covers_every_stream_head_and_announces_itself() -> None:
    a, b = new_stream(), new_stream()
    add_events(a, 3)
    events_b = add_events(b, 2)
    checkpoint = checkpoints.checkpoint_create()
    assert checkpoint is not None
    assert (checkpoint.seq, checkpoint.prev_hash) == (1, chain.GENESIS)
    announcement = AuditEvent.objects.get(stream=SYSTEM_STREAM)
    assert announcement.action == actions.AUDIT_CHECKPOINT
    assert announcement.detail_items == {"checkpoint": 1}
    assert _heads(checkpoint) == {a: 3, b: 2, SYSTEM_STREAM: 1}
    assert checkpoint.heads.get(stream=b).hash == events_b[-1].hash
    assert checkpoint.key_id == signing.keyring().signing_key_id


def test_checkpoint_signature_verifies_under_the_public_key() -> None:
    add_events(new_stream(), 1)
    checkpoint = checkpoints.checkpoint_create()
    assert checkpoint is not None
    message = checkpoints.checkpoint_message(
        seq=checkpoint.seq, created_us=chain.timestamp_us(checkpoint.created_at),
        key_id=checkpoint.key_id, prev_hash=checkpoint.prev_hash,
        head_count=checkpoint.head_count, heads_digest=checkpoint.heads_digest,
    )
    assert checkpoints.checkpoint_hash(message) == checkpoint.hash
    public_key = signing.keyring().public_keys[checkpoint.key_id]
    public_key.verify(base64.b64decode(checkpoint.signature), message)  # raises if invalid


def test_nothing_new_means_no_new_checkpoint() -> None:
    add_events(new_stream(), 2)
    assert checkpoints.checkpoint_create() is not None
    assert checkpoints.checkpoint_create() is None
    assert checkpoints.checkpoint_create(full=True) is None
    assert AuditCheckpoint.objects.count() == 1


def test_next_checkpoint_lists_only_moved_heads_and_chains() -> None:
    idle, busy = new_stream(), new_stream()
    add_events(idle, 2)
    add_events(busy, 2)
    first = checkpoints.checkpoint_create()
    add_events(busy, 1)
    second = checkpoints.checkpoint_create()
    assert first is not None and second is not None
    assert second.prev_hash == first.hash
    assert _heads(second) == {busy: 3, SYSTEM_STREAM: 2}
    assert verify().ok


def test_a_late_commit_outside_the_grace_window_waits_for_a_full_checkpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    add_events(new_stream(), 1)
    assert checkpoints.checkpoint_create() is not None
    late = new_stream()
    stamped = timezone.now() - checkpoints.GRACE - timedelta(minutes=5)
    monkeypatch.setattr("audit.services.timezone.now", lambda: stamped)
    add_events(late, 1)
    monkeypatch.undo()
    assert checkpoints.checkpoint_create() is None
    full = checkpoints.checkpoint_create(full=True)
    assert full is not None and late in _heads(full)


def test_a_retired_key_still_verifies_old_checkpoints() -> None:
    old_line, old_key = _key_line("old")
    new_line, _ = _key_line("new")
    with override_settings(AUDIT_SIGNING_KEYS=old_line):
        add_events(new_stream(), 1)
        assert checkpoints.checkpoint_create() is not None
    retired = signing.verify_key_line("old", old_key.public_key())
    with override_settings(AUDIT_SIGNING_KEYS=new_line, AUDIT_VERIFY_KEYS=retired):
        add_events(new_stream(), 1)
        second = checkpoints.checkpoint_create()
        assert second is not None and second.key_id == "new"
        assert verify().ok
    with override_settings(AUDIT_SIGNING_KEYS=new_line, AUDIT_VERIFY_KEYS=""):
        problems = [str(p) for p in verify().problems]
    assert problems == ["checkpoint 1: signed with key old, which is not configured"]


def test_a_wrong_key_under_the_same_id_fails_verification() -> None:
    add_events(new_stream(), 1)
    assert checkpoints.checkpoint_create() is not None
    impostor, _ = _key_line(signing.keyring().signing_key_id)
    with override_settings(AUDIT_SIGNING_KEYS=impostor):
        problems = [str(p) for p in verify().problems]
    assert problems == ["checkpoint 1: signature is invalid: checkpoint forged or modified"]


def test_the_celery_task_body_checkpoints_once() -> None:
    add_events(new_stream(), 1)
    assert audit_checkpoint() == 1
    assert audit_checkpoint() is None
    add_events(new_stream(), 1)
    assert audit_checkpoint.run() == 2


def test_the_celery_task_runs_a_full_checkpoint_when_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The daily beat entry calls the task with full=True: it covers late commits."""
    add_events(new_stream(), 1)
    assert audit_checkpoint() == 1
    late = new_stream()
    stamped = timezone.now() - checkpoints.GRACE - timedelta(minutes=5)
    monkeypatch.setattr("audit.services.timezone.now", lambda: stamped)
    add_events(late, 1)
    monkeypatch.undo()
    assert audit_checkpoint() is None  # the incremental run cannot see it
    assert audit_checkpoint.run(full=True) == 2
    assert late in _heads(AuditCheckpoint.objects.get(seq=2))
    assert audit_checkpoint(full=True) is None


def test_a_daily_full_checkpoint_is_on_the_beat_schedule() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["audit-checkpoint-full"]
    assert entry["task"] == "audit.tasks.audit_checkpoint"
    assert entry["kwargs"] == {"full": True}
    schedule = entry["schedule"]
    if isinstance(schedule, timedelta):
        assert schedule <= timedelta(days=1)
    else:  # a crontab that fires every day
        assert isinstance(schedule, crontab), schedule
        assert schedule.hour and schedule.day_of_week == set(range(7))
        assert schedule.day_of_month == set(range(1, 32))
        assert schedule.month_of_year == set(range(1, 13))


def test_the_task_is_on_the_beat_schedule_every_15_minutes() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]
    assert entry["task"] == "audit.tasks.audit_checkpoint"
    assert entry["schedule"] == timedelta(minutes=15)


def test_the_command_says_what_it_did() -> None:
    from io import StringIO

    add_events(new_stream(), 1)
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    call_command("audit_checkpoint", stdout=out)
    assert "Checkpoint 1 signed with key" in out.getvalue()
    assert "Nothing moved since the last checkpoint" in out.getvalue()
