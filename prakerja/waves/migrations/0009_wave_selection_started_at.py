from django.db import migrations, models


def started_from_runs(apps, schema_editor):
    """Waves whose selection had started (a run exists, or rows already say selecting) keep reading as started."""
    Wave = apps.get_model("waves", "Wave")
    SelectionRun = apps.get_model("selection", "SelectionRun")
    Application = apps.get_model("waves", "Application")
    for run in SelectionRun.objects.filter(wave__selection_started_at__isnull=True):
        Wave.objects.filter(pk=run.wave_id).update(selection_started_at=run.started_at)
    for wave_id in (Application.objects.filter(status="selecting", wave__selection_started_at__isnull=True)
                    .values_list("wave_id", flat=True).distinct()):
        Wave.objects.filter(pk=wave_id).update(selection_started_at=models.F("closed_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("selection", "0003_announcement_position"),
        ("waves", "0008_fewer_application_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="wave",
            name="selection_started_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(started_from_runs, migrations.RunPython.noop),
    ]
