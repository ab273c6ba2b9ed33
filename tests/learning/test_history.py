"""TRN-5 "Riwayat Pelatihan": the participant's purchases with their status, codes and certificate, 20 a page.

The helpers here (``purchase``, ``finish``, ``hold``, ``page_of``) build
purchases as the services leave them; test_reviews.py and
test_dashboard_trainings.py use them too.
"""

import itertools
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from prakerja.learning.completions import certificate_issue
from prakerja.learning.models import Completion, CompletionStatus, Payment, PaymentStatus
from prakerja.learning.selectors import purchases_of
from tests.cards.conftest import cards  # noqa: F401

_n = itertools.count(1)


def purchase(card, listing, *, paid_at=None, redeemed=False, cancelled=False) -> Payment:
    """A paid purchase of ``listing`` with ``card``, as payment_confirm leaves it (and redeemed or cancelled)."""
    n = next(_n)
    now = timezone.now()
    paid_at = paid_at or now - timedelta(minutes=n)
    return Payment.objects.create(
        platform=listing.platform, listing=listing, card=card, amount=listing.price,
        platform_order_id=f"INV/2026/{n:05d}", platform_user_id="u-88213", buyer_name=card.user.full_name,
        buyer_email=card.user.email, buyer_phone="+6281234567890",
        status=PaymentStatus.CANCELLED if cancelled else PaymentStatus.PAID, otp_hash="0" * 64,
        otp_expires_at=paid_at, voucher_code=f"VCH{n:07d}", redeem_code=f"RDM{n:07d}", paid_at=paid_at,
        redeemed_at=paid_at + timedelta(hours=1) if redeemed else None,
        cancelled_at=now if cancelled else None)


def _completion(payment, *, status, reported_at, mismatches=()) -> Completion:
    return Completion.objects.create(
        payment=payment, provider=payment.listing.course.provider, completed_at=reported_at,
        reported_at=reported_at, provider_certificate_number="SKN/2026/001",
        certificate_url="https://skillnesia.example/c/1", participant_name=payment.buyer_name,
        participant_email=payment.buyer_email, participant_phone=payment.buyer_phone,
        mismatches=list(mismatches), status=status)


def finish(payment, *, now=None):
    """The provider reported completion, matched: the certificate is issued (TRN-4)."""
    now = now or timezone.now()
    return certificate_issue(_completion(payment, status=CompletionStatus.ACCEPTED, reported_at=now), now=now)


def hold(payment, *, reported_at) -> Completion:
    """A report whose name did not match: held for an operator (TRN-4)."""
    return _completion(payment, status=CompletionStatus.HELD, reported_at=reported_at, mismatches=["name"])


def page_of(client, user, url, language="en") -> str:
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_each_state_has_its_label(ready_card, listing):
    paid = purchase(ready_card, listing)
    redeemed = purchase(ready_card, listing, redeemed=True)
    finished = purchase(ready_card, listing, redeemed=True)
    finish(finished)
    cancelled = purchase(ready_card, listing, cancelled=True)
    found = {p.payment_id: p for p in purchases_of(user_id=ready_card.user_id)}
    assert {key: p.status for key, p in found.items()} == {
        paid.public_id: "paid", redeemed.public_id: "redeemed", finished.public_id: "finished",
        cancelled.public_id: "cancelled"}
    # TRN-3: the redeem code only while it can be used; the voucher until the purchase is cancelled.
    assert {key: p.redeem_code for key, p in found.items()} == {
        paid.public_id: paid.redeem_code, redeemed.public_id: None, finished.public_id: None,
        cancelled.public_id: None}
    assert found[cancelled.public_id].voucher_code is None and found[finished.public_id].voucher_code


@pytest.fixture
def states(ready_card, listing):
    """One purchase in each state, newest first: paid, redeemed, finished, cancelled."""
    now = timezone.now()
    paid = purchase(ready_card, listing, paid_at=now - timedelta(days=1))
    redeemed = purchase(ready_card, listing, paid_at=now - timedelta(days=2), redeemed=True)
    finished = purchase(ready_card, listing, paid_at=now - timedelta(days=3), redeemed=True)
    finish(finished)
    cancelled = purchase(ready_card, listing, paid_at=now - timedelta(days=4), cancelled=True)
    return {"paid": paid, "redeemed": redeemed, "finished": finished, "cancelled": cancelled}


def item(page: str, payment) -> str:
    """The HTML of one purchase in a page."""
    start = page.index(f'id="purchase-{payment.public_id}"')
    return page[start:page.index("</li>", start)]


def test_the_history_lists_each_purchase_with_its_status_label(client, ready_card, states):
    page = page_of(client, ready_card.user, reverse("training_history"))
    labels = {"paid": "Paid", "redeemed": "Redeemed", "finished": "finished", "cancelled": "Cancelled"}
    for state, payment in states.items():
        assert f'<span class="status status-{state}">{labels[state]}</span>' in item(page, payment), state
    ids = [page.index(str(payment.public_id)) for payment in states.values()]
    assert ids == sorted(ids)  # newest first


def test_each_purchase_shows_when_it_was_paid_what_it_cost_and_where(client, ready_card, states, listing):
    paid = states["paid"]
    one = item(page_of(client, ready_card.user, reverse("training_history")), paid)
    day = timezone.localdate(paid.paid_at)
    assert f"paid on {day.day} {day:%B %Y}" in one
    assert "Rp750,000" in one and "bought at Tokopedia" in one and listing.course.title in one


def test_only_a_paid_unredeemed_purchase_shows_its_redeem_code(client, ready_card, states):
    page = page_of(client, ready_card.user, reverse("training_history"))
    paid = item(page, states["paid"])
    assert states["paid"].redeem_code in paid and states["paid"].voucher_code in paid
    assert "Give this redeem code to the training provider to start the training" in paid
    for state in ("redeemed", "finished", "cancelled"):
        assert states[state].redeem_code not in page, state
    assert states["redeemed"].voucher_code in page and states["finished"].voucher_code in page
    assert states["cancelled"].voucher_code not in page


def test_the_certificate_link_and_the_review_button_only_when_finished(client, ready_card, states):
    page = page_of(client, ready_card.user, reverse("training_history"))
    number = states["finished"].certificate.number
    finished = item(page, states["finished"])
    foot = finished[finished.index('class="purchase-foot"'):]
    certificate, review = reverse("certificate_detail", args=[number]), reverse(
        "training_review", args=[states["finished"].public_id])
    assert foot.index(certificate) < foot.index(review)  # the certificate first (bottom left), then "Beri Ulasan"
    assert page.count("/certificates/PKJ-") == 1 and page.count("/review/") == 1


def test_a_reviewed_training_shows_its_stars_instead_of_the_button(client, ready_card, states):
    from prakerja.learning.reviews import review_submit

    review_submit(user=ready_card.user, payment_id=states["finished"].public_id, stars=4,
                  text="Materinya jelas dan praktis sekali.")
    finished = item(page_of(client, ready_card.user, reverse("training_history")), states["finished"])
    assert "Reviewed: 4 stars" in finished and "/review/" not in finished
    assert reverse("certificate_detail", args=[states["finished"].certificate.number]) in finished


def test_unpaid_attempts_are_not_purchases(client, ready_card, listing):
    kept = purchase(ready_card, listing)
    for n, status in enumerate((PaymentStatus.OTP_SENT, PaymentStatus.FAILED, PaymentStatus.EXPIRED)):
        Payment.objects.create(platform=listing.platform, listing=listing, card=ready_card, amount=listing.price,
                               platform_order_id=f"INV/X/{n}", platform_user_id="u-88213", buyer_name="Siti",
                               buyer_email="siti@example.id", buyer_phone="+6281234567890", status=status,
                               otp_hash="0" * 64, otp_expires_at=timezone.now())
    assert [p.payment_id for p in purchases_of(user_id=ready_card.user_id)] == [kept.public_id]
    assert page_of(client, ready_card.user, reverse("training_history")).count('class="purchase"') == 1


def test_a_participant_sees_only_their_own_purchases(client, cards, platform, make_listing):  # noqa: F811
    mine, theirs = cards[0], cards[1]
    listing = make_listing(platform)
    own = purchase(mine, listing)
    other = purchase(theirs, listing, redeemed=True)
    finish(other)
    page = page_of(client, theirs.user, reverse("training_history"))
    assert str(other.public_id) in page and other.voucher_code in page
    assert str(own.public_id) not in page and own.redeem_code not in page and own.voucher_code not in page
    assert page.count('class="purchase"') == 1


def test_the_history_needs_a_login(client, db):
    response = client.get(reverse("training_history"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_twenty_a_page_newest_first(client, ready_card, listing):
    now = timezone.now()
    payments = [purchase(ready_card, listing, paid_at=now - timedelta(hours=n)) for n in range(21)]
    first = page_of(client, ready_card.user, reverse("training_history"))
    second = page_of(client, ready_card.user, reverse("training_history") + "?page=2")
    assert first.count('class="purchase"') == 20 and second.count('class="purchase"') == 1
    assert str(payments[0].public_id) in first and str(payments[20].public_id) in second
    assert "Page 2 of 2" in second


def test_an_empty_history_points_to_the_search(client, ready_card):
    page = page_of(client, ready_card.user, reverse("training_history"))
    assert "You have not bought a training yet." in page and reverse("training_search") in page


HISTORY_QUERIES = 5  # session, user, the page's count, the page of purchases (one query), the bell's unread count


@pytest.mark.parametrize("count", [1, 6])
def test_the_history_takes_a_fixed_number_of_queries(client, ready_card, platform, make_listing, count,
                                                     django_assert_num_queries):
    for n in range(count):  # every state, each with its own course, so nothing is shared between them
        payment = purchase(ready_card, make_listing(platform), redeemed=n % 3 != 0, cancelled=n == 5)
        if n % 3 == 1:
            finish(payment)
        elif n % 3 == 2:
            hold(payment, reported_at=timezone.now() - timedelta(days=30))
    client.force_login(ready_card.user)
    with django_assert_num_queries(HISTORY_QUERIES):
        page = client.get(reverse("training_history")).content.decode()
    assert page.count('class="purchase"') == count
