"""The sandbox civil registry's synthetic population.

Families live under one KK number; every NIK is well formed (region code of
a real regency from the platform's Kemendagri CSV with a district 01-10,
birth date with day + 40 for women, a serial unique for its district and
birth date). Generation is deterministic for a seed and a starting
population, so tests and demos can name people. Fixed demo identities
(data/demo_population.csv) are loaded on every start.

The sandbox reads the regions CSV as a file and imports only the pure
``registry.nik`` module: it must never touch the platform's models, settings
or database.
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
BATCH = 2000

GIVEN_F = ["Siti", "Dewi", "Rina", "Ayu", "Putri", "Nur", "Sri", "Indah", "Fitri", "Wulan", "Lestari", "Ratna",
           "Yuni", "Maya", "Intan", "Dian", "Rahma", "Anisa", "Kartika", "Mega", "Eka", "Novita", "Sari", "Endang"]
GIVEN_M = ["Budi", "Agus", "Andi", "Rudi", "Joko", "Eko", "Bambang", "Dedi", "Hendra", "Yusuf", "Rizky", "Fajar",
           "Arif", "Dimas", "Ahmad", "Bayu", "Teguh", "Wahyu", "Adi", "Imam", "Made", "Ketut", "Reza", "Irfan"]
FAMILY = ["Santoso", "Wijaya", "Saputra", "Pratama", "Hidayat", "Nugroho", "Siregar", "Harahap", "Lubis",
          "Simanjuntak", "Wibowo", "Kurniawan", "Setiawan", "Susanto", "Purnomo", "Tanjung", "Nasution", "Gunawan",
          "Halim", "Sitorus", "Manurung", "Pangaribuan", "Sinaga", "Firmansyah", "Ramadhan", "Hakim"]

PARENTS_BORN = (date(1960, 1, 1), date(2000, 12, 31))
CHILDREN_BORN_BY = date(2007, 12, 31)  # so most children are 18 or older, and can register
LAST_KK_ISSUE = date(2025, 6, 30)


def regency_codes() -> list[str]:
    with open(REGIONS_CSV, newline="", encoding="utf-8") as handle:
        return [row["code"] for row in csv.DictReader(handle) if row["level"] == "regency"]


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _years_after(day: date, years: int) -> date:
    if (day.month, day.day) == (2, 29):
        return date(day.year + years, 3, 1)
    return day.replace(year=day.year + years)


def _family(rng: random.Random) -> list[tuple[bool, date]]:
    """(female, birth date) of each member, the head first."""
    head_female = rng.random() < 0.12  # some households are headed by a woman
    head_born = _between(rng, *PARENTS_BORN)
    members = [(head_female, head_born)]
    if rng.random() < 0.8:  # a spouse of the other sex, of a similar age
        first = max(PARENTS_BORN[0], head_born - timedelta(days=6 * 365))
        last = min(PARENTS_BORN[1], head_born + timedelta(days=6 * 365))
        members.append((not head_female, _between(rng, first, last)))
    first_child = _years_after(max(born for _, born in members), 18)
    if first_child <= CHILDREN_BORN_BY:
        last_child = min(CHILDREN_BORN_BY, _years_after(head_born, 42))
        for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
            if len(members) < 5:
                members.append((rng.random() < 0.5, _between(rng, first_child, max(first_child, last_child))))
    return members


def generate(*, families: int, seed: int) -> list[Person]:
    """Add ``families`` households; the same seed on the same starting population gives the same people."""
    rng = random.Random(seed)
    regencies = regency_codes()
    used_nik: set[str] = set(Person.objects.values_list("nik", flat=True))
    used_kk: set[str] = set(Person.objects.values_list("kk", flat=True))
    people: list[Person] = []

    def first_free(used: set[str], build, **facts) -> str:
        for serial in range(1, 10000):
            number = build(serial=serial, **facts)
            if number not in used:
                used.add(number)
                return number
        raise RuntimeError("no serial left for this district and date")

    for _ in range(families):
        district = f"{rng.choice(regencies)}{rng.randint(1, 10):02d}"
        surname = rng.choice(FAMILY)
        members = _family(rng)
        # The KK is reissued whenever the household changes, so the current
        # one dates from after its youngest member's birth (and from after
        # the head came of age).
        youngest = max(born for _, born in members)
        issued = _between(rng, max(youngest + timedelta(days=30), _years_after(members[0][1], 18),
                                   date(2000, 1, 1)), LAST_KK_ISSUE)
        kk = first_free(used_kk, build_kk, district_code=district, issued=issued)
        for female, born in members:
            name = f"{rng.choice(GIVEN_F if female else GIVEN_M)} {surname}"
            nik = first_free(used_nik, build_nik, district_code=district, birth_date=born, female=female)
            people.append(Person(nik=nik, kk=kk, name=name, birth_date=born, female=female,
                                 district_code=district))
    with transaction.atomic():
        Person.objects.bulk_create(people, batch_size=BATCH)
    return people


def _row_to_fields(row: dict) -> dict:
    return {"kk": row["kk"].strip(), "name": row["name"].strip(),
            "birth_date": date.fromisoformat(row["birth_date"].strip()),
            "female": row["female"].strip().lower() in ("1", "true", "yes"),
            "district_code": row["district_code"].strip()}


def load_csv(path: Path) -> int:
    """Upsert people by NIK from a CSV with the columns in FIELDS; returns the number of rows."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = {row["nik"].strip(): _row_to_fields(row) for row in csv.DictReader(handle)}
    with transaction.atomic():
        niks = list(rows)
        existing = {p.nik: p for i in range(0, len(niks), 900) for p in Person.objects.filter(nik__in=niks[i:i + 900])}
        changed = []
        for nik, fields in rows.items():
            person = existing.get(nik)
            if person and any(getattr(person, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(person, k, v)
                changed.append(person)
        Person.objects.bulk_update(changed, list(FIELDS[1:]), batch_size=BATCH)
        Person.objects.bulk_create([Person(nik=nik, **fields) for nik, fields in rows.items() if nik not in existing],
                                   batch_size=BATCH)
    return len(rows)


def export_csv(path: Path) -> int:
    count = 0
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for person in Person.objects.order_by("kk", "birth_date", "nik").iterator(chunk_size=BATCH):
            writer.writerow([person.nik, person.kk, person.name, person.birth_date.isoformat(),
                             "true" if person.female else "false", person.district_code])
            count += 1
    return count


def demo_niks() -> list[str]:
    with open(DEMO_CSV, newline="", encoding="utf-8") as handle:
        return [row["nik"] for row in csv.DictReader(handle)]
