"""Two workers delivering the same webhook at once (PostgreSQL, real threads): only one POSTs."""

import pytest
from django.utils import timezone

from prakerja.partners import webhooks
from prakerja.partners.models import WebhookDelivery, WebhookStatus
from tests.partners.test_webhooks import Receiver
from tests.registry.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


@pytest.fixture
def receiver():
    server = Receiver()
    server.delay = 0.3  # the winner is still inside its POST while the others try to claim
    yield server
    server.stop()


def test_two_workers_on_one_row_post_once(platform, receiver):
    platform.webhook_url = f"{receiver.url}/hooks"
    platform.save(update_fields=["webhook_url"])
    row = WebhookDelivery.objects.create(partner=platform, event="payment.cancelled", key="payment.cancelled:race",
                                         payload={"event": "payment.cancelled"}, next_attempt_at=timezone.now())
    results = run_together(*[lambda: webhooks.webhook_deliver(delivery_id=row.pk).status for _ in range(4)])
    assert sorted(results) == [WebhookStatus.DELIVERED] + ["not-claimed"] * 3, results
    assert len(receiver.requests) == 1
    row.refresh_from_db()
    assert row.status == WebhookStatus.DELIVERED and row.attempts == 1


def test_a_sweep_racing_the_first_task_still_posts_once(platform, receiver):
    from prakerja.partners.tasks import deliver_webhooks

    platform.webhook_url = f"{receiver.url}/hooks"
    platform.save(update_fields=["webhook_url"])
    rows = [WebhookDelivery.objects.create(partner=platform, event="payment.cancelled", key=f"payment.cancelled:{n}",
                                           payload={"event": "payment.cancelled"}, next_attempt_at=timezone.now())
            for n in range(5)]
    ids = [row.pk for row in rows]
    run_together(lambda: deliver_webhooks.call_local(ids), lambda: deliver_webhooks.call_local(ids[::-1]))
    assert len(receiver.requests) == 5
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookStatus.DELIVERED}
