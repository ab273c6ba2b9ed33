"""The statistics' periodic recount (OPS-3): safe to run twice, at once or in a row (services.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from prakerja.stats import services


@db_periodic_task(crontab(minute="*/10"))
def refresh_stats() -> int:
    """Recount the last few WIB days, so the pages are at most 10 minutes behind."""
    return services.stats_refresh_recent()
