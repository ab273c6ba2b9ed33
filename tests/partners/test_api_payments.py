"""Every status and code of the platform endpoints (docs/partner-api.md), as a platform calls them."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.cards.models import Card
from prakerja.core.ratelimit import Limit
from prakerja.learning.models import CardBinding, Payment
from prakerja.ledger.models import Account, Transaction, TransactionKind
from prakerja.ledger.selectors import differences
from prakerja.programme.models import Programme
from prakerja.registry.models import Profile
from tests.partners.conftest import PartnerClient, error_of, make_partner, start_body
from tests.partners.test_payment_flow import sent_otp


def balance(card) -> int:
    return Account.objects.get(pk=card.account_id).balance


def debits(card) -> int:
    return Transaction.objects.filter(kind=TransactionKind.DEBIT, postings__account=card.account_id).count()


@pytest.fixture
def started(api, ready_card, card_number, listing, queued):
    """A payment waiting for its OTP: (payment_id, otp)."""
    response = api.post("/payments", start_body(card_number, listing))
    assert response.status_code == 201, response.content
    payment_id = response.json()["payment_id"]
    return payment_id, sent_otp(payment_id)


@pytest.fixture
def paid(api, started):
    payment_id, otp = started
    response = api.post(f"/payments/{payment_id}/confirm", {"otp": otp})
    assert response.status_code == 200, response.content
    return payment_id


# --- POST /payments ----------------------------------------------------------------------

def test_201_otp_sent(api, ready_card, card_number, listing, queued):
    response = api.post("/payments", start_body(card_number, listing))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"payment_id", "status", "amount", "otp_expires_at"}
    assert body["status"] == "otp_sent" and body["amount"] == listing.price
    payment = Payment.objects.get(public_id=body["payment_id"])
    assert payment.otp_expires_at - payment.created_at == pytest.approx(timedelta(minutes=5), abs=timedelta(seconds=2))
    assert body["otp_expires_at"].endswith("+00:00") or body["otp_expires_at"][-6] in "+-"
    assert len(sent_otp(body["payment_id"])) == 6
    assert sent_otp(body["payment_id"]) not in payment.otp_hash
    assert balance(ready_card) == ready_card.account.balance  # nothing debited before the OTP


def test_the_card_number_may_be_sent_with_spaces(api, ready_card, card_number, listing, queued):
    spaced = " ".join(card_number[i:i + 4] for i in range(0, 16, 4))
    assert api.post("/payments", start_body(spaced, listing)).status_code == 201


@pytest.mark.parametrize("number", ["5000000000000001", "0000", "x" * 32])
def test_404_card_not_found(api, ready_card, listing, number):
    assert error_of(api.post("/payments", start_body(number, listing)), 404)["code"] == "card_not_found"
    assert not Payment.objects.exists()


def test_card_misses_are_rate_limited_per_partner(api, platform, make_listing, ready_card, card_number, queued,
                                                  monkeypatch):
    monkeypatch.setattr("prakerja.partners.api.CARD_MISSES", Limit("partner-card-misses", 3, 600))
    listing = make_listing(platform)
    for n in range(3):
        response = api.post("/payments", start_body(f"500000000000000{n}", listing))
        assert error_of(response, 404)["code"] == "card_not_found"
    assert error_of(api.post("/payments", start_body("5000000000000009", listing)), 429)["code"] == "rate_limited"
    # Blocked for every card, or the answer for a real one would still tell a guess from a miss.
    assert error_of(api.post("/payments", start_body(card_number, listing)), 429)["code"] == "rate_limited"
    other = make_partner("platform", "bukalapak")
    theirs = PartnerClient(Client(), "bukalapak").post("/payments", start_body(card_number, make_listing(other)))
    assert theirs.status_code == 201, theirs.content


def test_found_cards_do_not_count_as_misses(api, ready_card, card_number, listing, queued, monkeypatch):
    monkeypatch.setattr("prakerja.partners.api.CARD_MISSES", Limit("partner-card-misses", 1, 600))
    for n in range(3):
        response = api.post("/payments", start_body(card_number, listing, platform_order_id=f"INV-{n}"))
        assert response.status_code == 201, response.content


def make_inactive(card, how: str):
    now = timezone.now()
    if how in ("revoked", "expired"):
        Card.objects.filter(pk=card.pk).update(status=how, ended_at=now)
    elif how == "balance expired":
        Programme.objects.filter(pk=card.programme_id).update(balance_expires_on=now.date() - timedelta(days=1))
    elif how == "deadline passed":
        Card.objects.filter(pk=card.pk).update(purchase_deadline=now - timedelta(minutes=1))
    elif how == "videos not watched":
        from prakerja.induction.models import VideoProgress

        VideoProgress.objects.filter(user=card.user).delete()


@pytest.mark.parametrize("how", ["revoked", "expired", "balance expired", "deadline passed", "videos not watched"])
def test_403_card_inactive(api, ready_card, card_number, listing, how):
    make_inactive(ready_card, how)
    assert error_of(api.post("/payments", start_body(card_number, listing)), 403)["code"] == "card_inactive"
    assert not Payment.objects.exists()


def test_a_card_that_bought_before_the_deadline_may_buy_after_it(api, ready_card, card_number, listing, queued):
    Card.objects.filter(pk=ready_card.pk).update(purchase_deadline=timezone.now() - timedelta(days=1),
                                                 first_purchase_at=timezone.now() - timedelta(days=2))
    assert api.post("/payments", start_body(card_number, listing)).status_code == 201


@pytest.mark.parametrize("which", ["unknown", "pending", "rejected", "other platform's"])
def test_404_listing_not_found(api, platform, make_listing, ready_card, card_number, which):
    if which == "unknown":
        code = "TKP-99999"
    elif which == "other platform's":
        code = make_listing(make_partner("platform", "bukalapak")).code
    else:
        code = make_listing(platform, status=which).code
    body = start_body(card_number, make_listing(platform), listing_code=code)
    assert error_of(api.post("/payments", body), 404)["code"] == "listing_not_found"


def test_409_insufficient_balance(api, platform, make_listing, ready_card, card_number, queued):
    affordable = make_listing(platform, price=balance(ready_card))
    too_dear = make_listing(platform, price=balance(ready_card) + 1)
    assert error_of(api.post("/payments", start_body(card_number, too_dear)), 409)["code"] == "insufficient_balance"
    assert api.post("/payments", start_body(card_number, affordable)).status_code == 201


def test_409_card_bound_to_other_user(api, paid, card_number, platform, make_listing):
    another = make_listing(platform, price=1_000)
    body = start_body(card_number, another, platform_user_id="u-someone-else", platform_order_id="INV-2")
    assert error_of(api.post("/payments", body), 409)["code"] == "card_bound_to_other_user"
    same_user = start_body(card_number, another, platform_order_id="INV-3")
    assert api.post("/payments", same_user).status_code == 201


def test_the_binding_is_per_card(api, ready_card, card_number, platform, listing, queued):
    """Another card bound on this platform to another account says nothing about this card."""
    other = Card.objects.exclude(pk=ready_card.pk).first()
    CardBinding.objects.create(card=other, platform=platform, platform_user_id="u-someone-else")
    assert api.post("/payments", start_body(card_number, listing)).status_code == 201


def test_the_binding_is_per_platform(api, paid, card_number, make_listing, queued):
    other = make_partner("platform", "bukalapak")
    body = start_body(card_number, make_listing(other, price=1_000), platform_user_id="u-someone-else")
    assert PartnerClient(Client(), "bukalapak").post("/payments", body).status_code == 201


# --- POST /payments/{id}/confirm ------------------------------------------------------------

def test_200_paid_and_debited_exactly_once(api, started, ready_card, listing):
    payment_id, otp = started
    before = balance(ready_card)
    response = api.post(f"/payments/{payment_id}/confirm", {"otp": otp})
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"payment_id", "status", "amount", "voucher_code"}
    assert body["payment_id"] == payment_id and body["status"] == "paid" and body["amount"] == listing.price
    again = api.post(f"/payments/{payment_id}/confirm", {"otp": otp})  # another key: paid, not debited again
    assert again.status_code == 200 and again.json() == body
    assert balance(ready_card) == before - listing.price
    assert debits(ready_card) == 1 and differences() == []
    card = Card.objects.get(pk=ready_card.pk)
    assert card.first_purchase_at is not None


def test_400_otp_invalid_with_attempts_left_then_409_payment_failed(api, started, ready_card):
    payment_id, otp = started
    wrong = "000000" if otp != "000000" else "111111"
    for left in (2, 1):
        error = error_of(api.post(f"/payments/{payment_id}/confirm", {"otp": wrong}), 400)
        assert error["code"] == "otp_invalid" and error["attempts_left"] == left
    assert error_of(api.post(f"/payments/{payment_id}/confirm", {"otp": wrong}), 409)["code"] == "payment_failed"
    for _ in range(2):  # the right OTP, too late: always payment_failed
        assert error_of(api.post(f"/payments/{payment_id}/confirm", {"otp": otp}), 409)["code"] == "payment_failed"
    assert debits(ready_card) == 0
    assert api.get(f"/payments/{payment_id}").json()["status"] == "failed"


def test_410_otp_expired(api, started, ready_card):
    payment_id, otp = started
    Payment.objects.filter(public_id=payment_id).update(otp_expires_at=timezone.now() - timedelta(seconds=1))
    assert api.get(f"/payments/{payment_id}").json()["status"] == "expired"
    for _ in range(2):
        assert error_of(api.post(f"/payments/{payment_id}/confirm", {"otp": otp}), 410)["code"] == "otp_expired"
    assert debits(ready_card) == 0
    assert api.get(f"/payments/{payment_id}").json()["status"] == "expired"


def test_a_confirm_when_the_balance_went_meanwhile_gets_409_insufficient_balance(api, platform, make_listing,
                                                                                  ready_card, card_number, queued):
    price = balance(ready_card) // 2 + 1
    first = api.post("/payments", start_body(card_number, make_listing(platform, price=price))).json()["payment_id"]
    first_otp = sent_otp(first)
    second = api.post("/payments", start_body(card_number, make_listing(platform, price=price))).json()["payment_id"]
    second_otp = sent_otp(second)
    assert api.post(f"/payments/{first}/confirm", {"otp": first_otp}).status_code == 200
    refused = api.post(f"/payments/{second}/confirm", {"otp": second_otp})
    assert error_of(refused, 409)["code"] == "insufficient_balance"
    assert balance(ready_card) >= 0 and debits(ready_card) == 1


def test_a_card_revoked_after_the_start_is_refused_at_confirm(api, started, ready_card):
    payment_id, otp = started
    Card.objects.filter(pk=ready_card.pk).update(status="revoked", ended_at=timezone.now())
    assert error_of(api.post(f"/payments/{payment_id}/confirm", {"otp": otp}), 403)["code"] == "card_inactive"
    assert debits(ready_card) == 0


def test_a_cancelled_payment_cannot_be_confirmed(api, started, ready_card):
    payment_id, otp = started
    assert api.post(f"/payments/{payment_id}/cancel", {}).status_code == 200
    assert error_of(api.post(f"/payments/{payment_id}/confirm", {"otp": otp}), 409)["code"] == "payment_cancelled"
    assert debits(ready_card) == 0


def test_404_confirming_another_platforms_payment(started, make_listing):
    payment_id, otp = started
    make_partner("platform", "bukalapak")
    response = PartnerClient(Client(), "bukalapak").post(f"/payments/{payment_id}/confirm", {"otp": otp})
    assert error_of(response, 404)["code"] == "payment_not_found"
    assert Payment.objects.get(public_id=payment_id).status == "otp_sent"


# --- POST /payments/{id}/cancel ---------------------------------------------------------------

def test_cancelling_a_paid_payment_refunds_it(api, paid, ready_card, listing):
    before = balance(ready_card)
    response = api.post(f"/payments/{paid}/cancel", {})
    assert response.status_code == 200, response.content
    assert response.json() == {"payment_id": paid, "status": "cancelled", "refunded_amount": listing.price}
    assert balance(ready_card) == before + listing.price and differences() == []
    again = api.post(f"/payments/{paid}/cancel", {})  # another key: nothing more moves
    assert again.status_code == 200 and balance(ready_card) == before + listing.price
    assert again.json()["refunded_amount"] == listing.price  # what the cancel refunded, said again
    refund = Transaction.objects.get(kind="refund")
    assert refund.amount == listing.price and refund.actor_label == "partner:tokopedia"  # who moved the money
    payment = Payment.objects.get(public_id=paid)
    assert payment.cancelled_at is not None and payment.cancelled_by == "partner:tokopedia"
    event = AuditEntry.objects.get(action="payment.cancel")
    assert (event.actor_label, event.reason, event.data) == ("partner:tokopedia", "",
                                                              {"payment": paid, "refunded": listing.price})


def test_cancelling_an_unpaid_payment_moves_nothing(api, started, ready_card):
    payment_id, _otp = started
    before = balance(ready_card)
    response = api.post(f"/payments/{payment_id}/cancel", {})
    assert response.json() == {"payment_id": payment_id, "status": "cancelled", "refunded_amount": 0}
    assert balance(ready_card) == before
    again = api.post(f"/payments/{payment_id}/cancel", {})  # another key
    assert again.json() == {"payment_id": payment_id, "status": "cancelled", "refunded_amount": 0}


def test_409_already_redeemed(api, paid, ready_card):
    Payment.objects.filter(public_id=paid).update(redeemed_at=timezone.now())
    before = balance(ready_card)
    assert error_of(api.post(f"/payments/{paid}/cancel", {}), 409)["code"] == "already_redeemed"
    assert balance(ready_card) == before
    assert api.get(f"/payments/{paid}").json()["status"] == "paid"


def test_404_cancelling_another_platforms_payment(paid, ready_card):
    make_partner("platform", "bukalapak")
    response = PartnerClient(Client(), "bukalapak").post(f"/payments/{paid}/cancel", {})
    assert error_of(response, 404)["code"] == "payment_not_found"
    assert Payment.objects.get(public_id=paid).status == "paid"


# --- GET /payments/{id} -------------------------------------------------------------------------

def test_get_an_unpaid_then_a_paid_then_a_cancelled_payment(api, started, listing):
    payment_id, otp = started
    body = api.get(f"/payments/{payment_id}").json()
    assert body["status"] == "otp_sent" and body["amount"] == listing.price and body["voucher_code"] is None
    assert set(body) == {"payment_id", "status", "amount", "voucher_code", "created_at"}
    voucher = api.post(f"/payments/{payment_id}/confirm", {"otp": otp}).json()["voucher_code"]
    body = api.get(f"/payments/{payment_id}").json()
    assert body["status"] == "paid" and body["voucher_code"] == voucher
    api.post(f"/payments/{payment_id}/cancel", {})
    assert api.get(f"/payments/{payment_id}").json()["status"] == "cancelled"


def test_another_partners_payment_is_404(started):
    payment_id, _otp = started
    make_partner("platform", "bukalapak")
    response = PartnerClient(Client(), "bukalapak").get(f"/payments/{payment_id}")
    assert error_of(response, 404)["code"] == "payment_not_found"


def test_an_unknown_payment_is_404(api):
    response = api.get("/payments/00000000-0000-4000-8000-000000000000")
    assert error_of(response, 404)["code"] == "payment_not_found"


def test_no_personal_data_of_the_cardholder_in_answers(api, started, ready_card):
    payment_id, _otp = started
    profile = Profile.objects.get(user=ready_card.user)
    text = api.get(f"/payments/{payment_id}").content.decode()
    assert profile.phone not in text and ready_card.user.email not in text
