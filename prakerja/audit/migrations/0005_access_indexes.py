"""Indexes for "Siapa yang mengakses data saya" (PRV-5): reads found by the purchase or the person they name.

On PostgreSQL they are built CONCURRENTLY: the audit log is the largest
table and every audited action writes to it, so a plain CREATE INDEX would
hold up every audited action of the platform while it runs.
"""

import django.db.models.fields.json
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexQuietly(AddIndexConcurrently):
    """CONCURRENTLY on PostgreSQL; a plain CREATE INDEX elsewhere (SQLite, the embedded default)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('audit', '0004_indonesian_labels'),
    ]

    operations = [
        AddIndexQuietly(
            model_name='auditentry',
            index=models.Index(django.db.models.fields.json.KeyTransform('payment', 'data'), name='audit_data_payment'),
        ),
        AddIndexQuietly(
            model_name='auditentry',
            index=models.Index(django.db.models.fields.json.KeyTransform('person', 'data'), name='audit_data_person'),
        ),
    ]
