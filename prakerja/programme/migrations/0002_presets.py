"""The two presets of SPEC PRG; semi-bansos is the default (active)."""

from django.db import migrations

PRESETS = [
    {"preset": "semi_bansos", "name": "Semi-bansos (2020-2022)", "is_active": True,
     "training_balance": 1_000_000, "post_training_incentive_amount": 600_000,
     "post_training_incentive_count": 4, "post_training_incentive_interval_months": 1,
     "survey_incentive_amount": 50_000, "survey_count": 3, "first_purchase_deadline_days": 30,
     "min_age": 18, "max_age": None, "exclude_social_assistance": True, "max_recipients_per_kk": 2,
     "test_duration_seconds": 60, "test_question_count": 10},
    {"preset": "normal", "name": "Normal (2023+)", "is_active": False,
     "training_balance": 3_500_000, "post_training_incentive_amount": 600_000,
     "post_training_incentive_count": 1, "post_training_incentive_interval_months": 1,
     "survey_incentive_amount": 50_000, "survey_count": 2, "first_purchase_deadline_days": 15,
     "min_age": 18, "max_age": 64, "exclude_social_assistance": False, "max_recipients_per_kk": 2,
     "test_duration_seconds": 25 * 60, "test_question_count": 18},
]


def create(apps, schema_editor):
    Programme = apps.get_model("programme", "Programme")
    for preset in PRESETS:
        Programme.objects.get_or_create(preset=preset["preset"], defaults=preset)


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
