"""Switches moves from waves to programme (issue 15): the model's state only.

The table stays "waves_switches" and its row is kept as it is: a deploy runs
migrate while the previous release still serves (docs/operations.md), and
that release reads the same table. waves.0004 drops the model from waves'
state once this migration has added it here.

The content type is relabelled rather than recreated, so the permissions
keep their ids (and the groups and users holding them) and the admin's
history of the row stays attached to it.
"""

from django.db import migrations, models


def relabel_content_type(from_label, to_label):
    def run(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects.using(schema_editor.connection.alias)
        # A new database has no content types yet (post_migrate creates them);
        # one that already has the target keeps it, and the old row goes stale.
        if content_types.filter(app_label=to_label, model="switches").exists():
            return
        content_types.filter(app_label=from_label, model="switches").update(app_label=to_label)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("programme", "0003_periods_positive"),
        # The table and its one row are created by waves.0001 and 0002.
        ("waves", "0003_application_withdrawn"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Switches",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("signups_open", models.BooleanField(default=True, verbose_name="new accounts allowed")),
                        ("joins_open", models.BooleanField(default=True, verbose_name="joining waves allowed")),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "verbose_name": "programme switches",
                        "verbose_name_plural": "programme switches",
                        "db_table": "waves_switches",
                        "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)),
                                                               name="switches_single_row")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type("waves", "programme"),
                             relabel_content_type("programme", "waves")),
    ]
