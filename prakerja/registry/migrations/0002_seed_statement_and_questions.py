"""REG-6 and REG-7 seed data: the first statement text and the question bank."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def seed(apps, schema_editor):
    StatementVersion = apps.get_model("registry", "StatementVersion")
    Question = apps.get_model("registry", "Question")
    statement = json.loads((DATA / "statement-v1.json").read_text())
    StatementVersion.objects.get_or_create(version=statement["version"], defaults={
        "title": statement["title"], "text_id": statement["text_id"], "text_en": statement["text_en"]})
    if not Question.objects.exists():
        Question.objects.bulk_create(Question(**item) for item in
                                     json.loads((DATA / "questions-v1.json").read_text()))


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
