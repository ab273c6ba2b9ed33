from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from prakerja.partners import webhooks
from prakerja.partners.services import idempotency_records_prune


@db_task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt; a retry is scheduled here (the sweeper would find it too, a minute later at worst)."""
    outcome = webhooks.webhook_deliver(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        deliver_webhook.schedule((delivery_id,), delay=outcome.retry_in.total_seconds())
    return outcome.status


@db_task()
def deliver_webhooks(delivery_ids: list[int]) -> int:
    """What a set-based enqueue (a revocation chunk) hands over: one task, each row attempted once."""
    for delivery_id in delivery_ids:
        outcome = webhooks.webhook_deliver(delivery_id=delivery_id)
        if outcome.retry_in is not None:
            deliver_webhook.schedule((delivery_id,), delay=outcome.retry_in.total_seconds())
    return len(delivery_ids)


@db_periodic_task(crontab(minute="*"))
def sweep_webhooks() -> int:
    ids = webhooks.webhooks_sweep()
    if ids:
        deliver_webhooks(ids)
    return len(ids)


@db_periodic_task(crontab(minute="17", hour="20"))  # 03:17 WIB, when partners are quietest
def prune_idempotency_records() -> int:
    return idempotency_records_prune()
