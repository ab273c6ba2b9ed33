"""The API over real HTTP, as a partner calls it: a live server, the standard library, signatures computed here.

Nothing of ours signs these requests: the HMAC is computed from the
contract's words, so a change in how the server reads a request (a proxy's
path, the body's bytes) shows up here and not only in the test client.
"""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid

import pytest

from prakerja.audit.models import AuditEntry
from prakerja.learning.models import Payment
from tests.partners.conftest import SECRET, start_body
from tests.partners.test_payment_flow import sent_otp

pytestmark = pytest.mark.django_db(transaction=True)


class Partner:
    def __init__(self, base_url: str, client_code: str = "tokopedia", secret: str = SECRET):
        self.base_url, self.client_code, self.secret = base_url, client_code, secret

    def call(self, method: str, path: str, payload=None, *, key=None, timestamp=None, raw: bytes | None = None):
        full_path = "/api/partner/v1" + path
        body = raw if raw is not None else (b"" if payload is None else json.dumps(payload).encode())
        timestamp = str(timestamp or int(time.time()))
        message = (self.client_code + timestamp + method + full_path).encode() + body
        headers = {"X-Client-Code": self.client_code, "X-Timestamp": timestamp,
                   "X-Signature": hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest(),
                   "Content-Type": "application/json"}
        if method == "POST":
            headers["Idempotency-Key"] = key or str(uuid.uuid4())
        request = urllib.request.Request(self.base_url + full_path, data=body if method == "POST" else None,
                                         headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the live server)
                return response.status, json.loads(response.read()), response.headers
        except urllib.error.HTTPError as refusal:
            return refusal.code, json.loads(refusal.read()), refusal.headers


@pytest.fixture
def partner(live_server, platform):
    return Partner(live_server.url)


def test_a_purchase_end_to_end_over_http(partner, ready_card, card_number, listing, queued, undelivered):
    status, started, _ = partner.call("POST", "/payments", start_body(card_number, listing), key="order-1")
    assert status == 201 and started["status"] == "otp_sent", started
    payment_id = started["payment_id"]
    otp = sent_otp(payment_id)
    wrong = "000000" if otp != "000000" else "111111"
    status, refused, _ = partner.call("POST", f"/payments/{payment_id}/confirm", {"otp": wrong})
    assert (status, refused["error"]["code"], refused["error"]["attempts_left"]) == (400, "otp_invalid", 2)
    status, paid, _ = partner.call("POST", f"/payments/{payment_id}/confirm", {"otp": otp}, key="confirm-1")
    assert status == 200 and paid["status"] == "paid" and paid["voucher_code"], paid
    # A retry after a timeout: same key, same body, the same answer, marked as a replay.
    status, again, headers = partner.call("POST", f"/payments/{payment_id}/confirm", {"otp": otp}, key="confirm-1")
    assert (status, again, headers["Idempotent-Replayed"]) == (200, paid, "true")
    status, state, _ = partner.call("GET", f"/payments/{payment_id}")
    assert status == 200 and state["status"] == "paid" and state["voucher_code"] == paid["voucher_code"]
    status, cancelled, _ = partner.call("POST", f"/payments/{payment_id}/cancel", {})
    assert status == 200 and cancelled["refunded_amount"] == listing.price
    assert Payment.objects.get().status == "cancelled"
    assert AuditEntry.objects.filter(action__startswith="partner_api.").count() == 6


def test_refusals_over_http(partner, live_server, ready_card, card_number, listing, queued):
    status, body, _ = partner.call("POST", "/payments", start_body("5000000000000001", listing))
    assert (status, body["error"]["code"]) == (404, "card_not_found")
    status, body, _ = partner.call("POST", "/payments", raw=b'{"card_number": ')
    assert (status, body["error"]["code"]) == (422, "invalid_request") and body["error"]["fields"]
    status, body, _ = partner.call("GET", "/payments/00000000-0000-4000-8000-000000000000",
                                   timestamp=int(time.time()) - 301)
    assert (status, body["error"]["code"]) == (401, "timestamp_invalid")
    status, body, _ = Partner(live_server.url, secret="not-the-secret").call("GET", "/payments/x")
    assert (status, body["error"]["code"]) == (401, "unauthorized")
    status, body, _ = partner.call("POST", "/payments", start_body(card_number, listing), key="k")
    status, body, _ = partner.call("POST", "/payments", start_body(card_number, listing, platform_order_id="2"),
                                   key="k")
    assert (status, body["error"]["code"]) == (409, "idempotency_key_reused")


def test_the_openapi_description_and_docs_are_served(live_server):
    with urllib.request.urlopen(live_server.url + "/api/partner/v1/openapi.json", timeout=10) as response:  # noqa: S310
        schema = json.loads(response.read())
    assert "/api/partner/v1/payments" in schema["paths"]
    with urllib.request.urlopen(live_server.url + "/api/partner/v1/docs", timeout=10) as response:  # noqa: S310
        assert response.status == 200 and b"swagger-ui" in response.read()
