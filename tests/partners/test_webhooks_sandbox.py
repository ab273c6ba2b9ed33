"""The sandbox plays the demo platforms' webhook receiver: it verifies our signature and keeps what arrives."""

import json
import time

import httpx
import pytest
from django.utils import timezone

from prakerja.partners import signing, webhooks
from prakerja.partners.models import WebhookDelivery, WebhookStatus
from tests.partners.conftest import make_partner


@pytest.fixture
def box(sandbox):
    sandbox.clear()
    sandbox.clear_faults()
    return sandbox


def post(box, code, body: bytes, *, secret="sandbox-secret", client_code=None, timestamp=None, webhook_id="w-1",
         path=None):
    path = path or f"/webhooks/{code}"
    headers = signing.headers(secret, client_code=client_code or code, timestamp=timestamp or int(time.time()),
                              method="POST", path=path, body=body)
    headers["X-Webhook-Id"] = webhook_id
    return httpx.post(f"{box.url}/webhooks/{code}", content=body, headers=headers, timeout=10)


BODY = json.dumps({"event": "card.revoked", "occurred_at": "2026-03-17T00:00:00+07:00", "data": {}}).encode()


def test_a_signed_webhook_is_kept_once(box):
    assert post(box, "tokopedia", BODY).json() == {"received": "w-1", "duplicate": False}
    assert post(box, "tokopedia", BODY).json() == {"received": "w-1", "duplicate": True}  # a redelivery
    [kept] = box.outbox(to="tokopedia")
    assert kept["channel"] == "webhook" and kept["subject"] == "card.revoked w-1"
    assert json.loads(kept["body"])["event"] == "card.revoked"
    page = httpx.get(f"{box.url}/webhooks", timeout=10)
    assert page.status_code == 200 and "card.revoked w-1" in page.text


def test_other_demo_platforms_use_their_own_secret(box):
    assert post(box, "bukalapak", BODY, secret="sandbox-bukalapak").status_code == 200
    assert post(box, "bukalapak", BODY, secret="sandbox-secret", webhook_id="w-2").status_code == 401


@pytest.mark.parametrize("bad", [
    {"secret": "not-the-secret"},
    {"client_code": "bukalapak"},  # signed as another platform
    {"timestamp": int(time.time()) - 301},
    {"path": "/webhooks/other"},  # signed for another path
])
def test_a_bad_signature_is_refused_and_not_kept(box, bad):
    response = post(box, "tokopedia", BODY, **bad)
    assert response.status_code == 401
    assert box.outbox(to="tokopedia") == []


def test_a_tampered_body_is_refused(box):
    headers = signing.headers("sandbox-secret", client_code="tokopedia", timestamp=int(time.time()), method="POST",
                              path="/webhooks/tokopedia", body=BODY)
    response = httpx.post(f"{box.url}/webhooks/tokopedia", content=BODY.replace(b"revoked", b"restored"),
                          headers=headers, timeout=10)
    assert response.status_code == 401 and box.outbox(to="tokopedia") == []


@pytest.mark.django_db
def test_the_platform_delivers_to_the_sandbox_end_to_end(box):
    platform = make_partner("platform", "tokopedia", webhook_url=f"{box.url}/webhooks/tokopedia")
    box.fault("webhook", "503")
    row = WebhookDelivery.objects.create(partner=platform, event="payment.cancelled", key="payment.cancelled:e2e",
                                         payload={"event": "payment.cancelled", "data": {"payment_id": "p-1"}},
                                         next_attempt_at=timezone.now())
    assert webhooks.webhook_deliver(delivery_id=row.pk).status == "retry"  # the injected 503
    WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert webhooks.webhook_deliver(delivery_id=row.pk).status == WebhookStatus.DELIVERED
    [kept] = box.outbox(to="tokopedia")
    assert kept["subject"] == f"payment.cancelled {row.public_id}"


@pytest.mark.django_db
def test_a_platform_whose_secret_the_receiver_does_not_know_is_retried(box):
    platform = make_partner("platform", "tokopedia", secret="a-different-secret",
                            webhook_url=f"{box.url}/webhooks/tokopedia")
    row = WebhookDelivery.objects.create(partner=platform, event="payment.cancelled", key="payment.cancelled:x",
                                         payload={"event": "payment.cancelled"},
                                         next_attempt_at=timezone.now())
    assert webhooks.webhook_deliver(delivery_id=row.pk).status == "retry"
    row.refresh_from_db()
    assert row.last_status_code == 401 and box.outbox(to="tokopedia") == []
