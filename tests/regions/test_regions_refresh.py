"""regions_refresh: loading a newer Kemendagri list without losing a code that is in use."""

import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from prakerja.audit.models import AuditEntry
from prakerja.regions.loader import DEFAULT_FILE
from prakerja.regions.models import Province, Regency, RegencyKind
from prakerja.regions.selectors import regency_code_exists, regency_get

pytestmark = pytest.mark.django_db


def current_rows():
    with open(DEFAULT_FILE, encoding="utf-8") as handle:
        return [(row["code"], row["name"], row["level"]) for row in csv.DictReader(handle)]


@pytest.fixture
def refresh(tmp_path):
    """Write ``rows`` as a CSV and run the command on it."""
    def run(rows, *options):
        path = tmp_path / "wilayah.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["code", "name", "level"])
            writer.writerows(rows)
        call_command("regions_refresh", "--file", str(path), *options)
    return run


def snapshot():
    return (list(Province.objects.values_list("code", "name")),
            list(Regency.objects.values_list("code", "name", "kind", "province__code")))


def test_adds_and_renames(refresh, capsys, django_capture_on_commit_callbacks):
    assert not regency_code_exists("3280")
    rows = [(code, "Kota Bandung Raya" if code == "3273" else name, level) for code, name, level in current_rows()]
    rows += [("97", "Provinsi Contoh", "province"), ("9701", "Kota Contoh", "regency"),
             ("3280", "Kabupaten Contoh Baru", "regency")]
    with django_capture_on_commit_callbacks(execute=True):
        refresh(rows)
    assert "added 3, renamed 1, removed 0" in capsys.readouterr().out
    assert regency_get(code="3273").name == "Kota Bandung Raya"
    assert regency_get(code="9701").province.name == "Provinsi Contoh"
    assert regency_get(code="9701").kind == RegencyKind.KOTA
    assert regency_get(code="3280").kind == RegencyKind.KABUPATEN
    assert regency_code_exists("3280")  # this process's cache was cleared on commit
    entry = AuditEntry.objects.get(action="regions.refresh")
    assert entry.actor_label == "system" and entry.data["renamed"] == ["3273"]


def test_the_same_file_changes_nothing_in_a_few_queries(refresh, capsys, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        refresh(current_rows())
    assert "added 0, renamed 0, removed 0" in capsys.readouterr().out


def test_dry_run_changes_nothing(refresh, capsys):
    before = snapshot()
    rows = [r for r in current_rows() if r[0] != "3279"] + [("3280", "Kabupaten Contoh Baru", "regency")]
    refresh(rows, "--dry-run")
    assert "added 1, renamed 0, removed 1 (dry run: nothing saved)" in capsys.readouterr().out
    assert snapshot() == before and not AuditEntry.objects.filter(action="regions.refresh").exists()


def test_removes_a_code_nothing_uses(refresh, django_capture_on_commit_callbacks):
    assert regency_code_exists("3279")
    with django_capture_on_commit_callbacks(execute=True):
        refresh([r for r in current_rows() if r[0] != "3279"])
    assert not Regency.objects.filter(code="3279").exists() and not regency_code_exists("3279")


def test_refuses_to_remove_a_regency_someone_lives_in(refresh, registrant):
    before = snapshot()
    rows = [r for r in current_rows() if r[0] not in ("3273", "3279")] + [("3280", "Kabupaten Baru", "regency")]
    with pytest.raises(CommandError, match="3273") as error:
        refresh(rows)
    assert "3279" not in str(error.value) and "nothing changed" in str(error.value)
    assert snapshot() == before


def test_refuses_to_remove_a_province_whose_regencies_remain(refresh):
    before = snapshot()
    with pytest.raises(CommandError, match="without a province"):
        refresh([r for r in current_rows() if r[0] != "32"])
    assert snapshot() == before


def test_refuses_to_remove_a_province_a_wave_is_open_to(refresh, make_wave):
    # A many-to-many row would otherwise vanish silently with the province.
    wave = make_wave(provinces=("96",))
    before = snapshot()
    with pytest.raises(CommandError, match="96"):
        refresh([r for r in current_rows() if not r[0].startswith("96")])
    assert snapshot() == before and list(wave.eligible_provinces.values_list("code", flat=True)) == ["96"]


def test_removes_an_unused_province_with_its_regencies(refresh):
    papua_barat_daya = Regency.objects.filter(code__startswith="96").count()
    refresh([r for r in current_rows() if not r[0].startswith("96")])
    assert not Province.objects.filter(code="96").exists()
    assert Regency.objects.count() == 514 - papua_barat_daya


@pytest.mark.parametrize("rows", [
    [("3x", "Salah", "province")],
    [("3273", "Kota Bandung", "regency")],  # no province 32
    [("32", "Jawa Barat", "province"), ("3273", "Bandung", "regency")],  # neither Kabupaten nor Kota
    [("32", "Jawa Barat", "province"), ("32", "Jawa Barat", "province")],
    [("32", "Jawa Barat", "district")],
])
def test_a_malformed_file_is_refused(refresh, rows):
    before = snapshot()
    with pytest.raises(CommandError):
        refresh(rows)
    assert snapshot() == before


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError):
        call_command("regions_refresh", "--file", str(tmp_path / "missing.csv"))
