"""The audit trail: events in per-stream hash chains, and signed checkpoints over their heads.

All three tables are append-only. The database enforces it (triggers installed by migration
0002, and in production a role with only INSERT and SELECT, see deploy/postgres-roles.sql);
the model guards below only turn an accidental ORM update into an early, clear error.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from django.db import models

from audit.actors import ActorKind
from audit.fields import BytewiseCharField

SYSTEM_STREAM = "system"

_M = TypeVar("_M", bound=models.Model)


class AppendOnlyQuerySet(models.QuerySet[_M]):
    def update(self, **kwargs: Any) -> int:
        raise TypeError(f"{self.model.__name__} is append-only; rows are never updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model.__name__} is append-only; rows are never deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} is append-only; rows are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{type(self).__name__} is append-only; rows are never deleted.")


class AuditEvent(AppendOnlyModel):
    """One thing that happened, chained to the previous event of the same stream.

    ``stream`` is a case id or ``system``; ``seq`` counts from 1 without gaps within a stream;
    ``hash`` is SHA-256 over ``audit.chain``'s encoding of the event and ``prev_hash``.
    ``detail`` is canonical JSON of a small, flat mapping of tokens (never case content), kept
    as text so that the hashed bytes are exactly the stored bytes.
    """

    stream = BytewiseCharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    timestamp = models.DateTimeField()
    actor_kind = models.CharField(max_length=16, choices=ActorKind.choices)
    actor_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, blank=True)
    changed_fields = models.CharField(max_length=1024, blank=True)
    detail = models.TextField(default="{}")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            # Serialises appends to one stream: a racing writer's INSERT conflicts here.
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_event_stream_seq"),
            models.CheckConstraint(condition=models.Q(seq__gte=1), name="audit_event_seq_positive"),
        ]
        # The auditor page orders by (timestamp, id) under each filter; each index makes one
        # filter plus that order an index scan, so a page costs the same at any table size.
        indexes = [
            models.Index(fields=["timestamp", "id"], name="audit_event_time"),
            models.Index(fields=["stream", "timestamp", "id"], name="audit_event_stream_time"),
            models.Index(
                fields=["actor_kind", "actor_id", "timestamp", "id"], name="audit_event_actor_time"
            ),
            models.Index(fields=["action", "timestamp", "id"], name="audit_event_action_time"),
        ]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.action}"

    @property
    def changed_field_names(self) -> list[str]:
        return self.changed_fields.split(",") if self.changed_fields else []

    @property
    def detail_items(self) -> dict[str, Any]:
        return json.loads(self.detail) if self.detail else {}


class AuditCheckpoint(AppendOnlyModel):
    """A signed statement of stream heads, chained to the previous checkpoint.

    Each checkpoint lists only the heads that moved since the previous one (``heads``); together
    the chain of checkpoints commits to the head of every stream. Signed with Ed25519 under a key
    that lives outside the database, so rewriting or truncating a chain is detectable even by
    someone who can write to every table.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    key_id = models.CharField(max_length=64)
    head_count = models.PositiveIntegerField()
    heads_digest = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    signature = models.CharField(max_length=128)

    def __str__(self) -> str:
        return f"checkpoint {self.seq}"


class AuditCheckpointHead(AppendOnlyModel):
    """The head (seq and hash) of one stream as a checkpoint saw it."""

    checkpoint = models.ForeignKey(
        AuditCheckpoint,
        to_field="seq",
        db_column="checkpoint_seq",
        on_delete=models.PROTECT,
        related_name="heads",
    )
    stream = BytewiseCharField(max_length=64)
    seq = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "stream"], name="audit_head_cp_stream"),
            # A head is listed only when it moved, so each (stream, seq) appears once.
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_head_stream_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} @ checkpoint {self.checkpoint_id}"
