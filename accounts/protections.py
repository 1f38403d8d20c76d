"""A superuser never holds a role, whatever writes the rows (DESIGN.md §2).

The role services refuse it and the admin no longer offers it, but ``user.groups.add`` in a
shell, a raw ``UPDATE`` or a restore could still put a superuser in a role group. These
triggers refuse, in the database itself:

- a row in ``accounts_user_groups`` (INSERT or UPDATE) that puts a superuser in a role group;
- an UPDATE of ``accounts_user`` that makes a member of a role group a superuser.

PostgreSQL: one plpgsql function behind two row triggers, ``ENABLE ALWAYS`` so that
``session_replication_role = replica`` does not silence them; the error is an integrity
violation (SQLSTATE 23000). The group-row check reads the account ``FOR SHARE``, so it waits for
a concurrent transaction that is making the same account superuser and then sees its result
(and the account's UPDATE waits for the group row's lock): two transactions cannot each slip
half past. SQLite writes one transaction at a time; its triggers raise ``ABORT``.

Registered with the ``protections`` app, which installs them after every ``migrate`` (a SQLite
table rebuild drops them) and refuses to start a process without them. A changed role list
(``accounts.roles.Role``) changes the triggers, so the next ``migrate`` replaces them.
"""

from __future__ import annotations

import hashlib

from accounts.roles import Role
from protections.registry import Connection, Protection, execute_for_vendor

USER_TABLE = "accounts_user"
GROUPS_TABLE = "accounts_user_groups"
FUNCTION = "accounts_superuser_holds_no_role"
ON_GROUPS = "accounts_user_groups_no_superuser_role"
ON_USER = "accounts_user_no_superuser_role"
MESSAGE = "a superuser account never holds a role (the system administrator has no case access)"

# Role values are fixed identifiers of our own, never input: safe inside the statements.
_ROLE_NAMES = ", ".join(f"'{role.value}'" for role in Role)
_IS_ROLE_GROUP = f"g.name IN ({_ROLE_NAMES})"

_PG_FUNCTION_BODY = f"""
BEGIN
    IF TG_TABLE_NAME = '{GROUPS_TABLE}' THEN
        IF EXISTS (SELECT 1 FROM auth_group AS g WHERE g.id = NEW.group_id AND {_IS_ROLE_GROUP})
           AND (SELECT u.is_superuser FROM {USER_TABLE} AS u WHERE u.id = NEW.user_id FOR SHARE)
        THEN
            RAISE EXCEPTION '{GROUPS_TABLE} (user %): {MESSAGE}', NEW.user_id
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    ELSIF EXISTS (SELECT 1 FROM {GROUPS_TABLE} AS ug JOIN auth_group AS g ON g.id = ug.group_id
                  WHERE ug.user_id = NEW.id AND {_IS_ROLE_GROUP}) THEN
        RAISE EXCEPTION '{USER_TABLE} %: {MESSAGE}', NEW.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
"""  # noqa: S608 - fixed names and role values of our own, never input  # nosec B608
_PG_TRIGGERS = {
    ON_GROUPS: (GROUPS_TABLE, f"CREATE TRIGGER {ON_GROUPS} BEFORE INSERT OR UPDATE ON "
                              f"{GROUPS_TABLE} FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"),
    ON_USER: (USER_TABLE, f"CREATE TRIGGER {ON_USER} BEFORE UPDATE ON {USER_TABLE} FOR EACH ROW "
                          f"WHEN (NEW.is_superuser) EXECUTE FUNCTION {FUNCTION}()"),
}
_PG_FUNCTION_SHA256 = hashlib.sha256(_PG_FUNCTION_BODY.encode()).hexdigest()


def _sha256(statement: str) -> str:
    # PostgreSQL stores a trigger re-written, so each carries the hash of what made it.
    return hashlib.sha256(statement.encode()).hexdigest()


PG_INSTALL = [
    *[f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, (table, _) in _PG_TRIGGERS.items()],
    f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS "
    f"$${_PG_FUNCTION_BODY}$$",
    *[statement for name, (table, create) in _PG_TRIGGERS.items() for statement in (
        create,
        f"COMMENT ON TRIGGER {name} ON {table} IS 'sha256:{_sha256(create)}'",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {name}",
    )],
]

_SQLITE_GROUP_ROW_REFUSED = (
    # Fixed table names and role values of our own, never input.
    f"EXISTS (SELECT 1 FROM auth_group AS g WHERE g.id = NEW.group_id AND {_IS_ROLE_GROUP}) "  # noqa: S608  # nosec B608
    f"AND EXISTS (SELECT 1 FROM {USER_TABLE} AS u WHERE u.id = NEW.user_id AND u.is_superuser)"
)
_SQLITE_TRIGGERS = {
    f"{ON_GROUPS}_insert": (
        f"CREATE TRIGGER {ON_GROUPS}_insert BEFORE INSERT ON {GROUPS_TABLE} FOR EACH ROW "
        f"WHEN {_SQLITE_GROUP_ROW_REFUSED} "
        f"BEGIN SELECT RAISE(ABORT, '{GROUPS_TABLE}: {MESSAGE}'); END"),
    f"{ON_GROUPS}_update": (
        f"CREATE TRIGGER {ON_GROUPS}_update BEFORE UPDATE ON {GROUPS_TABLE} FOR EACH ROW "
        f"WHEN {_SQLITE_GROUP_ROW_REFUSED} "
        f"BEGIN SELECT RAISE(ABORT, '{GROUPS_TABLE}: {MESSAGE}'); END"),
    ON_USER: (
        # Fixed table names and role values of our own, never input.
        f"CREATE TRIGGER {ON_USER} BEFORE UPDATE ON {USER_TABLE} FOR EACH ROW "  # noqa: S608  # nosec B608
        f"WHEN NEW.is_superuser AND EXISTS (SELECT 1 FROM {GROUPS_TABLE} AS ug "
        f"JOIN auth_group AS g ON g.id = ug.group_id "
        f"WHERE ug.user_id = NEW.id AND {_IS_ROLE_GROUP}) "
        f"BEGIN SELECT RAISE(ABORT, '{USER_TABLE}: {MESSAGE}'); END"),
}
SQLITE_INSTALL = [
    *[f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS],
    *_SQLITE_TRIGGERS.values(),
]

_PG_INTACT_SQL = """
SELECT t.tgname, t.tgenabled, obj_description(t.oid, 'pg_trigger'),
       encode(sha256(convert_to(p.prosrc, 'UTF8')), 'hex')
FROM pg_trigger AS t
JOIN pg_proc AS p ON p.oid = t.tgfoid
WHERE t.tgname IN (%s, %s) AND t.tgrelid IN (to_regclass(%s), to_regclass(%s))
ORDER BY t.tgname
"""


def install(connection: Connection) -> None:
    execute_for_vendor(connection, {"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL},
                       "superuser-role trigger")


def intact(connection: Connection) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_INTACT_SQL, [ON_GROUPS, ON_USER, GROUPS_TABLE, USER_TABLE])
            return cursor.fetchall() == sorted(
                (name, "A", f"sha256:{_sha256(create)}", _PG_FUNCTION_SHA256)
                for name, (_table, create) in _PG_TRIGGERS.items())
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN (%s, %s, %s) "
            "ORDER BY name", list(_SQLITE_TRIGGERS))
        return cursor.fetchall() == sorted(_SQLITE_TRIGGERS.items())


SUPERUSER_NO_ROLE_TRIGGERS = Protection(
    name=FUNCTION,
    description="refuses a superuser in a role group (a group row, or the superuser flag)",
    tables=(USER_TABLE, GROUPS_TABLE, "auth_group"),
    intact=intact,
    install=install,
)
