"""Webhooks to digital platforms (docs/partner-api.md, "Webhooks"): written with the change, sent later.

Two events reach a platform: ``card.revoked`` (a card that paid on it was
revoked, CRD-5) and ``payment.cancelled`` (an operator, not the platform,
cancelled one of its payments). Each is a ``WebhookDelivery`` row written in
the transaction of the change, keyed so that it exists once
(``card.revoked:<card public_id>:<platform code>``,
``payment.cancelled:<payment public_id>``), and handed to a task on commit.

Delivery follows the notification outbox (``core.claims.Lease``): a
conditional UPDATE claims the row under a lease (the attempt counter is the
fencing token), the signed POST runs outside any transaction, and the result
is recorded only while the claim is still ours. Anything but 2xx is retried
with exponential backoff until ``WEBHOOK_MAX_ATTEMPTS``, then the row is
``gave_up`` (logged). A worker that dies mid-POST leaves a lease that
expires; the sweeper hands the row to a new attempt. So a platform may get a
webhook twice (a crash after it answered 2xx): ``X-Webhook-Id`` is the
delivery's id for it to drop the repeat.

A row that can never be sent as configured (no webhook URL, not http(s), a
non-public address in production) is closed at once as ``gave_up`` with the
reason in ``last_error`` ("skipped: ..."), not retried: an operator fixes the
partner and the platform asks us for the state (GET /payments/{id}).

This module never imports the tasks (no import circle): services return the
ids to enqueue or the delay to retry after, and ``tasks.py`` and
``receivers.py`` schedule.
"""

import ipaddress
import json
import socket
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
import structlog
from django.conf import settings
from django.utils import timezone

from prakerja.core.claims import Lease, exponential
from prakerja.core.outside import (
    CircuitBreaker,
    CircuitOpen,
    Guard,
    OutsideError,
    PermanentError,
    RateLimit,
    RateLimited,
    TransientError,
)
from prakerja.learning.models import CardBinding, Payment
from prakerja.partners import signing
from prakerja.partners.models import Partner, WebhookDelivery, WebhookStatus
from prakerja.partners.services import current_secret

log = structlog.get_logger(__name__)

CARD_REVOKED = "card.revoked"
PAYMENT_CANCELLED = "payment.cancelled"
# One platform's breaker: after this many transient failures in a row its webhooks wait (attempts
# given back) instead of each row timing out on its own; the rate keeps a burst (a revocation chunk
# of a thousand cards) from flooding a platform.
BREAKER_FAILURES = 5
BREAKER_COOLDOWN = 60
RATE_PER_SECOND = 20


class WebhookUnavailable(TransientError):
    """No answer, a timeout, 5xx, 408 or 429: worth another attempt, and counted by the breaker."""

    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class WebhookRejected(PermanentError):
    """The platform answered, but not 2xx (a 4xx). The row is still retried (the contract: until 2xx)."""

    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code


class WebhookRefused(PermanentError):
    """We will not send to this partner as configured: no URL, not http(s), a non-public address."""


class WebhookCircuitOpen(CircuitOpen):
    pass


class WebhookRateLimited(RateLimited):
    pass


# --- payloads and enqueueing (inside the caller's transaction) ------------------------------
def _occurred_at(when: datetime) -> str:
    return timezone.localtime(when).isoformat(timespec="seconds")  # ISO 8601 with offset (+07:00)


def _payload(event: str, when: datetime, data: dict) -> dict:
    return {"event": event, "occurred_at": _occurred_at(when), "data": data}


def _insert(rows: list[WebhookDelivery]) -> list[int]:
    """One INSERT ... ON CONFLICT DO NOTHING for all rows (a repeat adds nothing); the ids still to send."""
    if not rows:
        return []
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    return list(WebhookDelivery.objects.filter(key__in=[row.key for row in rows], status=WebhookStatus.WAITING)
                .order_by("pk").values_list("pk", flat=True))


def cards_revoked_enqueue(*, card_ids: list[int], reason: str, revoked_at: datetime) -> list[int]:
    """A ``card.revoked`` row for every platform each card paid on (its CardBinding); ids to deliver.

    Set-based: three queries for a chunk of any size. The card is named by
    what the platform already knows: its last four digits, the platform's own
    user id and the payment ids on that platform; never the number, and not
    our card id either, which would let platforms match one person across
    platforms.
    """
    bindings = list(CardBinding.objects.filter(card_id__in=card_ids).order_by("card_id", "platform_id")
                    .values_list("card_id", "platform_id", "platform_user_id", "card__public_id", "card__last4",
                                 "platform__code"))
    if not bindings:
        return []
    payments = defaultdict(list)
    for card_id, platform_id, public_id in (Payment.objects.filter(card_id__in={b[0] for b in bindings})
                                            .order_by("created_at", "pk")
                                            .values_list("card_id", "platform_id", "public_id")):
        payments[card_id, platform_id].append(str(public_id))
    now = timezone.now()
    rows = [WebhookDelivery(
        partner_id=platform_id, event=CARD_REVOKED, key=f"{CARD_REVOKED}:{card_public_id}:{code}",
        next_attempt_at=now,
        payload=_payload(CARD_REVOKED, revoked_at, {
            "card": {"last4": last4, "platform_user_id": user_id,
                     "payment_ids": payments[card_id, platform_id]},
            "status": "revoked", "reason": reason}))
        for card_id, platform_id, user_id, card_public_id, last4, code in bindings]
    return _insert(rows)


def payment_cancelled_enqueue(*, payment: Payment, refunded: int, reason: str) -> list[int]:
    """The ``payment.cancelled`` row for the payment's platform (an operator cancelled it); ids to deliver."""
    when = payment.cancelled_at or timezone.now()
    row = WebhookDelivery(
        partner_id=payment.platform_id, event=PAYMENT_CANCELLED, key=f"{PAYMENT_CANCELLED}:{payment.public_id}",
        next_attempt_at=timezone.now(),
        payload=_payload(PAYMENT_CANCELLED, when, {
            "payment_id": str(payment.public_id), "platform_order_id": payment.platform_order_id,
            "status": "cancelled", "refunded_amount": refunded, "reason": reason}))
    return _insert([row])


# --- delivery (outside any transaction) ------------------------------------------------------
def _lease() -> Lease:
    # Longer than one POST can take, so a live worker never loses its claim to the sweeper.
    return Lease(model=WebhookDelivery, status="status", waiting=WebhookStatus.WAITING,
                 working=WebhookStatus.SENDING, due="next_attempt_at", lease_until="lease_until",
                 attempts="attempts", duration=timedelta(seconds=2 * settings.WEBHOOK_TIMEOUT + 30))


def _guard(partner: Partner) -> Guard:
    name = f"webhook_{partner.code}"
    return Guard(breaker=CircuitBreaker(name, failures=BREAKER_FAILURES, cooldown=BREAKER_COOLDOWN,
                                        trial_lease=settings.WEBHOOK_TIMEOUT + 5),
                 rate=RateLimit(name, per_second=RATE_PER_SECOND),
                 circuit_open=WebhookCircuitOpen, rate_limited=WebhookRateLimited)


def _address_public(host: str, port: int) -> None:
    """Every address the host resolves to must be public (global unicast), or WebhookRefused.

    Checked before each attempt. httpx resolves the name again to connect,
    so a partner's DNS that changes its answer in between (rebinding) is not
    stopped here; partners are contracted and registered by operators, and
    this check is against a mistyped or internal URL, not a hostile resolver.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise WebhookUnavailable(f"cannot resolve the webhook host: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise WebhookRefused("refused: the webhook host is not a public address")


def webhook_target(partner: Partner) -> str:
    """The URL to POST to, or WebhookRefused with the reason it will not be used."""
    url = (partner.webhook_url or "").strip()
    if not url:
        raise WebhookRefused("skipped: the platform has no webhook URL")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookRefused("refused: the webhook URL is not http(s)")
    if not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise WebhookRefused("refused: the webhook URL has a bad port") from exc
        _address_public(parts.hostname, port)
    return url


def webhook_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def webhook_headers(delivery: WebhookDelivery, *, url: str, body: bytes, timestamp: int | None = None) -> dict:
    """The contract's three signing headers under the platform's own current secret, plus X-Webhook-Id."""
    partner = delivery.partner
    headers = signing.headers(current_secret(partner), client_code=partner.code,
                              timestamp=timestamp or int(time.time()), method="POST",
                              path=urlsplit(url).path or "/", body=body)
    return {**headers, "X-Webhook-Id": str(delivery.public_id), "Content-Type": "application/json"}


def _post(url: str, headers: dict, body: bytes) -> int:
    try:
        # No redirects: a 3xx is not an answer, and following one could lead anywhere.
        response = httpx.post(url, content=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT,
                              follow_redirects=False)
    except httpx.HTTPError as exc:  # timeout, refused connection, broken answer
        raise WebhookUnavailable(f"{type(exc).__name__}: {exc}"[:300]) from exc
    status = response.status_code
    if 200 <= status < 300:
        return status
    if status >= 500 or status in (408, 429):
        raise WebhookUnavailable(f"HTTP {status}", status_code=status)
    raise WebhookRejected(f"HTTP {status}", status_code=status)


@dataclass(frozen=True)
class Outcome:
    status: str  # delivered, retry, gave_up, not-claimed, lost-claim
    retry_in: timedelta | None = None  # when to try again (the task schedules itself)


def webhook_deliver(*, delivery_id: int) -> Outcome:
    """One attempt at one delivery. Safe to run twice and at once: only the claim's holder POSTs."""
    lease = _lease()
    if not lease.claim(delivery_id):
        return Outcome("not-claimed")
    delivery = WebhookDelivery.objects.select_related("partner").get(pk=delivery_id)
    try:
        url = webhook_target(delivery.partner)
        body = webhook_body(delivery.payload)
        headers = webhook_headers(delivery, url=url, body=body)
        status_code = _guard(delivery.partner).call(lambda _n: _post(url, headers, body))
    except WebhookRefused as exc:
        return _finish(lease, delivery, WebhookStatus.GAVE_UP, last_error=str(exc)[:300], log_as="webhook_skipped")
    except (WebhookCircuitOpen, WebhookRateLimited) as exc:
        # Nothing was sent: the attempt is given back (a platform's outage delays, never exhausts, the rows).
        delay = timedelta(seconds=1 if isinstance(exc, WebhookRateLimited) else BREAKER_COOLDOWN)
        lease.retry(delivery.pk, delivery.attempts, delay=delay, refund=True, last_error=str(exc)[:300])
        return Outcome("retry", delay)
    except OutsideError as exc:
        return _failed(lease, delivery, exc)
    return _finish(lease, delivery, WebhookStatus.DELIVERED, last_status_code=status_code, last_error="",
                   delivered_at=timezone.now(), log_as="webhook_delivered")


def _finish(lease: Lease, delivery: WebhookDelivery, status: str, *, log_as: str, **fields) -> Outcome:
    if not lease.finish(delivery.pk, delivery.attempts, status=status, **fields):
        return _lost(delivery)
    logger = log.info if status == WebhookStatus.DELIVERED else log.warning
    logger(log_as, webhook=str(delivery.public_id), webhook_event=delivery.event, partner=delivery.partner.code,
           attempts=delivery.attempts, status_code=fields.get("last_status_code"), error=fields.get("last_error"))
    return Outcome(status)


def _failed(lease: Lease, delivery: WebhookDelivery, exc: OutsideError) -> Outcome:
    fields = {"last_status_code": getattr(exc, "status_code", None), "last_error": str(exc)[:300]}
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        return _finish(lease, delivery, WebhookStatus.GAVE_UP, log_as="webhook_gave_up", **fields)
    delay = exponential(delivery.attempts, base=settings.WEBHOOK_BACKOFF_BASE, cap=settings.WEBHOOK_BACKOFF_CAP)
    if not lease.retry(delivery.pk, delivery.attempts, delay=delay, **fields):
        return _lost(delivery)
    log.info("webhook_retry", webhook=str(delivery.public_id), webhook_event=delivery.event,
             partner=delivery.partner.code, attempts=delivery.attempts, error=fields["last_error"],
             retry_in=delay.total_seconds())
    return Outcome("retry", delay)


def _lost(delivery: WebhookDelivery) -> Outcome:
    # Our lease expired mid-POST and another worker claimed the row: its result stands, not ours.
    log.warning("webhook_claim_lost", webhook=str(delivery.public_id), attempts=delivery.attempts)
    return Outcome("lost-claim")


def webhooks_sweep(*, limit: int = 1000) -> list[int]:
    """Deliveries due (a retry's time came) or whose worker died (lease expired): ids to enqueue again.

    A row made a moment ago is left to the task enqueued with it.
    """
    ids = _lease().due_ids(limit=limit, grace=timedelta(seconds=30))
    if ids:
        log.info("webhooks_swept", count=len(ids))
    return ids
