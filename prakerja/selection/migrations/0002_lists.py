from django.db import migrations

# SEL-2: the groups excluded by law (Perpres 76/2020, Permenko 11/2020), formal
# education (a Dapodik-style list), the other social assistance (semi-bansos
# only), and one priority list (SEL-4). Names are the reasons people read.
LISTS = [
    ("pejabat-negara", "Pejabat Negara", "exclusion", False),
    ("dpr-dprd", "Pimpinan dan anggota DPR/DPRD", "exclusion", False),
    ("asn", "Aparatur Sipil Negara", "exclusion", False),
    ("tni", "Prajurit TNI", "exclusion", False),
    ("polri", "Anggota Polri", "exclusion", False),
    ("perangkat-desa", "Kepala desa dan perangkat desa", "exclusion", False),
    ("direksi-bumn-bumd", "Direksi, komisaris dan dewan pengawas BUMN/BUMD", "exclusion", False),
    ("pendidikan-formal", "Peserta pendidikan formal", "exclusion", False),
    ("pkh", "Penerima PKH", "exclusion", True),
    ("bpnt", "Penerima BPNT", "exclusion", True),
    ("bsu", "Penerima BSU", "exclusion", True),
    ("bpum", "Penerima BPUM", "exclusion", True),
    ("phk-kemnaker", "Pekerja terkena PHK (Kemnaker)", "priority", False),
]


def seed(apps, schema_editor):
    NikList = apps.get_model("selection", "NikList")
    for code, name, kind, social in LISTS:
        NikList.objects.get_or_create(code=code, defaults={"name": name, "kind": kind, "social_assistance": social})
    apps.get_model("selection", "PriorityStatus").objects.get_or_create(employment_status="laid_off")


class Migration(migrations.Migration):
    dependencies = [("selection", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
