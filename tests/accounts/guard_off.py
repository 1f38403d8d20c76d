"""For tests only: act as a database owner who drops the superuser-role triggers, to build
what they refuse and check that every other line still holds. Inside a test's transaction the
DROP is rolled back with it (SQLite and PostgreSQL both have transactional DDL)."""

from __future__ import annotations

from django.db import connection

from accounts import protections


def superuser_role_guard_dropped() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"DROP TRIGGER IF EXISTS {protections.ON_GROUPS} "
                           f"ON {protections.GROUPS_TABLE}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {protections.ON_USER} "
                           f"ON {protections.USER_TABLE}")
        else:
            for name in protections._SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
