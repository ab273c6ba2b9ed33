from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from prakerja.retention.services import retention_run


@db_periodic_task(crontab(minute="41", hour="19"))  # 02:41 WIB, nightly, away from the other nightly jobs
def apply_retention() -> dict:
    """PRV-8: each batch commits and is audited on its own, so a second run only finishes the first."""
    from django.conf import settings

    if not settings.RETENTION["ENABLED"]:
        return {}
    return retention_run(dry_run=False)
