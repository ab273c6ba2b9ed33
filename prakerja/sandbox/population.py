"""The sandbox civil registry's synthetic population.

Families live under one KK number; every NIK is well formed (region code of
a real regency from the platform's Kemendagri CSV, birth date with day + 40
for women, unique serial). Generation is deterministic for a seed, so tests
and demos can name people. Fixed demo identities (data/demo_population.csv)
are loaded on every start.
"""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction

from prakerja.registry.nik import build_kk, build_nik
from prakerja.sandbox.models import Person

ROOT = Path(__file__).resolve().parent.parent
REGIONS_CSV = ROOT / "regions" / "data" / "wilayah-kepmendagri-2025.csv"
DEMO_CSV = Path(__file__).resolve().parent / "data" / "demo_population.csv"
FIELDS = ["nik", "kk", "name", "birth_date", "female", "district_code"]

GIVEN_F = ["Siti", "Dewi", "Rina", "Ayu", "Putri", "Nur", "Sri", "Indah", "Fitri", "Wulan", "Lestari", "Ratna",
           "Yuni", "Maya", "Intan", "Dian", "Rahma", "Anisa", "Kartika", "Mega"]
GIVEN_M = ["Budi", "Agus", "Andi", "Rudi", "Joko", "Eko", "Bambang", "Dedi", "Hendra", "Yusuf", "Rizky", "Fajar",
           "Arif", "Dimas", "Ahmad", "Bayu", "Teguh", "Wahyu", "Adi", "Imam"]
FAMILY = ["Santoso", "Wijaya", "Saputra", "Pratama", "Hidayat", "Nugroho", "Siregar", "Harahap", "Lubis",
          "Simanjuntak", "Wibowo", "Kurniawan", "Setiawan", "Susanto", "Rahmawati", "Purnomo", "Tanjung",
          "Nasution", "Gunawan", "Halim"]


def regency_codes() -> list[str]:
    with open(REGIONS_CSV, newline="", encoding="utf-8") as handle:
        return [row["code"] for row in csv.DictReader(handle) if row["level"] == "regency"]


def _birth(rng: random.Random, start: int, end: int) -> date:
    first = date(start, 1, 1)
    return first + timedelta(days=rng.randrange((date(end, 12, 31) - first).days))


def generate(*, families: int, seed: int) -> list[Person]:
    rng = random.Random(seed)
    regencies = regency_codes()
    used: set[str] = set(Person.objects.values_list("nik", flat=True))
    used_kk: set[str] = set(Person.objects.values_list("kk", flat=True))
    people: list[Person] = []

    def nik_for(district: str, born: date, female: bool) -> str:
        for serial in range(1, 10000):
            nik = build_nik(district_code=district, birth_date=born, female=female, serial=serial)
            if nik not in used:
                used.add(nik)
                return nik
        raise RuntimeError("district full")

    for _ in range(families):
        district = f"{rng.choice(regencies)}{rng.randint(1, 10):02d}"
        family = rng.choice(FAMILY)
        head_born = _birth(rng, 1960, 2000)
        issued = _birth(rng, max(head_born.year + 18, 2000), 2024)
        kk = next(k for k in (build_kk(district_code=district, issued=issued, serial=s) for s in range(1, 10000))
                  if k not in used_kk)
        used_kk.add(kk)
        members = [(False, head_born)]
        if rng.random() < 0.8:
            members.append((True, _birth(rng, head_born.year - 3, min(head_born.year + 5, 2000))))
        for _child in range(rng.choice([0, 1, 1, 2, 2, 3])):
            members.append((rng.random() < 0.5, _birth(rng, head_born.year + 18, min(head_born.year + 40, 2024))))
        if rng.random() < 0.1:  # some households are headed by a woman alone
            members[0] = (True, head_born)
        for female, born in members:
            given = rng.choice(GIVEN_F if female else GIVEN_M)
            people.append(Person(nik=nik_for(district, born, female), kk=kk, name=f"{given} {family}",
                                 birth_date=born, female=female, district_code=district))
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=2000)
    return people


def load_csv(path: Path) -> int:
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    with transaction.atomic():
        for row in rows:
            Person.objects.update_or_create(nik=row["nik"], defaults={
                "kk": row["kk"], "name": row["name"], "birth_date": date.fromisoformat(row["birth_date"]),
                "female": row["female"].lower() in ("1", "true", "yes"), "district_code": row["district_code"]})
    return len(rows)


def export_csv(path: Path) -> int:
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for person in Person.objects.order_by("kk", "birth_date").iterator():
            writer.writerow([person.nik, person.kk, person.name, person.birth_date.isoformat(),
                             "true" if person.female else "false", person.district_code])
            count += 1
    return count
