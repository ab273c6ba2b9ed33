"""Make the audit log append-only in the database itself (OPS-4)."""

from django.db import migrations

from prakerja.audit.triggers import STATEMENTS


def up(apps, schema_editor):
    for sql in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[0]:
        schema_editor.execute(sql)


def down(apps, schema_editor):
    for sql in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[1]:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
