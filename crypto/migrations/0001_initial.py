"""The key canary moves here from the cases app: state only, the table stays.

Its table, ``cases_keycanary``, was created by ``cases.0001_initial`` and keeps its name and its
row; ``cases.0007`` then removes the model from the cases app's state. A fresh database and one
that already holds the canary end the same.
"""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    # Where the table is created; a migration dependency only, crypto imports nothing of cases.
    dependencies = [("cases", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="KeyCanary",
                    fields=[
                        ("id", models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                        ("key_id", models.CharField(max_length=32)),
                        ("wrapped_key", models.BinaryField()),
                        ("index_key_id", models.CharField(max_length=32)),
                        ("index_check", models.CharField(max_length=64)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("rotated_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "db_table": "cases_keycanary",
                        "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="key_canary_single_row")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
