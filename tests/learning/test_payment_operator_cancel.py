"""An operator cancels a payment (TRN-2): permission, typed reason, refund, audit row, and the platform's webhook.

The platform's own cancel (the API) sends no webhook: it knows already.
"""

import re

import pytest
from django.urls import reverse

from prakerja.audit.models import AuditEntry
from prakerja.learning.models import Payment, PaymentStatus
from prakerja.learning.services import payment_cancel, payment_confirm, payment_start
from prakerja.ledger.models import Account
from prakerja.notifications.models import Message
from prakerja.partners.models import WebhookDelivery
from tests.accounts.operators import sign_in
from tests.partners.conftest import PartnerClient

REASON = "Pelatihan dibatalkan oleh lembaga; tiket CS-2026-0042"
BUYER = {"name": "Siti Rahma", "email": "siti@example.id", "phone": "+6281234567890"}


def paid(platform, card_number, listing) -> Payment:
    payment = payment_start(platform=platform, card_number=card_number, listing_code=listing.code,
                            platform_order_id="INV/2026/11/0001", platform_user_id="u-88213", buyer=BUYER)
    body = Message.objects.filter(template="payment_otp").order_by("-id").first().body
    otp = re.search(r"\b(\d{6})\b", body).group(1)
    return payment_confirm(platform=platform, payment_id=payment.public_id, otp=otp)


@pytest.fixture
def payment(platform, ready_card, card_number, listing, queued):
    return paid(platform, card_number, listing)


def cancel_url(payment):
    return reverse("admin:learning_payment_cancel", args=[payment.pk])


@pytest.fixture
def canceller(client, db):
    """A partner manager: the role that cancels payments."""
    user = sign_in(client, "partner_manager")
    assert user.has_perm("learning.cancel_payment")
    return user


def balance(card) -> int:
    return Account.objects.get(pk=card.account_id).balance


def test_an_operator_cancels_with_a_reason_and_the_platform_gets_a_webhook(
        client, canceller, payment, ready_card, django_capture_on_commit_callbacks):
    before = balance(ready_card)
    assert client.get(cancel_url(payment)).status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(cancel_url(payment), {"reason": REASON})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED and payment.cancelled_by == canceller.email
    assert balance(ready_card) == before + payment.amount
    entry = AuditEntry.objects.get(action="payment.cancel")
    assert entry.actor == canceller and entry.reason == REASON
    [webhook] = WebhookDelivery.objects.all()
    assert webhook.partner == payment.platform and webhook.key == f"payment.cancelled:{payment.public_id}"
    assert webhook.payload["event"] == "payment.cancelled"
    assert webhook.payload["occurred_at"].endswith("+07:00")
    assert webhook.payload["data"] == {"payment_id": str(payment.public_id), "platform_order_id": "INV/2026/11/0001",
                                       "status": "cancelled", "refunded_amount": payment.amount, "reason": REASON}
    assert callbacks  # delivery handed over after the commit


def test_cancelling_again_is_refused_and_sends_nothing_more(client, canceller, payment, ready_card):
    client.post(cancel_url(payment), {"reason": REASON})
    after = balance(ready_card)
    response = client.post(cancel_url(payment), {"reason": REASON})
    assert response.status_code == 400
    assert balance(ready_card) == after and WebhookDelivery.objects.count() == 1


def test_the_platforms_own_cancel_sends_no_webhook(client, platform, payment, ready_card):
    response = PartnerClient(client, platform.code).post(f"/payments/{payment.public_id}/cancel", {})
    assert response.status_code == 200, response.content
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED
    assert not WebhookDelivery.objects.exists()


def test_the_cancel_service_alone_sends_no_webhook(platform, payment):
    from django.db import transaction

    with transaction.atomic():
        payment_cancel(payment=payment, actor=platform.actor)
    assert not WebhookDelivery.objects.exists()


def test_a_reason_is_required(client, canceller, payment):
    for reason in ("", "too short"):
        response = client.post(cancel_url(payment), {"reason": reason})
        assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize("role", ["finance", "auditor"])
def test_without_the_cancel_permission_nothing_happens(client, payment, role):
    sign_in(client, role)
    # The auditor sees the payment, finance does not; neither may cancel it.
    seen = client.get(reverse("admin:learning_payment_change", args=[payment.pk])).status_code
    assert seen == (200 if role == "auditor" else 403)
    # Refused either way: 403 for who may see it, 404 (nothing there for you) for who may not.
    assert client.post(cancel_url(payment), {"reason": REASON}).status_code == (403 if role == "auditor" else 404)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and not WebhookDelivery.objects.exists()
    assert not AuditEntry.objects.filter(action="payment.cancel").exists()


def test_a_get_changes_nothing(client, canceller, payment):
    client.get(cancel_url(payment), {"reason": REASON})
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID


def test_a_redeemed_payment_cannot_be_cancelled(client, canceller, payment):
    from django.utils import timezone

    Payment.objects.filter(pk=payment.pk).update(redeemed_at=timezone.now())
    response = client.post(cancel_url(payment), {"reason": REASON})
    assert response.status_code == 400
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID and not WebhookDelivery.objects.exists()
    assert 'class="errorlist' in response.content.decode()


def test_the_list_masks_the_buyer_and_costs_the_same_for_more_rows(client, canceller, payment, platform,
                                                                   card_number, make_listing,
                                                                   django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:learning_payment_changelist")
    with CaptureQueriesContext(connection) as one:
        html = client.get(url).content.decode()
    for secret in ("Siti Rahma", "siti@example.id", "+6281234567890", "1234567890", payment.redeem_code,
                   payment.voucher_code, card_number):
        assert secret not in html
    assert "S*** R****" in html and "s***@example.id" in html and "7890" in html
    for _ in range(3):
        paid(platform, card_number, make_listing(platform, price=10_000))
    with CaptureQueriesContext(connection) as four:
        client.get(url)
    assert len(four.captured_queries) == len(one.captured_queries)
    page = client.get(reverse("admin:learning_payment_change", args=[payment.pk])).content.decode()
    assert "Siti Rahma" not in page and "siti@example.id" not in page and payment.redeem_code not in page
