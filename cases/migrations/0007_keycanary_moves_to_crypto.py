"""The key canary now belongs to the crypto app (``crypto.0001_initial``): state only.

The table ``cases_keycanary`` and its row stay where they are. The canary's content type goes
with the model, so its permissions follow it instead of being left behind on a stale type.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def _move_content_type(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor, *,
                       source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.using(schema_editor.connection.alias)
    # A fresh database has no content types yet (they are made after migrate), and one that
    # already has the target type keeps it.
    if not types.filter(app_label=target, model="keycanary").exists():
        types.filter(app_label=source, model="keycanary").update(app_label=target)


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _move_content_type(apps, schema_editor, source="cases", target="crypto")


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _move_content_type(apps, schema_editor, source="crypto", target="cases")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_intake"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("crypto", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="KeyCanary")],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
