"""Switches now belongs to programme (programme.0004): waves forgets the model.

State only: the table "waves_switches" and its row stay, now owned by
programme.Switches.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("waves", "0003_application_withdrawn"),
        ("programme", "0004_switches_from_waves"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Switches")],
            database_operations=[],
        ),
    ]
