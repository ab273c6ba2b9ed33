"""Chain audit rows by hash and refuse TRUNCATE on PostgreSQL (issue 14, finding 10).

Rows already in the table are chained in id order here. The triggers come
off first (the backfill is an UPDATE, and on SQLite adding a NOT NULL column
rebuilds the table, which drops its triggers) and go back on at the end,
TRUNCATE trigger included; all of it in one transaction.

Writers still running the previous release cannot insert once this has run
(the new columns have no default): deploy with the web and worker roles
stopped, as for any migration that changes the audit table.
"""

import django.utils.timezone
from django.db import migrations, models

from prakerja.audit import chain, triggers

BATCH = 1000


def lift_triggers(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)


def put_back_triggers(apps, schema_editor):
    triggers.install(schema_editor.connection)


def backfill(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    entries = AuditEntry.objects.using(schema_editor.connection.alias).order_by("id")
    prev_hash, last_id = chain.GENESIS, 0
    # Keyset pages, not one open cursor: SQLite leaves a read undefined when
    # the same connection updates the table under it.
    while page := list(entries.filter(id__gt=last_id)[:BATCH]):
        for entry in page:
            entry.prev_hash = prev_hash
            entry.row_hash = prev_hash = chain.row_hash(
                prev_hash, **{field: getattr(entry, field) for field in chain.FIELDS})
        AuditEntry.objects.using(schema_editor.connection.alias).bulk_update(page, ["prev_hash", "row_hash"])
        last_id = page[-1].id


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.RunPython(lift_triggers, put_back_triggers),
        migrations.AlterField(
            model_name="auditentry",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False,
                                       verbose_name="when"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="row_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(fields=("prev_hash",), name="audit_entry_one_successor"),
        ),
        migrations.RunPython(put_back_triggers, lift_triggers),
    ]
