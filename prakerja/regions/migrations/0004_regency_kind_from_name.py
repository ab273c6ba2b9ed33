"""Fill Regency.kind from the official names; cities are "Kota ..." (Jakarta's "Kota Administrasi ...")."""

from django.db import migrations


def derive(apps, schema_editor):
    Regency = apps.get_model("regions", "Regency")
    Regency.objects.filter(name__startswith="Kota ").update(kind="kota")
    Regency.objects.exclude(name__startswith="Kota ").update(kind="kabupaten")


class Migration(migrations.Migration):
    dependencies = [("regions", "0003_regency_kind")]
    operations = [migrations.RunPython(derive, migrations.RunPython.noop)]
