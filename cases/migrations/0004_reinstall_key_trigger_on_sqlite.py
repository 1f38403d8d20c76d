"""Historic step: put the key-destroyed trigger back after 0003 rebuilt ``cases_case`` on
SQLite. The ``protections`` app now does this after every ``migrate`` (see
``cases/protections.py``); kept as a no-op so existing databases' migration graphs stay valid."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("cases", "0003_workflow")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
