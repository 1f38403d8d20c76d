"""Read-only admin for the audit trail: metadata to look at, nothing to add, change or delete."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditCheckpoint, AuditEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("timestamp", "stream", "seq", "actor_kind", "actor_id", "action",
                    "target_type", "target_id")
    list_filter = ("action", "actor_kind")
    search_fields = ("=stream", "=target_id", "=actor_id")
    fields = ("stream", "seq", "timestamp", "actor_kind", "actor_id", "action", "target_type",
              "target_id", "changed_fields", "detail", "prev_hash", "hash")
    ordering = ("-timestamp", "-id")
    # Counting tens of millions of rows for the paginator would make every page slow.
    show_full_result_count = False


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("seq", "created_at", "key_id", "head_count", "hash")
    fields = ("seq", "created_at", "key_id", "head_count", "heads_digest", "prev_hash", "hash",
              "signature")
    ordering = ("-seq",)
