"""Keeping the daily counters (OPS-3): recount days from the domain tables, set-based.

``stats_refresh`` recounts a range of WIB days in one transaction: DELETE the range's rows, then
one grouped query per metric (and per wave slice) whose few result rows (days x provinces) are
inserted with ``bulk_create``. No domain row is ever loaded into Python, so the cost is the
grouped scans, whatever the number of applications. Running it twice gives the same rows.

The periodic task recounts the last ``RECENT_DAYS`` days every 10 minutes;
``manage.py rebuild_stats`` recounts any range in chunks of ``CHUNK_DAYS`` days, one transaction
each, so a rebuild of years at 10 million applications never holds one long transaction.

Open and overdue tickets are a snapshot: only the refresh that covers today writes them (on
today), and a recount of past days leaves the snapshots those days kept.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from prakerja.stats.metrics import SNAPSHOT_CODES, Row, day_start, rows_between, snapshot_rows
from prakerja.stats.models import ALL_PROVINCES, DailyCount, Freshness

# Today and yesterday (WIB): every step is counted on the day of its own timestamp, so only days
# that can still change are recounted; yesterday, for a step just before midnight that the last run
# before midnight missed. ``rebuild_stats`` recounts anything older.
RECENT_DAYS = 2
CHUNK_DAYS = 31
BATCH = 2000


def _lock_freshness() -> Freshness:
    # bulk_create with ignore_conflicts: the one row exists afterwards, whoever made it; its lock
    # then puts a periodic refresh and a rebuild one after the other (no unique-key clash).
    Freshness.objects.bulk_create([Freshness(pk=1)], ignore_conflicts=True)
    return Freshness.objects.select_for_update().get(pk=1)


def _with_all_provinces(rows: Iterable[Row]) -> list[DailyCount]:
    """The rows, and per (day, metric, wave) one more with every province summed (ALL_PROVINCES)."""
    made, summed = [], Counter()
    for day, metric, wave, province, value in rows:
        made.append(DailyCount(day=day, metric=metric, wave_number=wave, province_code=province, value=value))
        summed[(day, metric, wave)] += value
    made += [DailyCount(day=day, metric=metric, wave_number=wave, province_code=ALL_PROVINCES, value=value)
             for (day, metric, wave), value in summed.items()]
    return made


def stats_refresh(*, first_day: date, last_day: date, now: datetime | None = None) -> int:
    """Recount the WIB days ``first_day``..``last_day`` (inclusive); the number of rows written."""
    if last_day < first_day:
        raise ValueError("last_day is before first_day")
    now = now or timezone.now()
    today = timezone.localdate(now)
    with transaction.atomic():
        freshness = _lock_freshness()
        DailyCount.objects.filter(day__gte=first_day, day__lte=last_day).exclude(metric__in=SNAPSHOT_CODES).delete()
        rows = _with_all_provinces(rows_between(day_start(first_day), day_start(last_day + timedelta(days=1))))
        if first_day <= today <= last_day:
            DailyCount.objects.filter(day=today, metric__in=SNAPSHOT_CODES).delete()
            rows += _with_all_provinces(snapshot_rows(today, now))
        DailyCount.objects.bulk_create(rows, batch_size=BATCH)
        freshness.refreshed_at = now
        freshness.first_day, freshness.last_day = first_day, last_day
        freshness.save(update_fields=["refreshed_at", "first_day", "last_day"])
    return len(rows)


def stats_refresh_recent(*, now: datetime | None = None) -> int:
    """The periodic recount: today and the ``RECENT_DAYS - 1`` days before it (WIB)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return stats_refresh(first_day=today - timedelta(days=RECENT_DAYS - 1), last_day=today, now=now)


def first_event_day() -> date | None:
    """The earliest day anything counted happened: registrations come first."""
    from prakerja.accounts.models import User

    first = User.objects.filter(is_staff=False).order_by("date_joined").values_list("date_joined", flat=True).first()
    return timezone.localdate(first) if first else None


NIGHTLY_DAYS = 35


def stats_recount_last_month(*, now: datetime | None = None) -> int:
    """The nightly recount: the last ``NIGHTLY_DAYS`` WIB days (see tasks.recount_last_month)."""
    today = timezone.localdate(now) if now else timezone.localdate()
    return stats_rebuild(since=today - timedelta(days=NIGHTLY_DAYS - 1), until=today)


def stats_rebuild(*, since: date | None = None, until: date | None = None, chunk_days: int = CHUNK_DAYS,
                  progress=None) -> int:
    """Recount ``since``..``until`` (default: from the first registration to today), chunk by chunk."""
    until = until or timezone.localdate()
    since = since or first_event_day() or until
    written = 0
    first = since
    while first <= until:
        last = min(until, first + timedelta(days=chunk_days - 1))
        count = stats_refresh(first_day=first, last_day=last)
        written += count
        if progress:
            progress(first, last, count)
        first = last + timedelta(days=1)
    return written
