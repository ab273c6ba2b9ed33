"""The sandbox civil registry: population generator and the verify endpoint."""

import csv
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import httpx
import pytest

from prakerja.registry.nik import parse_nik, validate_kk

ROOT = Path(__file__).resolve().parents[2]
REGENCIES = {row["code"] for row in csv.DictReader(open(ROOT / "prakerja/regions/data/wilayah-kepmendagri-2025.csv"))
             if row["level"] == "regency"}
KEY = {"Authorization": "Bearer sandbox-dukcapil-key"}


def sandbox_command(db, *args):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "prakerja.sandbox.settings", "SANDBOX_DB": str(db)}
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    return subprocess.run([sys.executable, "-m", "django", "sandbox_population", *args], env=env, cwd=ROOT,
                          check=True, capture_output=True, text=True).stdout


def read(path):
    return list(csv.DictReader(open(path)))


def test_generated_people_have_valid_numbers_and_families(tmp_path):
    sandbox_command(tmp_path / "a.sqlite3", "--families", "300", "--seed", "7", "--export", str(tmp_path / "a.csv"))
    people = read(tmp_path / "a.csv")
    assert len(people) >= 300
    for person in people:
        info = parse_nik(person["nik"])
        validate_kk(person["kk"])
        assert info.regency_code in REGENCIES
        assert info.matches_birth_date(date.fromisoformat(person["birth_date"]))
        assert info.female == (person["female"] == "true")
    families = Counter(p["kk"] for p in people)
    assert len(families) == 300 and max(families.values()) > 1
    assert len({p["nik"] for p in people}) == len(people)


def test_generation_is_deterministic_and_csv_round_trips(tmp_path):
    sandbox_command(tmp_path / "a.sqlite3", "--families", "50", "--seed", "3", "--export", str(tmp_path / "a.csv"))
    sandbox_command(tmp_path / "b.sqlite3", "--families", "50", "--seed", "3", "--export", str(tmp_path / "b.csv"))
    assert read(tmp_path / "a.csv") == read(tmp_path / "b.csv")
    sandbox_command(tmp_path / "c.sqlite3", "--csv", str(tmp_path / "a.csv"), "--export", str(tmp_path / "c.csv"))
    assert read(tmp_path / "c.csv") == read(tmp_path / "a.csv")


def test_demo_people_are_there(sandbox):
    names = {p["name"] for p in sandbox.people(limit=6)}
    assert {"Siti Rahmawati", "Budi Santoso", "Dewi Lestari"} <= names


def test_verify_endpoint_guards_its_input(sandbox):
    url = f"{sandbox.url}/dukcapil/verify"
    assert httpx.post(url, json={}).status_code == 401
    assert httpx.post(url, content=b"nope", headers=KEY).status_code == 400
    assert httpx.post(url, json={"nik": "1", "kk": "2", "name": "x", "birth_date": "kemarin"},
                      headers=KEY).status_code == 400


@pytest.mark.parametrize("mode", ["500", "400"])
def test_verify_endpoint_faults(sandbox, mode):
    sandbox.fault("dukcapil", mode)
    body = {"nik": "3273015203950001", "kk": "3273010108160001", "name": "Siti Rahmawati", "birth_date": "1995-03-12"}
    assert httpx.post(f"{sandbox.url}/dukcapil/verify", json=body, headers=KEY).status_code == int(mode)
    assert httpx.post(f"{sandbox.url}/dukcapil/verify", json=body, headers=KEY).json() == {"match": True,
                                                                                            "reasons": []}
