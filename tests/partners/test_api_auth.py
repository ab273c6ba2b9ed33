"""The contract's signing rules: who gets 401 and 403, timestamps, secret rotation, the test vector."""

import json
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from prakerja.partners import signing
from prakerja.partners.services import partner_secret_rotate
from tests.partners.conftest import BASE, SECRET, PartnerClient, error_of, make_partner


def test_the_contracts_signature_test_vector():
    body = b'{"card_number":"5000000000000001"}'
    assert signing.signature("sandbox-secret", client_code="tokopedia", timestamp="1763800000", method="POST",
                             path="/api/partner/v1/payments", body=body) == (
        "7b8fb0118f6619c84c3efcdf8084c94497dcfec2188d5f6413b81e493b84ea91")


def test_the_test_vector_verifies_against_a_stored_secret(platform):
    from prakerja.partners.services import signature_valid

    assert signature_valid(platform, timestamp="1763800000", method="POST", path="/api/partner/v1/payments",
                           body=b'{"card_number":"5000000000000001"}',
                           given="7b8fb0118f6619c84c3efcdf8084c94497dcfec2188d5f6413b81e493b84ea91")


def test_secrets_are_stored_encrypted(platform):
    [row] = platform.secrets.all()
    assert SECRET not in row.secret_encrypted


def unknown_payment() -> str:
    return "/payments/00000000-0000-4000-8000-000000000000"


def test_a_signed_call_gets_through(api):
    # The payment does not exist: 404 payment_not_found proves the signature was accepted.
    assert error_of(api.get(unknown_payment()), 404)["code"] == "payment_not_found"


def signed(api, **changes) -> dict:
    headers = api.headers("GET", BASE + unknown_payment(), b"")
    headers.update(changes)
    return {name: value for name, value in headers.items() if value is not None}


@pytest.mark.parametrize("changes", [
    {"X-Signature": None},
    {"X-Signature": "0" * 64},
    {"X-Signature": "not-hex"},
    {"X-Client-Code": None},
    {"X-Client-Code": "nobody"},
    {"X-Client-Code": "x" * 100},
], ids=["missing signature", "bad signature", "short signature", "missing client", "unknown client", "long client"])
def test_a_bad_or_missing_signature_or_an_unknown_client_gets_401(api, client, changes):
    response = client.get(BASE + unknown_payment(), headers=signed(api, **changes))
    assert error_of(response, 401)["code"] == "unauthorized"


def test_a_signature_over_another_body_path_or_method_gets_401(api, client):
    body = json.dumps({"otp": "123456"}).encode()
    path = BASE + unknown_payment() + "/confirm"
    for signed_as in [("POST", path, b'{"otp": "654321"}'), ("POST", BASE + "/payments", body), ("GET", path, body)]:
        headers = api.headers(*signed_as)
        headers["Idempotency-Key"] = "k-1"
        response = client.generic("POST", path, body, content_type="application/json", headers=headers)
        assert error_of(response, 401)["code"] == "unauthorized", signed_as


def test_the_query_string_is_not_signed(api, client):
    headers = api.headers("GET", BASE + unknown_payment(), b"")
    response = client.get(BASE + unknown_payment() + "?x=1", headers=headers)
    assert error_of(response, 404)["code"] == "payment_not_found"


def test_the_signature_may_be_sent_in_upper_case(api, client):
    headers = signed(api)
    headers["X-Signature"] = headers["X-Signature"].upper()
    assert error_of(client.get(BASE + unknown_payment(), headers=headers), 404)["code"] == "payment_not_found"


@pytest.mark.parametrize("offset", [-290, 290])
def test_a_timestamp_within_300_seconds_is_accepted(api, offset):
    response = api.get(unknown_payment(), timestamp=int(time.time()) + offset)
    assert error_of(response, 404)["code"] == "payment_not_found"


@pytest.mark.parametrize("offset", [-310, 310, -86400])
def test_a_stale_timestamp_gets_401(api, offset):
    response = api.get(unknown_payment(), timestamp=int(time.time()) + offset)
    assert error_of(response, 401)["code"] == "timestamp_invalid"


@pytest.mark.parametrize("timestamp", [None, "", "abc", "-5", "1.5e9"])
def test_a_missing_or_malformed_timestamp_gets_401(api, client, timestamp):
    response = client.get(BASE + unknown_payment(), headers=signed(api, **{"X-Timestamp": timestamp}))
    assert error_of(response, 401)["code"] in {"timestamp_invalid", "unauthorized"}


def test_a_disabled_partner_gets_401(api, platform):
    assert error_of(api.get(unknown_payment()), 404)["code"] == "payment_not_found"  # known, and now cached
    platform.enabled = False
    platform.save(update_fields=["enabled"])
    assert error_of(api.get(unknown_payment()), 401)["code"] == "unauthorized"


def test_a_provider_calling_a_platform_endpoint_gets_403(client, provider, listing):
    as_provider = PartnerClient(client, provider.code)
    assert error_of(as_provider.get(unknown_payment()), 403)["code"] == "wrong_partner_type"
    refused = as_provider.post("/payments", {"card_number": "5000000000000001", "listing_code": listing.code})
    assert error_of(refused, 403)["code"] == "wrong_partner_type"


def test_the_old_secret_verifies_during_the_grace_and_not_after(client, platform, monkeypatch):
    new = partner_secret_rotate(partner=platform, actor=None).secret
    old_client, new_client = PartnerClient(client, platform.code, SECRET), PartnerClient(client, platform.code, new)
    assert error_of(old_client.get(unknown_payment()), 404)["code"] == "payment_not_found"
    assert error_of(new_client.get(unknown_payment()), 404)["code"] == "payment_not_found"
    # The grace runs out while the partner's secrets sit in the cache: the clock decides, not the cache.
    later = timezone.now() + settings.PARTNER_SECRET_GRACE + timedelta(seconds=1)
    monkeypatch.setattr("prakerja.partners.services.timezone.now", lambda: later)
    assert error_of(old_client.get(unknown_payment()), 401)["code"] == "unauthorized"
    assert error_of(new_client.get(unknown_payment()), 404)["code"] == "payment_not_found"


def test_a_rotation_gives_the_old_secret_the_configured_grace(platform):
    before = timezone.now()
    partner_secret_rotate(partner=platform, actor=None, now=before)
    old = platform.secrets.exclude(retires_at=None).get()
    assert old.retires_at == before + settings.PARTNER_SECRET_GRACE


def test_a_partner_never_verifies_with_another_partners_secret(client, platform):
    make_partner("platform", "bukalapak", secret="bukalapak-secret")
    # tokopedia's secret, bukalapak's client code
    response = PartnerClient(client, "bukalapak", SECRET).get(unknown_payment())
    assert error_of(response, 401)["code"] == "unauthorized"
