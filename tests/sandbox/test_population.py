"""The sandbox civil registry's population: generator, CSV load and export, demo identities.

The sandbox has its own settings and database, so its commands run in a
subprocess here, exactly as an operator runs them.
"""

import csv
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from prakerja.registry.nik import build_kk, build_nik, parse_nik, validate_kk

ROOT = Path(__file__).resolve().parents[2]
DEMO_CSV = ROOT / "prakerja/sandbox/data/demo_population.csv"
with open(ROOT / "prakerja/regions/data/wilayah-kepmendagri-2025.csv", encoding="utf-8") as _regions:
    REGENCIES = {row["code"] for row in csv.DictReader(_regions) if row["level"] == "regency"}


def sandbox_command(db, *args) -> str:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "prakerja.sandbox.settings", "SANDBOX_DB": str(db)}
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    return subprocess.run([sys.executable, "-m", "django", "sandbox_population", *args], env=env, cwd=ROOT,
                          check=True, capture_output=True, text=True).stdout


def read(path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def issued(kk: str) -> date:
    # Every KK in the sandbox was issued in 2000 or later.
    return date(2000 + int(kk[10:12]), int(kk[8:10]), int(kk[6:8]))


def check_person(person: dict) -> None:
    info = parse_nik(person["nik"])
    born = date.fromisoformat(person["birth_date"])
    assert info.regency_code in REGENCIES
    assert 1 <= int(info.district_code[4:]) <= 10
    assert info.district_code == person["district_code"] == person["kk"][:6]
    assert info.matches_birth_date(born)
    assert info.female == (person["female"] == "true")
    assert validate_kk(person["kk"]) == person["kk"]
    assert issued(person["kk"]) > born


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("population")
    sandbox_command(path / "a.sqlite3", "--families", "400", "--seed", "7", "--export", str(path / "a.csv"))
    return read(path / "a.csv")


def test_generated_people_have_well_formed_numbers(generated):
    assert len(generated) >= 400
    for person in generated:
        check_person(person)
    assert len({p["nik"] for p in generated}) == len(generated)


def test_generated_people_live_in_families(generated):
    families = defaultdict(list)
    for person in generated:
        families[person["kk"]].append(person)
    assert len(families) == 400
    sizes = {len(members) for members in families.values()}
    assert min(sizes) >= 1 and max(sizes) <= 5 and len(sizes) >= 4
    for members in families.values():
        assert len({m["district_code"] for m in members}) == 1
        assert len({m["name"].split()[-1] for m in members}) == 1  # one family name
    assert all(1960 <= date.fromisoformat(p["birth_date"]).year <= 2007 for p in generated)
    adults = [p for p in generated if date.fromisoformat(p["birth_date"]) <= date(2008, 1, 1)]
    assert len(adults) == len(generated)  # everyone can register as 18+ (children born by 2007)
    assert {p["female"] for p in generated} == {"true", "false"}
    assert len({p["nik"][:2] for p in generated}) >= 20  # across many provinces


def test_generation_is_deterministic_and_csv_round_trips(tmp_path):
    sandbox_command(tmp_path / "a.sqlite3", "--families", "50", "--seed", "3", "--export", str(tmp_path / "a.csv"))
    sandbox_command(tmp_path / "b.sqlite3", "--families", "50", "--seed", "3", "--export", str(tmp_path / "b.csv"))
    sandbox_command(tmp_path / "x.sqlite3", "--families", "50", "--seed", "4", "--export", str(tmp_path / "x.csv"))
    assert read(tmp_path / "a.csv") == read(tmp_path / "b.csv")
    assert read(tmp_path / "a.csv") != read(tmp_path / "x.csv")
    sandbox_command(tmp_path / "c.sqlite3", "--csv", str(tmp_path / "a.csv"), "--export", str(tmp_path / "c.csv"))
    assert read(tmp_path / "c.csv") == read(tmp_path / "a.csv")


def test_loading_a_csv_upserts_by_nik(tmp_path):
    people = read(DEMO_CSV)
    sandbox_command(tmp_path / "a.sqlite3", "--csv", str(DEMO_CSV))
    changed = tmp_path / "changed.csv"
    with open(changed, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(people[0]))
        writer.writeheader()
        writer.writerow({**people[0], "name": "Siti Rahmawati Putri"})
    out = sandbox_command(tmp_path / "a.sqlite3", "--csv", str(changed), "--export", str(tmp_path / "out.csv"))
    assert f"population: {len(people)}" in out
    exported = {p["nik"]: p for p in read(tmp_path / "out.csv")}
    assert exported[people[0]["nik"]]["name"] == "Siti Rahmawati Putri"
    assert exported[people[1]["nik"]] == people[1]


def test_ten_thousand_families_take_seconds(tmp_path):
    started = time.monotonic()
    out = sandbox_command(tmp_path / "big.sqlite3", "--families", "10000", "--seed", "1")
    assert time.monotonic() - started < 20  # two interpreter starts and a migrate included
    assert float(re.search(r"\(([\d.]+) s\)", out).group(1)) < 8
    assert int(re.search(r"population: (\d+)", out).group(1)) > 20_000


def test_the_command_needs_something_to_do(tmp_path):
    with pytest.raises(subprocess.CalledProcessError):
        sandbox_command(tmp_path / "a.sqlite3")


def test_demo_identities_are_real_looking_and_built_like_any_other():
    people = read(DEMO_CSV)
    assert {"nik", "kk", "name", "birth_date", "female", "district_code"} == set(people[0])
    assert len(people) >= 6
    for person in people:
        check_person(person)
        born, district = date.fromisoformat(person["birth_date"]), person["district_code"]
        assert person["nik"] == build_nik(district_code=district, birth_date=born, female=person["female"] == "true",
                                          serial=int(person["nik"][12:]))
        assert person["kk"] == build_kk(district_code=district, issued=issued(person["kk"]),
                                        serial=int(person["kk"][12:]))
    siti = people[0]
    assert (siti["name"], siti["birth_date"], siti["female"], siti["district_code"]) == (
        "Siti Rahmawati", "1995-03-12", "true", "327301")  # the demo applicant (Kota Bandung)
    assert len({p["nik"][:2] for p in people}) >= 4  # several provinces
    kks = [p["kk"] for p in people]
    assert len(set(kks)) < len(kks)  # a couple shares a family card
