from huey import crontab
from huey.contrib.djhuey import periodic_task

from prakerja.web.health import worker_heartbeat


@periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    worker_heartbeat()
