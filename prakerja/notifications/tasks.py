from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from prakerja.notifications import services


@db_task()
def deliver_message(message_id: int) -> str:
    return services.message_deliver(message_id=message_id)


@db_periodic_task(crontab(minute="*"))
def sweep_messages() -> int:
    return services.messages_sweep()
