"""Read the Kemendagri CSV and apply it to the tables (migration and refresh command)."""

import csv
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "wilayah-kepmendagri-2025.csv"


class RegionFileError(ValueError):
    pass


def read_rows(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    provinces, regencies = {}, {}
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["code", "name", "level"]:
            raise RegionFileError("the header must be exactly: code,name,level")
        for number, row in enumerate(reader, start=2):
            code, name, level = row["code"].strip(), row["name"].strip(), row["level"].strip()
            if level == "province" and len(code) == 2 and code.isdigit() and name:
                provinces[code] = name
            elif level == "regency" and len(code) == 4 and code.isdigit() and name:
                regencies[code] = name
            else:
                raise RegionFileError(f"line {number}: not a valid province or regency row")
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
    """Make the tables equal to the file: add, rename, delete (the caller checks deletions first)."""
    changes = Changes()
    existing = {p.code: p for p in province_model.objects.all()}
    for code, name in provinces.items():
        if code not in existing:
            existing[code] = province_model.objects.create(code=code, name=name)
            changes.added.append(code)
        elif existing[code].name != name:
            province_model.objects.filter(pk=existing[code].pk).update(name=name)
            changes.renamed.append(code)
    current = {r.code: r for r in regency_model.objects.all()}
    new = [regency_model(code=code, name=name, province=existing[code[:2]])
           for code, name in regencies.items() if code not in current]
    regency_model.objects.bulk_create(new)
    changes.added += [r.code for r in new]
    for code, name in regencies.items():
        if code in current and current[code].name != name:
            regency_model.objects.filter(pk=current[code].pk).update(name=name)
            changes.renamed.append(code)
    gone = [code for code in current if code not in regencies]
    regency_model.objects.filter(code__in=gone).delete()
    gone_provinces = [code for code in existing if code not in provinces]
    province_model.objects.filter(code__in=gone_provinces).delete()
    changes.removed = gone + gone_provinces
    return changes
