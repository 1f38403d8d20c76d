"""0003 added columns to ``cases_case``; on SQLite that rebuilds the table and drops the
key-destroyed trigger of 0002 with the old table. Put it back (PostgreSQL keeps it)."""

import importlib

from django.db import migrations

trigger = importlib.import_module("cases.migrations.0002_case_key_destroyed_trigger")


def reinstall(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        trigger._run(schema_editor, trigger.SQLITE_REMOVE + trigger.SQLITE_INSTALL)


class Migration(migrations.Migration):

    dependencies = [("cases", "0003_workflow")]

    operations = [migrations.RunPython(reinstall, migrations.RunPython.noop)]
