"""The statistics' periodic recount (OPS-3): safe to run twice, at once or in a row (services.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from prakerja.stats import services


@db_periodic_task(crontab(minute="*/10"))
def refresh_stats() -> int:
    """Recount the last few WIB days, so the pages are at most 10 minutes behind."""
    return services.stats_refresh_recent()


@db_periodic_task(crontab(minute="40", hour="19"))  # 02:40 WIB
def recount_last_month() -> int:
    """Nightly: recount the last ``NIGHTLY_DAYS`` days. The 10-minute refresh keeps only today and
    yesterday; an older step can still change how it is counted (a domicile given later moves a
    registration out of "unknown", a rejection later takes back a verified NIK), so history is at
    most a day behind such changes."""
    return services.stats_recount_last_month()
