"""Bad input gets 422 invalid_request with `fields`, never a 500; every non-2xx answer is the error body."""

import pytest

from prakerja.learning.models import Payment
from tests.partners.conftest import BASE, error_of, start_body

PAYMENT = "00000000-0000-4000-8000-000000000000"


def raw_post(api, client, path: str, body: bytes, content_type="application/json"):
    headers = api.headers("POST", BASE + path, body)
    return client.generic("POST", BASE + path, body, content_type=content_type, headers=headers)


@pytest.mark.parametrize("body", [b"{not json", b"", b"\xff\xfe", b'{"card_number": "5',  b"null", b"[]", b'"x"',
                                  b"42"])
def test_a_body_that_is_not_a_json_object_gets_422(api, client, body):
    error = error_of(raw_post(api, client, "/payments", body), 422)
    assert error["code"] == "invalid_request" and error["fields"]


def test_a_body_sent_as_another_content_type_is_still_read_as_json(api, client, listing):
    body = b'{"card_number": "5000000000000001", "listing_code": "x"}'
    error = error_of(raw_post(api, client, "/payments", body, content_type="text/plain"), 422)
    assert set(error["fields"]) == {"platform_order_id", "platform_user_id", "buyer"}


def test_missing_fields_are_each_named(api, listing):
    error = error_of(api.post("/payments", {}), 422)
    assert error["code"] == "invalid_request"
    assert set(error["fields"]) == {"card_number", "listing_code", "platform_order_id", "platform_user_id", "buyer"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"card_number": 5000000000000001}, "card_number"),
    ({"card_number": None}, "card_number"),
    ({"listing_code": ["TKP-1"]}, "listing_code"),
    ({"platform_order_id": ""}, "platform_order_id"),
    ({"platform_user_id": "u" * 65}, "platform_user_id"),
    ({"buyer": "Siti"}, "buyer"),
    ({"buyer": {"name": "Siti", "email": "not-an-email", "phone": "+6281234567890"}}, "buyer.email"),
    ({"buyer": {"name": "", "email": "siti@example.id", "phone": "+6281234567890"}}, "buyer.name"),
    ({"buyer": {"name": "Siti", "email": "siti@example.id"}}, "buyer.phone"),
])
def test_wrong_types_and_values_name_the_field(api, listing, changes, field):
    body = {**start_body("5000000000000001", listing), **changes}
    error = error_of(api.post("/payments", body), 422)
    assert error["code"] == "invalid_request", error
    assert any(name == field or name.startswith(field + ".") for name in error["fields"]), error
    assert not Payment.objects.exists()


@pytest.mark.parametrize("otp", [None, 123456, "", "1" * 13, ["123456"]])
def test_a_confirm_with_a_bad_otp_field_gets_422(api, otp):
    error = error_of(api.post(f"/payments/{PAYMENT}/confirm", {"otp": otp}), 422)
    assert "otp" in error["fields"]


@pytest.mark.parametrize("path", ["/payments/not-a-uuid", "/payments/1", f"/payments/{PAYMENT}x"])
def test_a_payment_id_that_is_not_a_uuid_gets_422(api, path):
    assert "payment_id" in error_of(api.get(path), 422)["fields"]


def test_an_unknown_path_gets_the_error_body(api):
    assert error_of(api.get("/nothing-here"), 404)["code"] == "not_found"


def test_a_wrong_method_gets_405_with_the_error_body(api, client):
    path = BASE + "/payments"
    response = client.generic("DELETE", path, b"", headers=api.headers("DELETE", path, b""))
    assert error_of(response, 405)["code"] == "method_not_allowed"
    assert response["Allow"] == "POST"


def test_error_messages_are_indonesian_for_the_participant(api, ready_card, card_number, make_listing, platform,
                                                           queued):
    expensive = make_listing(platform, price=ready_card.account.balance + 1)
    error = error_of(api.post("/payments", start_body(card_number, expensive)), 409)
    assert error == {"code": "insufficient_balance", "message": "Saldo tidak mencukupi"}
