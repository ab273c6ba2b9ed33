from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from prakerja.notifications import services


@db_task()
def deliver_message(message_id: int) -> str:
    return services.message_deliver(message_id=message_id)


@db_task()
def deliver_messages(message_ids: list[int]) -> int:
    """Many messages in one task: what a bulk write (the announcement) enqueues per chunk."""
    for message_id in message_ids:
        services.message_deliver(message_id=message_id)
    return len(message_ids)


@db_periodic_task(crontab(minute="*"))
def sweep_messages() -> int:
    return services.messages_sweep()
