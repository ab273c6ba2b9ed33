"""Idempotency-Key: required on every POST, a replay gets the first answer, another body gets 409, per partner."""

import pytest
from django.test import Client

from prakerja.learning.models import Payment
from prakerja.notifications.models import Message
from prakerja.partners.models import IdempotencyRecord
from tests.partners.conftest import BASE, PartnerClient, error_of, make_partner, start_body


@pytest.mark.parametrize("key", ["", "x" * 65, "a\tb", "new\x7fline"], ids=["empty", "65 chars", "tab", "DEL"])
def test_a_missing_too_long_or_non_printable_key_is_refused(api, client, listing, key):
    response = api.post("/payments", start_body("5000000000000001", listing), key=key)
    error = error_of(response, 422)
    assert error["code"] == "invalid_request" and "Idempotency-Key" in error["fields"]
    assert not IdempotencyRecord.objects.exists()


def test_a_post_without_the_header_is_refused(api, client, listing):
    body = b'{"otp": "123456"}'
    path = BASE + "/payments/00000000-0000-4000-8000-000000000000/confirm"
    headers = api.headers("POST", path, body)
    del headers["Idempotency-Key"]
    response = client.generic("POST", path, body, content_type="application/json", headers=headers)
    assert "Idempotency-Key" in error_of(response, 422)["fields"]


@pytest.mark.parametrize("key", ["a", "x" * 64, "~!@#$%^&*() []{}"], ids=["1 char", "64 chars", "symbols"])
def test_keys_of_1_to_64_printable_characters_are_accepted(api, ready_card, card_number, listing, queued, key):
    assert api.post("/payments", start_body(card_number, listing), key=key).status_code == 201


def test_the_same_key_and_body_replay_the_first_answer(api, ready_card, card_number, listing, queued):
    first = api.post("/payments", start_body(card_number, listing), key="order-1")
    again = api.post("/payments", start_body(card_number, listing), key="order-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1 and Message.objects.filter(template="payment_otp").count() == 1


def test_a_refusal_is_replayed_with_its_status(api, listing):
    first = api.post("/payments", start_body("5000000000000001", listing), key="miss-1")
    again = api.post("/payments", start_body("5000000000000001", listing), key="miss-1")
    assert error_of(first, 404) == error_of(again, 404)
    assert error_of(first, 404)["code"] == "card_not_found"


def test_the_same_key_with_another_body_gets_409(api, ready_card, card_number, listing, queued):
    assert api.post("/payments", start_body(card_number, listing), key="order-1").status_code == 201
    other = api.post("/payments", start_body(card_number, listing, platform_order_id="INV-2"), key="order-1")
    assert error_of(other, 409)["code"] == "idempotency_key_reused"
    assert Payment.objects.count() == 1


def test_the_same_key_on_another_path_gets_409(api, ready_card, card_number, listing, queued):
    payment_id = api.post("/payments", start_body(card_number, listing), key="k").json()["payment_id"]
    response = api.post(f"/payments/{payment_id}/cancel", {}, key="k")
    assert error_of(response, 409)["code"] == "idempotency_key_reused"
    assert Payment.objects.get().status == "otp_sent"


def test_keys_are_scoped_per_partner(api, platform, make_listing, ready_card, card_number, queued):
    other = make_partner("platform", "bukalapak")
    mine, theirs = make_listing(platform), make_listing(other)
    assert api.post("/payments", start_body(card_number, mine), key="shared").status_code == 201
    response = PartnerClient(Client(), "bukalapak").post("/payments", start_body(card_number, theirs), key="shared")
    assert response.status_code == 201, response.content
    assert response.json()["payment_id"] != Payment.objects.filter(listing=mine).get().public_id
    assert Payment.objects.count() == 2
