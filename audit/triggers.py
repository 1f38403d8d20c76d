"""Database triggers that make the audit tables append-only.

PostgreSQL gets a row-level trigger (UPDATE, DELETE) and a statement-level one (UPDATE, DELETE,
TRUNCATE), both ``ENABLE ALWAYS`` so that ``session_replication_role = replica`` does not
silence them. TRUNCATE of an *empty* table is let through: it destroys nothing, and it is how
Django's test runner resets the database between transactional tests. SQLite has row-level
triggers only (it has no TRUNCATE; a DELETE without WHERE still fires row triggers).

Used by migration 0002. On SQLite, a later migration that rebuilds one of these tables drops
its triggers with it and must call ``install`` again (verify_audit reports missing triggers).
"""

from __future__ import annotations

from typing import Any

TABLES = ("audit_auditevent", "audit_auditcheckpoint", "audit_auditcheckpointhead")

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
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
$$
"""


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
    """Tables whose append-only triggers are absent or disabled (for verify_audit)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname IN ('audit_append_only_row', 'audit_append_only_statement') "
                "AND t.tgenabled = 'A' AND c.relname = ANY(%s) GROUP BY c.relname",
                [list(tables)],
            )
        else:
            cursor.execute(
                "SELECT tbl_name, count(*) FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'audit%%_no_%%' GROUP BY tbl_name"
            )
        present = {name: count for name, count in cursor.fetchall()}
    return [table for table in tables if present.get(table, 0) < 2]
