"""Historic step: the key-destroyed trigger was installed here once.

It now lives in ``cases/protections.py`` and is installed after every ``migrate`` by the
``protections`` app (a SQLite table rebuild in a later migration dropped it more than once).
Kept as a no-op so the migration graph of existing databases stays valid.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
