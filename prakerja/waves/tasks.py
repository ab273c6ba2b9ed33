from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from prakerja.waves.services import waves_close_due


@db_periodic_task(crontab(minute="*"))
def close_due_waves() -> list[int]:
    return waves_close_due()
