"""Reads of the selection: the run's report (SEL-5) and the published draw (SEL-4)."""

from collections.abc import Iterator

from django.db.models import Count, Q

from prakerja.waves.models import Application, ProvinceQuota, Wave
from prakerja.waves.states import ApplicationStatus as S

DRAW_COLUMNS = ["pseudonym", "province", "pool", "pool_quota", "priority", "result"]


def _national_pool(wave: Wave, provincial: dict) -> int:
    return max(0, wave.national_quota - sum(provincial.values()))


def run_report(*, wave: Wave) -> dict:
    """Counts per stage and reason and per province: grouped queries, no personal data."""
    applications = Application.objects.filter(wave=wave)
    by_reason = list(applications.exclude(decided_stage="").values("decided_stage", "reason_code")
                     .annotate(count=Count("id")).order_by("decided_stage", "reason_code"))
    provincial = dict(ProvinceQuota.objects.filter(wave=wave).values_list("province__code", "quota"))
    by_province = [
        {"code": row["province__code"], "name": row["province__name"], "applied": row["applied"],
         "eligible": row["eligible"], "passed": row["passed"], "quota": provincial.get(row["province__code"])}
        for row in applications.values("province__code", "province__name").annotate(
            applied=Count("id"), eligible=Count("id", filter=Q(decided_stage="SEL-4")),
            passed=Count("id", filter=Q(status__in=[S.PASSED, S.REVOKED], decided_stage="SEL-4")),
        ).order_by("province__code")
    ]
    totals = applications.aggregate(
        applied=Count("id"), withdrawn=Count("id", filter=Q(status=S.WITHDRAWN)),
        eligible=Count("id", filter=Q(decided_stage="SEL-4")),
        passed=Count("id", filter=Q(status__in=[S.PASSED, S.REVOKED], decided_stage="SEL-4")))
    return {**totals, "quota": wave.national_quota, "national_pool": _national_pool(wave, provincial),
            "provincial_quotas": provincial, "by_reason": by_reason, "by_province": by_province}


def draw_rows(*, wave: Wave) -> Iterator[list]:
    """The published draw: every application that reached SEL-4, under its pseudonym only."""
    provincial = dict(ProvinceQuota.objects.filter(wave=wave).values_list("province__code", "quota"))
    national = _national_pool(wave, provincial)
    rows = (Application.objects.filter(wave=wave, decided_stage="SEL-4").order_by("pseudonym")
            .values_list("pseudonym", "province__code", "priority", "status"))
    for pseudonym, province, priority, status in rows.iterator(chunk_size=5000):
        own = province in provincial
        yield [pseudonym, province, province if own else "national", provincial[province] if own else national,
               1 if priority else 0, "passed" if status in (S.PASSED, S.REVOKED) else "not_drawn"]
