"""The audit log becomes several hash chains side by side (prakerja.audit.chain).

Existing entries are chain 0, whose genesis value is the one chain's, so
they verify as before. On PostgreSQL the column is added without rewriting
the table (a constant default, no check constraint) and the index is built
CONCURRENTLY, as in 0005: the log is the largest table and every audited
action writes to it.
"""

import importlib

from django.db import migrations, models

from prakerja.audit import triggers

AddIndexQuietly = importlib.import_module("prakerja.audit.migrations.0005_access_indexes").AddIndexQuietly


def put_back_triggers(apps, schema_editor):
    """SQLite adds and drops a column by copying the table, which leaves its triggers behind."""
    triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0005_access_indexes"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, put_back_triggers),
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.SmallIntegerField(default=0, editable=False, verbose_name="chain"),
        ),
        AddIndexQuietly(
            model_name="auditentry",
            index=models.Index(fields=["chain", "id"], name="audit_chain_id"),
        ),
        migrations.RunPython(put_back_triggers, migrations.RunPython.noop),
    ]
