"""Reads for the operators' card pages (CRD-5, WAV-1): the places revocation gave back.

Beside ``selectors.py`` (the participant's reads) so the two pages can
change apart.
"""

from django.db.models import Count

from prakerja.waves.models import Application, Wave
from prakerja.waves.states import ApplicationStatus


def revoked_places(*, wave: Wave | None = None) -> list[dict]:
    """Revoked participants per wave and province (the province they joined from, which quotas use).

    One grouped query over the applications, whatever the number of waves
    and provinces; a place is given back whether the deadline sweep or an
    operator revoked it.
    """
    rows = Application.objects.filter(status=ApplicationStatus.REVOKED)
    if wave is not None:
        rows = rows.filter(wave=wave)
    return list(rows.values("wave_id", "wave__number", "province__code", "province__name")
                .annotate(revoked=Count("id")).order_by("-wave__number", "province__code"))


def revoked_by_wave(rows: list[dict]) -> list[dict]:
    """``revoked_places`` rows folded per wave: number, total and its provinces, newest wave first."""
    waves: dict[int, dict] = {}
    for row in rows:
        wave = waves.setdefault(row["wave_id"], {"id": row["wave_id"], "number": row["wave__number"],
                                                 "total": 0, "provinces": []})
        wave["total"] += row["revoked"]
        wave["provinces"].append({"code": row["province__code"], "name": row["province__name"],
                                  "revoked": row["revoked"]})
    return list(waves.values())
