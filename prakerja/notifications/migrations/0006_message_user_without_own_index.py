"""A message's user has no index of its own: notif_inbox_idx (user, channel, read_at) leads with it.

Every message written (an OTP, a result for each of a million applicants)
wrote both. Dropped CONCURRENTLY on PostgreSQL (every purchase writes this
table); lookups by person and the cascade of an account's deletion use the
composite index.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEX = "notifications_message_user_id_89f939e6"


def forward(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {INDEX}")


def backward(apps, schema_editor):
    concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(f"CREATE INDEX{concurrently} IF NOT EXISTS {INDEX} ON notifications_message (user_id)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0005_indonesian_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(model_name="message", name="user", field=models.ForeignKey(
                    blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE,
                    related_name="messages", to=settings.AUTH_USER_MODEL, verbose_name="user")),
            ],
            database_operations=[migrations.RunPython(forward, backward)],
        ),
    ]
