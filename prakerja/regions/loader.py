"""Read a Kemendagri CSV (``code,name,level``) and copy it into the tables.

Used by the refresh service and by the post-migrate hook that reloads the
shipped list after a flush. The migrations keep their own copies of this
logic, because they run against historical models.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "wilayah-kepmendagri-2025.csv"
HEADER = ["code", "name", "level"]


class RegionFileError(ValueError):
    pass


def kind_for_name(name: str) -> str:
    """"kota" or "kabupaten", from the official name.

    Every city in the decree is named "Kota ..." (Jakarta's five are "Kota
    Administrasi ..."), every regency "Kabupaten ..."; anything else means
    the file is not what we think it is.
    """
    if name.startswith("Kota "):
        return "kota"
    if name.startswith("Kabupaten "):
        return "kabupaten"
    raise RegionFileError(f"{name!r} is named neither 'Kabupaten ...' nor 'Kota ...'")


def read_rows(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Provinces and regencies of the file, each as {code: name}; refuses a file that is not self-consistent."""
    provinces: dict[str, str] = {}
    regencies: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != HEADER:
            raise RegionFileError("the header must be exactly: code,name,level")
        for number, row in enumerate(reader, start=2):
            code, name, level = (row[column].strip() for column in HEADER)
            target = {("province", 2): provinces, ("regency", 4): regencies}.get((level, len(code)))
            if target is None or not code.isdigit() or not name:
                raise RegionFileError(f"line {number}: not a valid province or regency row")
            if code in target:
                raise RegionFileError(f"line {number}: code {code} appears twice")
            if target is regencies:
                kind_for_name(name)
            target[code] = name
    orphans = sorted(code for code in regencies if code[:2] not in provinces)
    if orphans:
        raise RegionFileError(f"regencies without a province: {', '.join(orphans[:10])}")
    return provinces, regencies


@dataclass
class Changes:
    added: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def apply(province_model, regency_model, provinces: dict[str, str], regencies: dict[str, str]) -> Changes:
    """Make the tables equal to the file: add, rename, delete.

    Deletes without asking; the refresh service checks references first.
    """
    changes = Changes()
    existing = {p.code: p for p in province_model.objects.all()}
    new_provinces = [province_model(code=code, name=name) for code, name in provinces.items() if code not in existing]
    province_model.objects.bulk_create(new_provinces)
    changes.added += [p.code for p in new_provinces]
    # bulk_create sets primary keys on PostgreSQL and SQLite, but read them
    # back so the regencies below point at real rows on any backend.
    existing = {p.code: p for p in province_model.objects.all()}
    for code, name in provinces.items():
        if existing[code].name != name and code not in changes.added:
            province_model.objects.filter(pk=existing[code].pk).update(name=name)
            changes.renamed.append(code)

    current = {r.code: r for r in regency_model.objects.all()}
    new_regencies = [regency_model(code=code, name=name, kind=kind_for_name(name), province=existing[code[:2]])
                     for code, name in regencies.items() if code not in current]
    regency_model.objects.bulk_create(new_regencies)
    changes.added += [r.code for r in new_regencies]
    for code, name in regencies.items():
        if code in current and current[code].name != name:
            regency_model.objects.filter(pk=current[code].pk).update(name=name, kind=kind_for_name(name))
            changes.renamed.append(code)

    gone_regencies = sorted(code for code in current if code not in regencies)
    regency_model.objects.filter(code__in=gone_regencies).delete()
    gone_provinces = sorted(code for code in existing if code not in provinces)
    province_model.objects.filter(code__in=gone_provinces).delete()
    changes.removed = gone_regencies + gone_provinces
    return changes
