"""TRN-2 through the partner API: start, OTP, confirm, cancel, status (docs/partner-api.md)."""

import re

from prakerja.learning.models import Payment
from prakerja.ledger.selectors import balance_of
from prakerja.notifications.models import Message
from tests.partners.conftest import start_body


def sent_otp(payment_id) -> str:
    message = Message.objects.filter(template="payment_otp").order_by("-id").first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_a_platform_buys_a_training_with_the_card(api, ready_card, card_number, listing, queued):
    before = ready_card.account.balance
    started = api.post("/payments", start_body(card_number, listing))
    assert started.status_code == 201, started.content
    body = started.json()
    assert body["status"] == "otp_sent" and body["amount"] == 750_000
    otp = sent_otp(body["payment_id"])
    message = Message.objects.get(template="payment_otp")
    assert message.to_address == "+6281234567890" and message.sensitive

    paid = api.post(f"/payments/{body['payment_id']}/confirm", {"otp": otp})
    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "paid" and paid.json()["voucher_code"]
    ready_card.account.refresh_from_db()
    assert ready_card.account.balance == before - 750_000

    state = api.get(f"/payments/{body['payment_id']}")
    assert state.status_code == 200
    assert state.json()["status"] == "paid" and state.json()["voucher_code"] == paid.json()["voucher_code"]

    cancelled = api.post(f"/payments/{body['payment_id']}/cancel", {})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json() == {"payment_id": body["payment_id"], "status": "cancelled", "refunded_amount": 750_000}
    ready_card.account.refresh_from_db()
    assert ready_card.account.balance == before
    assert Payment.objects.get().status == "cancelled"
    assert balance_of(ready_card.account) == before
