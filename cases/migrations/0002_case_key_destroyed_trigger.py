"""Crypto-shredding cannot be undone by a later write, whatever writes it.

``Case.save()`` leaves the key columns of a stored case alone, but a stale instance, a raw
``UPDATE`` or a bug elsewhere could still put a wrapped key (and so the content) back. This
trigger refuses, on every ``UPDATE`` of ``cases_case``, to clear ``key_destroyed_at`` once set,
and to give a destroyed case a wrapped key, a key id or a non-empty blind index again.

PostgreSQL: a row trigger with a ``WHEN`` clause (ordinary updates never call the function),
``ENABLE ALWAYS`` so that ``session_replication_role = replica`` does not silence it; the error
is an integrity violation (SQLSTATE 23000). SQLite: a row trigger that raises ``ABORT``.

Keep in step with the model:
- a new blind-index column on ``Case`` needs a migration that recreates this trigger with it
  (``tests/cases/test_key_columns.py`` tries every blind-index field of ``Case``);
- on SQLite, a later migration that rebuilds ``cases_case`` (most ``AlterField``s do) drops the
  trigger with the old table and must recreate it.
"""

from django.db import migrations

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

PG_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'cases_case %: {MESSAGE}', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$""",
    f"CREATE TRIGGER {NAME} BEFORE UPDATE ON {TABLE} FOR EACH ROW WHEN ({REFUSED}) "
    f"EXECUTE FUNCTION {NAME}()",
    f"ALTER TABLE {TABLE} ENABLE ALWAYS TRIGGER {NAME}",
]
PG_REMOVE = [f"DROP TRIGGER IF EXISTS {NAME} ON {TABLE}", f"DROP FUNCTION IF EXISTS {NAME}()"]

SQLITE_INSTALL = [
    f"CREATE TRIGGER {NAME} BEFORE UPDATE ON {TABLE} FOR EACH ROW WHEN {REFUSED} "
    f"BEGIN SELECT RAISE(ABORT, 'cases_case: {MESSAGE}'); END",
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {NAME}"]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_INSTALL)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_INSTALL)
    else:
        raise NotImplementedError(f"No key-destroyed trigger for {vendor}.")


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, PG_REMOVE)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_REMOVE)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(install, remove, elidable=False)]
