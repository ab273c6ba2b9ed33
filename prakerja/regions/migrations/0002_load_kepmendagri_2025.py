from django.db import migrations

from prakerja.regions.loader import DEFAULT_FILE, apply, read_rows


def load(apps, schema_editor):
    provinces, regencies = read_rows(DEFAULT_FILE)
    apply(apps.get_model("regions", "Province"), apps.get_model("regions", "Regency"), provinces, regencies)


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
