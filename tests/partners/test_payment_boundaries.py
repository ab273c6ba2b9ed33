"""The instants where a purchase changes answer (TRN-2, CRD-5, CRD-6), decided by the moment the service is
given, not the clock: the first-purchase deadline, the programme's expiry day and the OTP's five minutes."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from prakerja.learning import services as payments
from prakerja.learning.models import Payment
from prakerja.programme.models import Programme
from tests.partners.conftest import buyer


@pytest.fixture
def start(platform, ready_card, card_number, listing, queued):
    def start(now, order="INV-1"):
        return payments.payment_start(platform=platform, card_number=card_number, listing_code=listing.code,
                                      platform_order_id=order, platform_user_id="u-1", buyer=buyer(), now=now)
    return start


def refusal(call) -> str:
    with pytest.raises(payments.PaymentError) as refused:
        call()
    return refused.value.code


def test_the_first_purchase_deadline_is_the_last_instant_it_is_not(start, ready_card):
    deadline = ready_card.purchase_deadline
    assert start(deadline - timedelta(microseconds=1)).status == "otp_sent"
    assert refusal(lambda: start(deadline, order="INV-2")) == "card_inactive"


def test_the_balance_can_be_spent_on_the_expiry_day_and_not_the_day_after(start, ready_card):
    """CRD-6: balances are forfeited after the expiry date; the day itself, in WIB, still buys."""
    expires = (ready_card.purchase_deadline - timedelta(days=40)).date()
    Programme.objects.filter(pk=ready_card.programme_id).update(balance_expires_on=expires)
    last_moment = timezone.make_aware(datetime.combine(expires, time(23, 59, 59)))  # the project's zone: WIB
    assert start(last_moment).status == "otp_sent"
    assert refusal(lambda: start(last_moment + timedelta(seconds=1), order="INV-2")) == "card_inactive"


def test_an_otp_expires_at_its_instant(start, platform, ready_card):
    from tests.partners.test_payment_flow import sent_otp

    began = timezone.now()
    payment = start(began)
    otp = sent_otp(str(payment.public_id))
    assert refusal(lambda: payments.payment_confirm(platform=platform, payment_id=payment.public_id, otp=otp,
                                                    now=payment.otp_expires_at)) == "otp_expired"
    assert Payment.objects.get(pk=payment.pk).status == "expired"
    assert payments.shown_status(payment, payment.otp_expires_at - timedelta(microseconds=1)) == "otp_sent"
    assert payments.shown_status(payment, payment.otp_expires_at) == "expired"


def test_the_otp_is_six_digits_from_a_million(start, monkeypatch):
    """One in a million per guess (three guesses allowed), zero-padded: never a shorter draw."""
    from tests.partners.test_payment_flow import sent_otp

    bounds = []

    def draw(bound):
        bounds.append(bound)
        return 7

    monkeypatch.setattr(payments.secrets, "randbelow", draw)
    payment = start(timezone.now())
    assert bounds == [10 ** 6]
    assert sent_otp(str(payment.public_id)) == "000007"
    assert payment.otp_hash == payments.otp_digest(payment.public_id, "000007")
