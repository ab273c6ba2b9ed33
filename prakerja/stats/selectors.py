"""Reads of the statistics (OPS-3), for the operators' pages and for the public figures.

Everything here reads ``DailyCount`` (a few grouped queries over the ``stats_read`` index) or, for
selection outcomes, the report each selection run stored (``SelectionRun.report``, the numbers the
public results page shows): never the domain tables, so a page costs the same at any scale. The
public pages (issue 13) call the same functions and pass their counts through
``selection.views.public_count`` (1 to 9 shown as "<10").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Max, Sum
from django.utils import timezone

from prakerja.regions.models import Province
from prakerja.selection.models import RunStatus, SelectionRun
from prakerja.stats.metrics import (
    ANSWER_BUCKETS,
    COMPLAINTS,
    FUNNEL,
    METRICS,
    TRAININGS,
    WIB,
    codes,
    complaint_code,
)
from prakerja.stats.models import ALL_PROVINCES, ALL_WAVES, DailyCount, Freshness
from prakerja.waves.models import Wave


@dataclass(frozen=True)
class Filters:
    wave: int = ALL_WAVES  # a wave's number, or 0 for the whole programme
    province: str | None = None  # a province code; "" for "unknown"; None for every province
    date_from: date | None = None
    date_to: date | None = None


def _counts(filters: Filters, metric_codes: list[str], *, per_province: bool = False):
    """The rows of the filters: one province's, each province's (``per_province``), or their sums ("*")."""
    rows = DailyCount.objects.filter(wave_number=filters.wave, metric__in=metric_codes)
    if filters.date_from:
        rows = rows.filter(day__gte=filters.date_from)
    if filters.date_to:
        rows = rows.filter(day__lte=filters.date_to)
    if filters.province is not None:
        return rows.filter(province_code=filters.province)
    if per_province:
        return rows.exclude(province_code=ALL_PROVINCES)
    return rows.filter(province_code=ALL_PROVINCES)


def by_province(filters: Filters, metric_codes: list[str]) -> dict[str, dict[str, int]]:
    """{province code: {metric: sum over the days}}: one grouped query."""
    result: dict[str, dict[str, int]] = defaultdict(dict)
    grouped = (_counts(filters, metric_codes, per_province=True).values("province_code", "metric")
               .annotate(total=Sum("value")).order_by())
    for row in grouped:
        result[row["province_code"]][row["metric"]] = row["total"]
    return dict(result)


def by_metric(filters: Filters, metric_codes: list[str]) -> dict[str, int]:
    """{metric: sum over the days and provinces} (every metric, 0 when nothing was counted): one query."""
    summed = dict.fromkeys(metric_codes, 0)
    for row in _counts(filters, metric_codes).values("metric").annotate(total=Sum("value")).order_by():
        summed[row["metric"]] = row["total"]
    return summed


def by_day(filters: Filters, metric_codes: list[str]) -> dict[date, dict[str, int]]:
    """{day: {metric: sum over the provinces}}: one grouped query."""
    result: dict[date, dict[str, int]] = defaultdict(dict)
    for row in _counts(filters, metric_codes).values("day", "metric").annotate(total=Sum("value")).order_by():
        result[row["day"]][row["metric"]] = row["total"]
    return dict(result)


def totals(per_province: dict[str, dict[str, int]], metric_codes: list[str]) -> dict[str, int]:
    summed = dict.fromkeys(metric_codes, 0)
    for values in per_province.values():
        for metric, value in values.items():
            summed[metric] = summed.get(metric, 0) + value
    return summed


def snapshot(filters: Filters, metric_codes: list[str]) -> tuple[date | None, dict[str, int]]:
    """The last snapshot day on or before ``date_to`` (and on or after ``date_from``), and its values."""
    flat = Filters(province=filters.province, date_from=filters.date_from, date_to=filters.date_to)
    day = _counts(flat, metric_codes).aggregate(last=Max("day"))["last"]
    if day is None:
        return None, {}
    return day, by_metric(Filters(province=filters.province, date_from=day, date_to=day), metric_codes)


def freshness() -> datetime | None:
    return Freshness.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()


def wave_choices() -> list[tuple[int, datetime, datetime]]:
    return list(Wave.objects.order_by("number").values_list("number", "opens_at", "closes_at"))


def province_names() -> dict[str, str]:
    return dict(Province.objects.order_by("code").values_list("code", "name"))


# --- periods for the time-series charts ------------------------------------------------------
def period_of(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day


def granularity_for(first: date, last: date) -> str:
    span = (last - first).days + 1
    return "day" if span <= 62 else "week" if span <= 731 else "month"


def periods(first: date, last: date, granularity: str) -> list[date]:
    found, day = [], period_of(first, granularity)
    while day <= last:
        found.append(day)
        if granularity == "day":
            day += timedelta(days=1)
        elif granularity == "week":
            day += timedelta(days=7)
        else:
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return found


def series(filters: Filters, metric_codes: list[str], *, today: date | None = None) -> dict:
    """Each metric per period (day, week or month, by the range's length), zeros included."""
    per_day = by_day(filters, metric_codes)
    today = today or timezone.localdate()
    last = filters.date_to or max([today, *per_day])
    first = filters.date_from or min([*per_day, last])
    granularity = granularity_for(first, last)
    points = periods(first, last, granularity)
    index = {period: n for n, period in enumerate(points)}
    values = {metric: [0] * len(points) for metric in metric_codes}
    for day, metrics in per_day.items():
        position = index.get(period_of(day, granularity))
        if position is None:
            continue
        for metric, value in metrics.items():
            values[metric][position] += value
    return {"granularity": granularity, "points": points, "values": values, "first": first, "last": last}


# --- sections ------------------------------------------------------------------------------
def funnel(filters: Filters) -> dict:
    metric_codes = codes(FUNNEL)
    per_province = by_province(filters, metric_codes)
    return {"metrics": metric_codes, "per_province": per_province, "totals": totals(per_province, metric_codes)}


def trainings(filters: Filters) -> dict:
    metric_codes = codes(TRAININGS)
    per_province = by_province(filters, metric_codes)
    return {"metrics": metric_codes, "per_province": per_province, "totals": totals(per_province, metric_codes)}


def complaints(filters: Filters) -> dict:
    """Per category: received, answers and their times (sums and buckets), open and overdue (snapshot)."""
    from prakerja.complaints.categories import Category

    flows = codes(COMPLAINTS, snapshot=False)
    summed = by_metric(Filters(province=filters.province, date_from=filters.date_from, date_to=filters.date_to),
                       flows)
    snapshot_day, snap_totals = snapshot(filters, codes(COMPLAINTS, snapshot=True))
    categories = []
    for category, label in Category.choices:
        def get(kind, category=category, source=summed):
            return source.get(complaint_code(kind, category), 0)

        answered = get("answered")
        categories.append({
            "code": category, "label": label, "received": get("received"), "answered": answered,
            "answer_seconds": get("answer_seconds"),
            "mean_hours": get("answer_seconds") / answered / 3600 if answered else None,
            "within": {h: get(f"within_{h}h") for h in ANSWER_BUCKETS},
            "median_within": median_bucket(answered, {h: get(f"within_{h}h") for h in ANSWER_BUCKETS}),
            "on_target": get("on_target"), "on_target_share": get("on_target") / answered if answered else None,
            "open": get("open", source=snap_totals), "overdue": get("overdue", source=snap_totals),
        })
    return {"categories": categories, "snapshot_day": snapshot_day}


def median_bucket(answered: int, within: dict[int, int]) -> int | None:
    """The smallest bucket (hours) holding at least half of the first answers; None past the last one."""
    if not answered:
        return None
    for hours in ANSWER_BUCKETS:
        if within.get(hours, 0) * 2 >= answered:
            return hours
    return None


def selection(filters: Filters, *, now: datetime | None = None) -> dict:
    """Selection outcomes from the runs' own reports (SEL-5), for waves whose results are public (WAV-6).

    Summed over the chosen waves; a wave's outcome belongs to the WIB day its results were
    published. The run's report counts stages and reasons nationally, so with a province chosen
    only the per-province figures (applied, eligible, passed) are given.
    """
    now = now or timezone.now()
    runs = (SelectionRun.objects.filter(status=RunStatus.DONE, wave__results_published_at__lte=now)
            .select_related("wave").only("report", "finished_at", "wave__number", "wave__national_quota",
                                         "wave__results_published_at").order_by("wave__number"))
    if filters.wave:
        runs = runs.filter(wave__number=filters.wave)
    if filters.date_from:
        runs = runs.filter(wave__results_published_at__gte=datetime.combine(filters.date_from, datetime.min.time(),
                                                                            tzinfo=WIB))
    if filters.date_to:
        runs = runs.filter(wave__results_published_at__lt=datetime.combine(
            filters.date_to + timedelta(days=1), datetime.min.time(), tzinfo=WIB))
    waves, reasons, provinces = [], defaultdict(int), {}
    summed = defaultdict(int)
    for run in runs:
        report = run.report or {}
        rows = report.get("by_province", [])
        if filters.province is not None:
            rows = [row for row in rows if row["code"] == filters.province]
        wave_row = {"number": run.wave.number, "published_at": run.wave.results_published_at,
                    "quota": report.get("quota") or run.wave.national_quota}
        if filters.province is None:
            for key in ("applied", "withdrawn", "eligible", "passed"):
                wave_row[key] = report.get(key) or 0
            for row in report.get("by_reason", []):
                reasons[(row["decided_stage"], row["reason_code"])] += row["count"]
        else:
            for key in ("applied", "eligible", "passed"):
                wave_row[key] = sum(row.get(key) or 0 for row in rows)
            wave_row["withdrawn"] = None
            quota = report.get("provincial_quotas", {}).get(filters.province)
            wave_row["quota"] = quota
        for key in ("applied", "withdrawn", "eligible", "passed"):
            summed[key] += wave_row[key] or 0
        for row in rows:
            place = provinces.setdefault(row["code"], {"code": row["code"], "name": row["name"], "applied": 0,
                                                       "eligible": 0, "passed": 0})
            for key in ("applied", "eligible", "passed"):
                place[key] += row.get(key) or 0
        waves.append(wave_row)
    reason_rows = [{"stage": stage, "code": code, "count": count} for (stage, code), count in sorted(reasons.items())]
    return {"waves": waves, "totals": dict(summed), "reasons": reason_rows,
            "provinces": sorted(provinces.values(), key=lambda row: row["code"]),
            "national_reasons": filters.province is None}


def csv_rows(filters: Filters, metric_codes: list[str]) -> Iterator[tuple]:
    """The section's daily counts per province for the export: day, province, metric, value; in chunks."""
    return (_counts(filters, metric_codes, per_province=True).order_by("day", "province_code", "metric")
            .values_list("day", "province_code", "metric", "value").iterator(chunk_size=5000))


def metric_label(code: str) -> str:
    metric = METRICS.get(code)
    return str(metric.label) if metric else code
