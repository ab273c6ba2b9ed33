"""Reference data: the Kemendagri provinces and regencies/cities."""

import csv

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from prakerja.regions.loader import DEFAULT_FILE
from prakerja.regions.models import Province, Regency
from prakerja.regions.selectors import regency_code_exists, regency_get, regency_list

pytestmark = pytest.mark.django_db


def test_official_counts_and_known_codes():
    assert Province.objects.count() == 38
    assert Regency.objects.count() == 514
    assert Province.objects.get(code="32").name == "Jawa Barat"
    bandung = regency_get(code="3273")
    assert bandung.name == "Kota Bandung" and bandung.province.code == "32"
    assert regency_list(province_code="96").exists()  # Papua Barat Daya, created in 2022
    assert regency_code_exists("3578") and not regency_code_exists("9999")


def write(path, rows):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "name", "level"])
        writer.writerows(rows)


def current_rows():
    return [(r["code"], r["name"], r["level"]) for r in csv.DictReader(open(DEFAULT_FILE))]


def test_refresh_adds_and_renames(tmp_path, capsys):
    rows = [(c, "Kota Bandung Raya" if c == "3273" else n, lv) for c, n, lv in current_rows()]
    rows.append(("3280", "Kabupaten Contoh Baru", "regency"))
    write(tmp_path / "new.csv", rows)
    call_command("regions_refresh", "--file", str(tmp_path / "new.csv"))
    assert "added 1, renamed 1, removed 0" in capsys.readouterr().out
    assert regency_get(code="3273").name == "Kota Bandung Raya" and regency_code_exists("3280")


def test_dry_run_changes_nothing(tmp_path):
    write(tmp_path / "new.csv", [*current_rows(), ("3280", "Kabupaten Contoh Baru", "regency")])
    call_command("regions_refresh", "--file", str(tmp_path / "new.csv"), "--dry-run")
    assert not Regency.objects.filter(code="3280").exists()


def test_refresh_refuses_to_remove_a_code_in_use(tmp_path, applicant):
    from prakerja.registry.models import Profile

    Profile.objects.create(user=applicant, domicile_regency=regency_get(code="3273"))
    write(tmp_path / "new.csv", [r for r in current_rows() if r[0] != "3273"])
    with pytest.raises(CommandError, match="3273"):
        call_command("regions_refresh", "--file", str(tmp_path / "new.csv"))
    assert Regency.objects.filter(code="3273").exists()


def test_refresh_removes_an_unused_code(tmp_path):
    write(tmp_path / "new.csv", [r for r in current_rows() if r[0] != "3279"])
    call_command("regions_refresh", "--file", str(tmp_path / "new.csv"))
    assert not Regency.objects.filter(code="3279").exists() and not regency_code_exists("3279")


@pytest.mark.parametrize("rows", [[("3x", "Salah", "province")], [("3273", "Kota", "regency")]])
def test_a_malformed_file_is_refused(tmp_path, rows):
    write(tmp_path / "bad.csv", rows)
    with pytest.raises(CommandError):
        call_command("regions_refresh", "--file", str(tmp_path / "bad.csv"))
    assert Regency.objects.count() == 514
