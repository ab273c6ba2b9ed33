"""PRV: the full birth date leaves the clear columns, and the NIK mask hides the serial.

With the birth date, the sex and the old mask (region and serial) in clear,
fewer than 100 NIKs fit a profile. Now only the birth year and month stay in
clear; the date is encrypted like the NIK, and the mask keeps the region only.
"""

from django.db import migrations, models


def forwards(apps, schema_editor):
    from prakerja.registry import crypto
    from prakerja.registry.nik import mask

    Profile = apps.get_model("registry", "Profile")
    for profile in Profile.objects.exclude(birth_date=None).only("pk", "birth_date", "nik_encrypted").iterator():
        Profile.objects.filter(pk=profile.pk).update(
            birth_date_encrypted=crypto.encrypt(profile.birth_date.isoformat()),
            birth_year=profile.birth_date.year, birth_month=profile.birth_date.month,
            nik_masked=mask(crypto.decrypt(profile.nik_encrypted)) if profile.nik_encrypted else "")


def backwards(apps, schema_editor):
    from datetime import date

    from prakerja.registry import crypto

    Profile = apps.get_model("registry", "Profile")
    for profile in Profile.objects.exclude(birth_date_encrypted="").only("pk", "birth_date_encrypted").iterator():
        Profile.objects.filter(pk=profile.pk).update(
            birth_date=date.fromisoformat(crypto.decrypt(profile.birth_date_encrypted)))


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_seed_statement_and_questions")]

    operations = [
        migrations.AddField("profile", "birth_date_encrypted", models.TextField(blank=True, default="")),
        migrations.AddField("profile", "birth_year", models.PositiveSmallIntegerField(blank=True, null=True)),
        migrations.AddField("profile", "birth_month", models.PositiveSmallIntegerField(blank=True, null=True)),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField("profile", "birth_date"),
    ]
