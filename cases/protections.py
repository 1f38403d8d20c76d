"""Crypto-shredding cannot be undone by a later write, whatever writes it.

``Case.save()`` leaves the key columns of a stored case alone, but a stale instance, a raw
``UPDATE`` or a bug elsewhere could still put a wrapped key (and so the content) back. This
trigger refuses, on every ``UPDATE`` of ``cases_case``, to clear ``key_destroyed_at`` once set,
and to give a destroyed case a wrapped key, a key id or a non-empty blind index again.

PostgreSQL: a row trigger with a ``WHEN`` clause (ordinary updates never call the function),
``ENABLE ALWAYS`` so that ``session_replication_role = replica`` does not silence it; the error
is an integrity violation (SQLSTATE 23000). SQLite: a row trigger that raises ``ABORT``.

It is registered with the ``protections`` app, which installs it after every ``migrate`` (a
SQLite table rebuild drops it) and refuses to start a process without it. A new blind-index
column on ``Case`` belongs in ``BLIND_INDEX_COLUMNS``: the changed trigger then no longer matches
and the next ``migrate`` replaces it (``tests/cases/test_key_columns.py`` tries every one).
"""

from __future__ import annotations

import hashlib

from protections.registry import Connection, Protection, execute_for_vendor

TABLE = "cases_case"
NAME = "cases_case_keep_key_destroyed"
BLIND_INDEX_COLUMNS = ("reporter_email_index",)

# True for an UPDATE that would bring back anything crypto-shredding removed.
REFUSED = (
    "OLD.key_destroyed_at IS NOT NULL AND ("
    "NEW.key_destroyed_at IS NULL OR NEW.wrapped_key IS NOT NULL "
    "OR COALESCE(NEW.key_id, '') <> ''"
    + "".join(f" OR COALESCE(NEW.{column}, '') <> ''" for column in BLIND_INDEX_COLUMNS)
    + ")"
)
MESSAGE = (
    "the data key of this case was destroyed (crypto-shredded); its wrapped key, key id, "
    "destruction time and blind indexes cannot be restored"
)

_PG_FUNCTION_BODY = f"""
BEGIN
    RAISE EXCEPTION 'cases_case %: {MESSAGE}', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
"""
_PG_TRIGGER = (
    f"CREATE TRIGGER {NAME} BEFORE UPDATE ON {TABLE} FOR EACH ROW WHEN ({REFUSED}) "
    f"EXECUTE FUNCTION {NAME}()"
)
# PostgreSQL stores the WHEN clause re-written, so the trigger carries the SHA-256 of the
# statement that made it as its comment; a changed rule is then seen as missing and replaced.
_PG_TRIGGER_SHA256 = hashlib.sha256(_PG_TRIGGER.encode()).hexdigest()
_PG_FUNCTION_SHA256 = hashlib.sha256(_PG_FUNCTION_BODY.encode()).hexdigest()

PG_INSTALL = [
    f"DROP TRIGGER IF EXISTS {NAME} ON {TABLE}",
    f"CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS "
    f"$${_PG_FUNCTION_BODY}$$",
    _PG_TRIGGER,
    f"COMMENT ON TRIGGER {NAME} ON {TABLE} IS 'sha256:{_PG_TRIGGER_SHA256}'",
    f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER {NAME}",
]
_SQLITE_TRIGGER = (
    f"CREATE TRIGGER {NAME} BEFORE UPDATE ON {TABLE} FOR EACH ROW WHEN {REFUSED} "
    f"BEGIN SELECT RAISE(ABORT, 'cases_case: {MESSAGE}'); END"
)
SQLITE_INSTALL = [f"DROP TRIGGER IF EXISTS {NAME}", _SQLITE_TRIGGER]

_PG_INTACT_SQL = """
SELECT t.tgenabled, obj_description(t.oid, 'pg_trigger'),
       encode(sha256(convert_to(p.prosrc, 'UTF8')), 'hex')
FROM pg_trigger AS t
JOIN pg_proc AS p ON p.oid = t.tgfoid
WHERE t.tgname = %s AND t.tgrelid = to_regclass(%s)
"""


def install(connection: Connection) -> None:
    execute_for_vendor(connection, {"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL},
                       "key-destroyed trigger")


def intact(connection: Connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_INTACT_SQL, [NAME, TABLE])
            return cursor.fetchall() == [
                ("A", f"sha256:{_PG_TRIGGER_SHA256}", _PG_FUNCTION_SHA256)
            ]
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s AND tbl_name = %s",
            [NAME, TABLE],
        )
        return cursor.fetchall() == [(_SQLITE_TRIGGER,)]


KEY_DESTROYED_TRIGGER = Protection(
    name=NAME,
    description="refuses any UPDATE that would give a crypto-shredded case its key back",
    tables=(TABLE,),
    intact=intact,
    install=install,
)
