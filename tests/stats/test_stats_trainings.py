"""OPS-3: purchases, completions and certificates counted on their own days, per the card's wave and province."""

from collections import Counter
from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.learning.models import Certificate, Completion, Payment
from prakerja.stats import services
from tests.learning.trainings import purchase
from tests.stats import world

pytestmark = pytest.mark.django_db
TRAININGS = ("purchases", "purchase_amount", "completions_", "certificates")


def expected_trainings() -> Counter:
    found = Counter()

    def add(metric, moment, payment, value=1):
        application = payment.card.application
        day = world.local_day(moment)
        for wave in (0, payment.card.wave.number):
            found[(day, metric, wave, application.province.code)] += value

    for payment in Payment.objects.select_related("card__application__province", "card__wave"):
        if payment.paid_at:
            add("purchases", payment.paid_at, payment)
            add("purchase_amount", payment.paid_at, payment, payment.amount)
            if payment.cancelled_at:
                add("purchases_cancelled", payment.cancelled_at, payment)
    for completion in Completion.objects.select_related("payment__card__application__province", "payment__card__wave"):
        add("completions_reported", completion.reported_at, completion.payment)
        if completion.mismatches:
            add("completions_held", completion.reported_at, completion.payment)
        if completion.decided_at and completion.status in ("accepted", "rejected"):
            add(f"completions_{completion.status}", completion.decided_at, completion.payment)
    for certificate in Certificate.objects.select_related("payment__card__application__province",
                                                          "payment__card__wave"):
        add("certificates", certificate.issued_at, certificate.payment)
    return +found


@pytest.fixture
def trainings(cards, listing, make_listing, platform):
    """Three cards of wave 70 (Jawa Barat); purchases in every state on crafted days."""
    cheap = make_listing(platform, price=250_000)
    d = world.DAYS
    purchase(cards[0], listing, state="finished", paid_at=world.at(d[0], 23, 59), reported_at=world.at(d[1], 0, 1))
    purchase(cards[0], cheap, state="held", paid_at=world.at(d[1], 8), reported_at=world.at(d[2], 9))
    decided = purchase(cards[1], listing, state="held", paid_at=world.at(d[1], 9), reported_at=world.at(d[2], 10))
    Completion.objects.filter(payment=decided).update(status="rejected", decided_at=world.at(d[3], 11),
                                                      decision_reason="Nama tidak cocok dengan akun.")
    accepted = purchase(cards[2], cheap, state="held", paid_at=world.at(d[2], 7), reported_at=world.at(d[3], 7))
    Completion.objects.filter(payment=accepted).update(status="accepted", decided_at=world.at(d[4], 7),
                                                       decision_reason="Nama panggilan, orangnya sama.")
    refunded = purchase(cards[2], listing, state="paid", paid_at=world.at(d[3], 12))
    Payment.objects.filter(pk=refunded.pk).update(status="cancelled", cancelled_at=world.at(d[4], 0, 5))
    purchase(cards[1], cheap, state="redeemed", paid_at=world.at(d[5], 13))
    return cards


def test_training_numbers_equal_direct_counts(trainings):
    services.stats_rebuild(since=world.FIRST - timedelta(days=1), until=world.LAST + timedelta(days=1))
    expected = expected_trainings()
    assert {k[1] for k in expected} == {"purchases", "purchase_amount", "purchases_cancelled", "completions_reported",
                                        "completions_held", "completions_accepted", "completions_rejected",
                                        "certificates"}
    assert world.stored(TRAININGS) == world.with_all(expected)
    # The minute before WIB midnight stays on its day.
    assert expected[(world.DAYS[0], "purchases", 0, "32")] == 1


def test_today_is_counted_by_the_periodic_refresh(trainings, listing):
    purchase(trainings[0], listing, state="paid", paid_at=timezone.now())
    services.stats_refresh_recent()
    today = timezone.localdate()
    assert world.stored(("purchases",))[(today, "purchases", 70, "32")] == 1
