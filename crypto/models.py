"""The one model of the encryption layer: the key canary (see ``crypto.canary``)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from crypto.keys import KEY_ID_MAX_LENGTH

# The table kept the name it had while the canary lived in the cases app: backups, restore
# commands (``crypto.canary.MISSING_CANARY``) and operators' notes name it, and renaming it
# would buy nothing.
CANARY_TABLE = "cases_keycanary"


class KeyCanary(models.Model):
    """A single row that only the right keys open; see crypto.canary."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    key_id = models.CharField(max_length=KEY_ID_MAX_LENGTH)
    wrapped_key = models.BinaryField()
    index_key_id = models.CharField(max_length=KEY_ID_MAX_LENGTH)
    index_check = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = CANARY_TABLE
        constraints = [models.CheckConstraint(name="key_canary_single_row",
                                              condition=models.Q(id=1))]

    def __str__(self) -> str:
        return f"key canary ({self.key_id})"
