"""0003 created ``verifier_mac`` as 64 characters, but the stored MAC is ``<key id>:<64 hex>``
(cases.receipt_codes), so on PostgreSQL every registration failed with "value too long". The
model already says ``INDEX_MAX_LENGTH``; this brings the column in line."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_reinstall_key_trigger_on_sqlite'),
    ]

    operations = [
        migrations.AlterField(
            model_name='receiptcode',
            name='verifier_mac',
            field=models.CharField(max_length=97),
        ),
    ]
