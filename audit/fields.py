"""A text column that sorts byte by byte on every database.

``verify_audit`` merges two cursors ordered by stream and compares the streams in Python, and
checkpoint digests are computed over streams sorted in Python. Both need the database to sort
exactly as Python does: PostgreSQL's default (locale) collation does not, its "C" collation
does, and SQLite's default BINARY collation already does.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class BytewiseCharField(models.CharField):
    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
