"""Webhooks to platforms (docs/partner-api.md, "Webhooks"): written with the change, delivered signed, retried.

Delivery goes over real HTTP to a small server in a thread (``Receiver``)
that plays the platform's receiver.
"""

import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prakerja.cards.models import Card
from prakerja.cards.services import revocation as rev
from prakerja.learning.models import CardBinding, Payment, PaymentStatus
from prakerja.partners import signing, webhooks
from prakerja.partners.models import WebhookDelivery, WebhookStatus
from prakerja.registry import crypto
from tests.partners.conftest import SECRET, make_partner

DEADLINE = rev.midnight_wib(timezone.datetime(2026, 3, 17).date())


class Receiver:
    """A platform's webhook receiver: records each POST and answers with the next of ``answers`` (then 200)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[int] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    status = receiver.answers.pop(0) if receiver.answers else 200
                if receiver.delay:
                    time.sleep(receiver.delay)
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def hooked(platform, receiver):
    """The platform (tokopedia), its webhook URL pointing at ``receiver``."""
    platform.webhook_url = f"{receiver.url}/hooks/tokopedia?src=prakerja"
    platform.save(update_fields=["webhook_url"])
    return platform


def delivery(platform, *, key="payment.cancelled:test", payload=None, **fields) -> WebhookDelivery:
    return WebhookDelivery.objects.create(partner=platform, event="payment.cancelled", key=key,
                                          payload=payload or {"event": "payment.cancelled", "data": {"n": 1}},
                                          next_attempt_at=timezone.now(), **fields)


def deliver(row) -> webhooks.Outcome:
    outcome = webhooks.webhook_deliver(delivery_id=row.pk)
    row.refresh_from_db()
    return outcome


def make_due(row):
    WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


# --- enqueueing: card.revoked ------------------------------------------------------------
@pytest.fixture
def due(cards):
    Card.objects.update(purchase_deadline=DEADLINE)
    return cards


def bind(card, platform, user_id, *, payments=0):
    """The card paid on ``platform`` as ``user_id`` (its CardBinding), with ``payments`` payment rows there."""
    CardBinding.objects.create(card=card, platform=platform, platform_user_id=user_id)
    from prakerja.catalog.models import Listing

    listing = Listing.objects.filter(platform=platform).first()
    return [Payment.objects.create(platform=platform, listing=listing, card=card, amount=100_000,
                                   platform_order_id=f"INV/{n}", platform_user_id=user_id, buyer_name="Siti Rahma",
                                   buyer_email="siti@example.id", buyer_phone="+6281234567890",
                                   status=PaymentStatus.CANCELLED, otp_expires_at=timezone.now())
            for n in range(payments)]


def test_a_revocation_tells_every_platform_each_card_paid_on_once(due, platform, make_listing, queued,
                                                                  django_capture_on_commit_callbacks):
    other = make_partner("platform", "bukalapak")
    make_listing(platform), make_listing(other)
    [paid] = bind(due[0], platform, "u-1", payments=1)
    bind(due[0], other, "b-7")
    bind(due[1], platform, "u-2")  # due[2] paid nowhere: no webhook
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert rev.cards_revoke_due(now=DEADLINE, chunk_size=1000) == 3
    rows = {row.key: row for row in WebhookDelivery.objects.all()}
    assert set(rows) == {f"card.revoked:{due[0].public_id}:tokopedia", f"card.revoked:{due[0].public_id}:bukalapak",
                         f"card.revoked:{due[1].public_id}:tokopedia"}
    row = rows[f"card.revoked:{due[0].public_id}:tokopedia"]
    assert row.partner == platform and row.event == "card.revoked" and row.status == WebhookStatus.WAITING
    assert row.payload["event"] == "card.revoked"
    assert row.payload["occurred_at"] == timezone.localtime(DEADLINE).isoformat(timespec="seconds")
    assert row.payload["occurred_at"].endswith("+07:00")
    assert row.payload["data"] == {"card": {"last4": due[0].last4, "platform_user_id": "u-1",
                                            "payment_ids": [str(paid.public_id)]},
                                   "status": "revoked", "reason": rev.REVOKED_REASON}
    # Neither the card number nor our card id (one id across platforms would link a person's accounts).
    text = json.dumps([r.payload for r in rows.values()])
    for card in due:
        assert crypto.decrypt(card.number_encrypted) not in text and str(card.public_id) not in text
    assert rows[f"card.revoked:{due[0].public_id}:bukalapak"].payload["data"]["card"]["platform_user_id"] == "b-7"
    assert len(callbacks) >= 1  # delivery is handed over on commit, not before


def test_the_same_revocation_told_twice_makes_no_second_row(due, platform, make_listing):
    make_listing(platform)
    bind(due[0], platform, "u-1")
    first = webhooks.cards_revoked_enqueue(card_ids=[c.pk for c in due], reason="x", revoked_at=DEADLINE)
    again = webhooks.cards_revoked_enqueue(card_ids=[c.pk for c in due], reason="x", revoked_at=DEADLINE)
    assert len(first) == 1 and again == first
    assert WebhookDelivery.objects.count() == 1


def test_nothing_is_written_when_no_revoked_card_paid_anywhere(due, queued):
    assert rev.cards_revoke_due(now=DEADLINE) == 3
    assert not WebhookDelivery.objects.exists()


def test_enqueueing_costs_the_same_queries_for_one_card_or_many(due, platform, make_listing):
    make_listing(platform)
    for n, card in enumerate(due):
        bind(card, platform, f"u-{n}", payments=2)
    with CaptureQueriesContext(connection) as one:
        webhooks.cards_revoked_enqueue(card_ids=[due[0].pk], reason="x", revoked_at=DEADLINE)
    WebhookDelivery.objects.all().delete()
    with CaptureQueriesContext(connection) as three:
        webhooks.cards_revoked_enqueue(card_ids=[c.pk for c in due], reason="x", revoked_at=DEADLINE)
    assert WebhookDelivery.objects.count() == 3
    inserts = [q for q in three.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1  # one INSERT for the whole set
    assert len(one.captured_queries) == len(three.captured_queries) <= 4


# --- delivery -----------------------------------------------------------------------------
def test_a_delivery_is_a_signed_post_the_platform_can_verify(hooked, receiver):
    row = delivery(hooked)
    assert deliver(row).status == WebhookStatus.DELIVERED
    [request] = receiver.requests
    headers = request["headers"]
    assert request["path"] == "/hooks/tokopedia?src=prakerja"
    assert headers["X-Client-Code"] == "tokopedia" and headers["X-Webhook-Id"] == str(row.public_id)
    assert headers["Content-Type"] == "application/json"
    assert abs(int(headers["X-Timestamp"]) - time.time()) < 10
    # The contract's scheme: the platform's own secret, the path without the query string, the raw body.
    expected = signing.signature(SECRET, client_code="tokopedia", timestamp=headers["X-Timestamp"], method="POST",
                                 path="/hooks/tokopedia", body=request["body"])
    assert headers["X-Signature"] == expected
    assert json.loads(request["body"]) == row.payload
    assert row.status == WebhookStatus.DELIVERED and row.last_status_code == 200 and row.attempts == 1
    assert row.delivered_at is not None and row.lease_until is None and row.last_error == ""


def test_a_delivered_row_is_not_sent_again(hooked, receiver):
    row = delivery(hooked)
    deliver(row)
    make_due(row)
    assert deliver(row).status == "not-claimed"
    assert len(receiver.requests) == 1


def test_the_platforms_rotated_secret_signs_from_then_on(hooked, receiver):
    from prakerja.partners.services import partner_secret_rotate

    new = partner_secret_rotate(partner=hooked, actor=None).secret
    deliver(delivery(hooked))
    headers = receiver.requests[0]["headers"]
    assert headers["X-Signature"] == signing.signature(new, client_code="tokopedia", timestamp=headers["X-Timestamp"],
                                                       method="POST", path="/hooks/tokopedia",
                                                       body=receiver.requests[0]["body"])


def test_a_failure_is_retried_with_exponential_backoff(hooked, receiver, settings):
    settings.WEBHOOK_BACKOFF_BASE, settings.WEBHOOK_BACKOFF_CAP = 30, 3600
    receiver.answers = [500, 503]
    row = delivery(hooked)
    before = timezone.now()
    outcome = deliver(row)
    assert outcome == webhooks.Outcome("retry", timedelta(seconds=30))
    assert row.status == WebhookStatus.WAITING and row.attempts == 1 and row.last_status_code == 500
    assert row.last_error == "HTTP 500" and row.lease_until is None and row.delivered_at is None
    assert before + timedelta(seconds=29) < row.next_attempt_at < timezone.now() + timedelta(seconds=31)
    assert deliver(row).status == "not-claimed"  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    make_due(row)
    assert deliver(row) == webhooks.Outcome("retry", timedelta(seconds=60))  # doubled
    assert row.attempts == 2 and row.last_status_code == 503
    make_due(row)
    assert deliver(row).status == WebhookStatus.DELIVERED
    assert row.attempts == 3 and row.last_status_code == 200 and row.last_error == ""
    assert len(receiver.requests) == 3
    # Each attempt is the same webhook: the same id for the platform to drop a repeat.
    assert len({r["headers"]["X-Webhook-Id"] for r in receiver.requests}) == 1


@pytest.mark.parametrize("answer", [400, 302])
def test_a_4xx_or_a_redirect_is_not_an_answer_either(hooked, receiver, answer):
    receiver.answers = [answer]
    row = delivery(hooked)
    assert deliver(row).status == "retry"
    assert row.last_status_code == answer and row.status == WebhookStatus.WAITING
    assert len(receiver.requests) == 1  # the redirect was not followed


def test_a_timeout_is_retried(hooked, receiver, settings):
    settings.WEBHOOK_TIMEOUT = 1
    receiver.delay = 1.5
    row = delivery(hooked)
    assert deliver(row).status == "retry"
    assert "Timeout" in row.last_error and row.last_status_code is None


def test_it_gives_up_after_the_maximum_attempts(hooked, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.answers = [500] * 10
    row = delivery(hooked)
    assert deliver(row).status == "retry"
    make_due(row)
    assert deliver(row).status == "retry"
    make_due(row)
    assert deliver(row).status == WebhookStatus.GAVE_UP
    assert row.status == WebhookStatus.GAVE_UP and row.attempts == 3 and row.last_status_code == 500
    make_due(row)
    assert deliver(row).status == "not-claimed"
    assert webhooks.webhooks_sweep() == []
    assert len(receiver.requests) == 3


def test_a_worker_that_died_mid_delivery_leaves_a_lease_that_expires(hooked, receiver):
    row = delivery(hooked, created_at=None)
    WebhookDelivery.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    assert webhooks._lease().claim(row.pk)  # the worker claims, then dies before it POSTs or records
    assert deliver(row).status == "not-claimed"  # its lease still holds: nobody else sends
    assert webhooks.webhooks_sweep() == []
    WebhookDelivery.objects.filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert webhooks.webhooks_sweep() == [row.pk]
    assert deliver(row).status == WebhookStatus.DELIVERED
    assert row.attempts == 2 and len(receiver.requests) == 1


@pytest.mark.parametrize("late_answer", [200, 500])
def test_a_late_worker_cannot_overwrite_the_next_claims_result(hooked, receiver, monkeypatch, late_answer):
    row = delivery(hooked)

    def failing_post(url, headers, body):
        raise webhooks.WebhookUnavailable("HTTP 503", status_code=503)

    def slow_post(url, headers, body):
        # While this worker waits for the platform, its lease expires and another worker claims and fails.
        WebhookDelivery.objects.filter(pk=row.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
        monkeypatch.setattr(webhooks, "_post", failing_post)
        assert webhooks.webhook_deliver(delivery_id=row.pk).status == "retry"
        if late_answer != 200:  # then the first worker's answer comes back: too late to record
            raise webhooks.WebhookUnavailable(f"HTTP {late_answer}", status_code=late_answer)
        return late_answer

    monkeypatch.setattr(webhooks, "_post", slow_post)
    assert deliver(row).status == "lost-claim"
    assert row.status == WebhookStatus.WAITING and row.attempts == 2 and row.last_status_code == 503


def test_the_sweeper_re_enqueues_due_rows_and_leaves_fresh_ones_to_their_task(hooked):
    fresh = delivery(hooked, key="k-fresh")
    old = delivery(hooked, key="k-old")
    WebhookDelivery.objects.filter(pk=old.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    assert webhooks.webhooks_sweep() == [old.pk]
    assert fresh.pk not in webhooks.webhooks_sweep()


def test_the_sweeper_task_delivers_what_it_finds(hooked, receiver):
    from prakerja.partners.tasks import sweep_webhooks

    row = delivery(hooked)
    WebhookDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    assert sweep_webhooks.call_local() == 1
    row.refresh_from_db()
    assert row.status == WebhookStatus.DELIVERED and len(receiver.requests) == 1


def test_a_platform_without_a_webhook_url_is_skipped_not_retried(platform):
    row = delivery(platform)
    assert deliver(row).status == WebhookStatus.GAVE_UP
    assert row.last_error == "skipped: the platform has no webhook URL" and row.attempts == 1
    make_due(row)
    assert deliver(row).status == "not-claimed" and webhooks.webhooks_sweep() == []


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/hook", "file:///etc/passwd", "gopher://example.com/"])
def test_only_http_and_https_urls_are_posted_to(platform, url):
    platform.webhook_url = url
    platform.save(update_fields=["webhook_url"])
    row = delivery(platform)
    assert deliver(row).status == WebhookStatus.GAVE_UP
    assert row.last_error == "refused: the webhook URL is not http(s)"


@pytest.mark.parametrize("host", ["127.0.0.1", "10.1.2.3", "192.168.1.10", "169.254.169.254", "[::1]", "localhost",
                                  "[::ffff:127.0.0.1]"])
def test_in_production_a_non_public_address_is_refused(platform, receiver, settings, host):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False  # the production default
    port = receiver.url.rsplit(":", 1)[1]
    platform.webhook_url = f"http://{host}:{port}/hooks"
    platform.save(update_fields=["webhook_url"])
    row = delivery(platform)
    assert deliver(row).status == WebhookStatus.GAVE_UP
    assert row.last_error == "refused: the webhook host is not a public address"
    assert receiver.requests == []


def test_a_public_address_passes_the_production_check(monkeypatch, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    monkeypatch.setattr(webhooks.socket, "getaddrinfo",
                        lambda host, port, **kw: [(2, 1, 6, "", ("203.0.113.7" if host == "doc" else "8.8.8.8", port))])
    webhooks._address_public("platform.example.com", 443)  # no exception
    with pytest.raises(webhooks.WebhookRefused):
        webhooks._address_public("doc", 443)  # 203.0.113.0/24 is documentation, not global


def test_a_platform_that_is_down_opens_its_circuit_and_keeps_the_attempts(hooked, receiver, settings):
    receiver.answers = [503] * 20
    rows = [delivery(hooked, key=f"k-{n}") for n in range(webhooks.BREAKER_FAILURES + 2)]
    outcomes = [deliver(row) for row in rows]
    assert len(receiver.requests) == webhooks.BREAKER_FAILURES  # then the circuit is open: no more calls
    held = rows[webhooks.BREAKER_FAILURES:]
    assert [o.retry_in for o in outcomes[webhooks.BREAKER_FAILURES:]] == [timedelta(seconds=60)] * 2
    assert all(row.attempts == 0 and row.status == WebhookStatus.WAITING for row in held)  # attempt given back
