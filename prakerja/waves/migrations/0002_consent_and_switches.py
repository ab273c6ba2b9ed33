from django.db import migrations

CONSENT_ID = """Persetujuan Kartu Prakerja

Dengan bergabung ke gelombang ini, saya menyetujui bahwa:

1. Seleksi dilakukan secara otomatis oleh sistem setelah gelombang ditutup, tidak berdasarkan urutan pendaftaran, dan hasilnya diumumkan di dasbor.
2. Data saya diperiksa terhadap data Dukcapil dan daftar pengecualian dari instansi terkait.
3. Jika lolos, saya wajib membeli pelatihan pertama dalam batas waktu yang ditetapkan; jika tidak, kepesertaan saya dicabut dan tidak dapat mendaftar kembali.
4. Bantuan biaya pelatihan hanya dapat digunakan untuk membeli pelatihan di mitra platform digital dan tidak dapat diuangkan.
5. Saya hanya dapat mengikuti satu gelombang pada satu waktu."""

CONSENT_EN = """Kartu Prakerja agreement

By joining this wave, I agree that:

1. Selection is automatic, after the wave closes, not first come first served, and the result is announced on the dashboard.
2. My data is checked against Dukcapil and the exclusion lists of the relevant agencies.
3. If I pass, I must buy a first training within the deadline; otherwise my participation is revoked and I cannot register again.
4. The training balance can only buy trainings at partner digital platforms and cannot be cashed.
5. I can be in only one wave at a time."""


def seed(apps, schema_editor):
    apps.get_model("waves", "ConsentVersion").objects.get_or_create(
        version=1, defaults={"text_id": CONSENT_ID, "text_en": CONSENT_EN})
    apps.get_model("waves", "Switches").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("waves", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
