"""A text column that sorts byte by byte on every database.

``verify_audit`` merges two cursors ordered by stream and compares the streams in Python, and
checkpoint digests are computed over streams sorted in Python. Both need the database to sort
exactly as Python does: PostgreSQL's default (locale) collation does not, its "C" collation
does, and SQLite's default BINARY collation already does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

if TYPE_CHECKING:
    # Django's fields are generic only in django-stubs (set type, get type), not at runtime.
    _CharField = models.CharField[str, str]
else:
    _CharField = models.CharField


class BytewiseCharField(_CharField):
    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
