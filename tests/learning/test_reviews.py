"""TRN-5 "Beri Ulasan": 1 to 5 stars ("Lanjut"), then a written review of 20 to 1000 characters ("Kirim"), once.

The two steps work without JavaScript (the step and the stars travel in
hidden fields); the final POST checks everything again through
review_submit.
"""

import pytest
from django.test import Client
from django.urls import reverse

from prakerja.learning.models import Review
from tests.learning.test_history import cards, finish, page_of, purchase  # noqa: F401

GOOD = "Materinya jelas, praktis, dan mudah diikuti."


@pytest.fixture
def finished(ready_card, listing):
    payment = purchase(ready_card, listing, redeemed=True)
    finish(payment)
    return payment


@pytest.fixture
def signed_in(client, ready_card):
    client.force_login(ready_card.user)
    client.cookies["django_language"] = "en"
    return client


def url(payment) -> str:
    return reverse("training_review", args=[payment.public_id])


def send(client, payment, stars, text):
    return client.post(url(payment), {"step": "text", "stars": stars, "text": text})


def test_step_one_offers_five_stars_with_their_meaning(signed_in, finished):
    page = signed_in.get(url(finished)).content.decode()
    assert page.count('type="radio" name="stars"') == 5
    for label in ("Star 1: very unsatisfied", "Star 3: neither satisfied nor unsatisfied", "Star 5: very satisfied"):
        assert label in page
    assert 'name="step" value="stars"' in page and 'name="text"' not in page


def test_step_two_carries_the_stars_and_asks_for_the_text(signed_in, finished):
    page = signed_in.post(url(finished), {"step": "stars", "stars": "4"}).content.decode()
    assert 'type="hidden" name="stars" value="4"' in page and 'name="step" value="text"' in page
    assert "Star 4: satisfied" in page and "20–1000 characters" in page and "<textarea" in page
    assert f'{url(finished)}?stars=4"' in page  # back to change them, with the choice kept
    again = signed_in.get(url(finished) + "?stars=4").content.decode()
    assert again.count(" checked") == 1 and 'value="4" id="id_stars_3" required checked' in again


@pytest.mark.parametrize("stars", ["", "0", "6", "x"])
def test_step_one_refuses_anything_but_one_to_five_stars(signed_in, finished, stars):
    page = signed_in.post(url(finished), {"step": "stars", "stars": stars}).content.decode()
    assert "Choose from 1 to 5 stars." in page and 'name="text"' not in page


@pytest.mark.parametrize("stars", ["", "0", "6"])
def test_the_last_step_checks_the_stars_again(signed_in, finished, stars):
    page = send(signed_in, finished, stars, GOOD).content.decode()
    assert "Choose from 1 to 5 stars." in page and 'type="radio" name="stars"' in page
    assert not Review.objects.exists()


def test_nineteen_characters_are_too_few(signed_in, finished):
    response = send(signed_in, finished, 5, "x" * 19)
    page = response.content.decode()
    assert response.status_code == 200 and "Write at least 20 characters." in page
    assert 'aria-invalid="true"' in page and "x" * 19 in page  # beside the field, the text kept
    assert not Review.objects.exists()


def test_the_review_is_required(signed_in, finished):
    page = send(signed_in, finished, 5, "   ").content.decode()
    assert "Write your review." in page and 'aria-invalid="true"' in page and not Review.objects.exists()


def test_spaces_do_not_count(signed_in, finished):
    assert "Write at least 20 characters." in send(signed_in, finished, 5, "  " + "x" * 19 + "   ").content.decode()
    assert not Review.objects.exists()


def test_twenty_characters_are_enough_and_the_dashboard_thanks(signed_in, finished, ready_card):
    response = send(signed_in, finished, 4, "x" * 20)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    review = Review.objects.get()
    assert (review.payment_id, review.stars, review.text, review.user_id) == (finished.pk, 4, "x" * 20,
                                                                             ready_card.user_id)
    assert "Thank you for your review." in signed_in.get(response["Location"]).content.decode()


def test_a_thousand_characters_are_the_most(signed_in, finished):
    page = send(signed_in, finished, 3, "x" * 1001).content.decode()
    assert "Write at most 1000 characters." in page and not Review.objects.exists()
    assert send(signed_in, finished, 3, "x" * 1000).status_code == 302


def test_one_review_per_purchase(signed_in, finished):
    assert send(signed_in, finished, 4, GOOD).status_code == 302
    for response in (send(signed_in, finished, 1, "Ternyata kurang bagus, saya ubah."), signed_in.get(url(finished))):
        assert response.status_code == 302 and response["Location"] == reverse("training_history")
    assert Review.objects.get().stars == 4
    assert "You have already reviewed this training." in signed_in.get(reverse("training_history")).content.decode()


def test_another_participants_purchase_is_not_found(client, cards, platform, make_listing):  # noqa: F811
    theirs = purchase(cards[1], make_listing(platform), redeemed=True)
    finish(theirs)
    client.force_login(cards[0].user)
    assert client.get(url(theirs)).status_code == 404
    assert send(client, theirs, 5, GOOD).status_code == 404
    assert not Review.objects.exists()


def test_a_purchase_without_a_certificate_is_not_found(signed_in, ready_card, listing):
    redeemed = purchase(ready_card, listing, redeemed=True)
    assert signed_in.get(url(redeemed)).status_code == 404
    assert send(signed_in, redeemed, 5, GOOD).status_code == 404


def test_signed_out_goes_to_the_login(client, finished):
    response = client.get(url(finished))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_review_needs_the_csrf_token(ready_card, finished):
    client = Client(enforce_csrf_checks=True)
    client.force_login(ready_card.user)
    assert send(client, finished, 5, GOOD).status_code == 403
    assert not Review.objects.exists()
