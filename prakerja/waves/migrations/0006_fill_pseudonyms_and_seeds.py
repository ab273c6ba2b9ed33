import hashlib
import secrets

from django.db import migrations


def fill(apps, schema_editor):
    from prakerja.registry.crypto import encrypt

    Application = apps.get_model("waves", "Application")
    # Adding the column gave every existing row the same default: each gets its own.
    for pk in Application.objects.values_list("pk", flat=True).iterator():
        Application.objects.filter(pk=pk).update(pseudonym=secrets.token_hex(8))
    Wave = apps.get_model("waves", "Wave")
    for wave in Wave.objects.filter(seed_encrypted=""):
        seed = secrets.token_hex(32)
        Wave.objects.filter(pk=wave.pk).update(seed_encrypted=encrypt(seed),
                                               seed_commitment=hashlib.sha256(seed.encode()).hexdigest())


class Migration(migrations.Migration):
    dependencies = [("waves", "0005_selection_fields")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
