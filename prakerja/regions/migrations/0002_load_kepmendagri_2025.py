"""Load the provinces and regencies of Kepmendagri 300.2.2-2138/2025 (data/SOURCE.md).

Self-contained on purpose: a migration must keep working against the
models as they were here, whatever the app's loader becomes later.
Idempotent: rows whose code already exists are left alone.
"""

import csv
from pathlib import Path

from django.db import migrations

FILE = Path(__file__).resolve().parent.parent / "data" / "wilayah-kepmendagri-2025.csv"


def load(apps, schema_editor):
    Province = apps.get_model("regions", "Province")
    Regency = apps.get_model("regions", "Regency")
    with open(FILE, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    have = set(Province.objects.values_list("code", flat=True))
    Province.objects.bulk_create([Province(code=row["code"], name=row["name"]) for row in rows
                                  if row["level"] == "province" and row["code"] not in have])
    provinces = {p.code: p for p in Province.objects.all()}
    have = set(Regency.objects.values_list("code", flat=True))
    Regency.objects.bulk_create([Regency(code=row["code"], name=row["name"], province=provinces[row["code"][:2]])
                                 for row in rows if row["level"] == "regency" and row["code"] not in have])


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
