"""Database triggers that make the audit tables append-only.

PostgreSQL gets a row-level trigger (UPDATE, DELETE) and a statement-level one (UPDATE, DELETE,
TRUNCATE), both ``ENABLE ALWAYS`` so that ``session_replication_role = replica`` does not
silence them. TRUNCATE of an *empty* table is let through: it destroys nothing, and it is how
Django's test runner resets the database between transactional tests. SQLite has row-level
triggers only (it has no TRUNCATE; a DELETE without WHERE still fires row triggers).

Installed by migration 0002, and after every migrate by the ``protections`` app (registered in
``AuditConfig.ready``): a SQLite table rebuild drops them; verify_audit reports any missing.
"""

from __future__ import annotations

import hashlib
from typing import Any

from protections.registry import Protection

TABLES = ("audit_auditevent", "audit_auditcheckpoint", "audit_auditcheckpointhead")

# The body is checked by ``missing`` (its SHA-256 against pg_proc.prosrc), so it must stay
# byte for byte what migration 0002 installed; a change needs a migration and a new hash here.
_PG_FUNCTION_BODY = """
DECLARE
    has_rows boolean;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME)
            INTO has_rows;
        IF NOT has_rows THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit: % on % refused: the audit trail is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
"""
_PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$"
    f"{_PG_FUNCTION_BODY}$$"
)
PG_FUNCTION_SHA256 = hashlib.sha256(_PG_FUNCTION_BODY.encode()).hexdigest()

# pg_trigger.tgtype bits: 1 ROW, 2 BEFORE, 4 INSERT, 8 DELETE, 16 UPDATE, 32 TRUNCATE, 64 INSTEAD.
_PG_TRIGGER_TYPES = {
    "audit_append_only_row": 1 | 2 | 8 | 16,
    "audit_append_only_statement": 2 | 8 | 16 | 32,
}


def _pg_statements(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER audit_append_only_row BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
        f"CREATE TRIGGER audit_append_only_statement BEFORE UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER audit_append_only_row",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER audit_append_only_statement",
    ]


def _sqlite_statements(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} BEGIN "
        f"SELECT RAISE(ABORT, 'audit: {op} on {table} refused: the audit trail is append-only'); "
        "END"
        for op in ("UPDATE", "DELETE")
    ]


def install(connection: Any, tables: tuple[str, ...] = TABLES) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            for table in tables:
                for statement in _pg_statements(table):
                    cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for table in tables:
                for statement in _sqlite_statements(table):
                    cursor.execute(statement)
        else:
            raise NotImplementedError(f"No append-only triggers for {connection.vendor}.")


def remove(connection: Any, tables: tuple[str, ...] = TABLES) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS audit_append_only_row ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS audit_append_only_statement ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        if connection.vendor == "postgresql" and set(tables) == set(TABLES):
            cursor.execute("DROP FUNCTION IF EXISTS audit_refuse_change()")


def missing(connection: Any, tables: tuple[str, ...] = TABLES) -> list[str]:
    """Tables whose append-only triggers are absent, disabled or altered (for verify_audit).

    Names are not enough: a database owner can keep a trigger's name and enabled flag while
    replacing the function it calls (say, with one that returns OLD), pointing it at another
    function, or narrowing when it fires (``UPDATE OF`` a column, a ``WHEN`` clause, other
    events). On PostgreSQL every property that decides whether the trigger refuses a change is
    compared with what ``install`` creates, the function body by its SHA-256; on SQLite the
    trigger's stored SQL must be exactly what ``install`` created.
    """
    intact: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_TRIGGERS_SQL, [list(_PG_TRIGGER_TYPES), list(tables)])
            for (table, name, tgtype, enabled, has_when, columns, nargs, language, returns,
                 body_sha256) in cursor.fetchall():
                if (
                    tgtype == _PG_TRIGGER_TYPES[name] and enabled == "A" and not has_when
                    and columns == 0 and nargs == 0 and language == "plpgsql"
                    and returns == "trigger" and body_sha256 == PG_FUNCTION_SHA256
                ):
                    intact[table] = intact.get(table, 0) + 1
        else:
            cursor.execute(
                "SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'"
            )
            expected = {
                (table, statement.split()[2]): statement
                for table in tables for statement in _sqlite_statements(table)
            }
            for table, name, sql in cursor.fetchall():
                if expected.get((table, name)) == sql:
                    intact[table] = intact.get(table, 0) + 1
    return [table for table in tables if intact.get(table, 0) < 2]


_PG_TRIGGERS_SQL = """
SELECT c.relname, t.tgname, t.tgtype, t.tgenabled, t.tgqual IS NOT NULL,
       cardinality(t.tgattr::int2[]), t.tgnargs, l.lanname, p.prorettype::regtype::text,
       encode(sha256(convert_to(p.prosrc, 'UTF8')), 'hex')
FROM pg_trigger AS t
JOIN pg_class AS c ON c.oid = t.tgrelid
JOIN pg_proc AS p ON p.oid = t.tgfoid
JOIN pg_language AS l ON l.oid = p.prolang
WHERE t.tgname = ANY(%s)
  AND c.oid IN (SELECT to_regclass(name) FROM unnest(%s::text[]) AS name)
"""


def _reinstall_missing(connection: Any) -> None:
    absent = tuple(missing(connection))
    remove(connection, absent)
    install(connection, absent)


APPEND_ONLY_TRIGGERS = Protection(
    name="audit_append_only",
    description="refuses UPDATE, DELETE and TRUNCATE on the audit tables",
    tables=TABLES,
    intact=lambda connection: not missing(connection),
    install=_reinstall_missing,
)
