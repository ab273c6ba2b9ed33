import json
import time

import pytest
from django.utils import timezone

from prakerja.catalog.models import Course, Listing, ListingStatus
from prakerja.partners import signing
from prakerja.partners.models import Partner
from prakerja.partners.services import partner_create
from prakerja.registry.models import Profile
from tests.cards.conftest import announced_wave, card, cards, issue, queued, watched  # noqa: F401

BASE = "/api/partner/v1"
SECRET = "sandbox-secret"


def make_partner(kind: str, code: str, *, secret: str = SECRET, **fields) -> Partner:
    partner_create(kind=kind, code=code, name=code.title(), actor=None, secret=secret, **fields)
    return Partner.objects.get(code=code)


@pytest.fixture
def platform(db):
    return make_partner("platform", "tokopedia")


@pytest.fixture
def provider(db):
    return make_partner("provider", "skillnesia")


@pytest.fixture
def make_listing(provider):
    counter = iter(range(1, 10_000))

    def make(platform, *, price=750_000, status=ListingStatus.APPROVED, code=None):
        n = next(counter)
        course = Course.objects.create(provider=provider, code=f"CRS-{n:05d}", title=f"Kursus {n}",
                                       description="Belajar.", category="sales", kind="webinar", hours=8)
        return Listing.objects.create(platform=platform, course=course, price=price, status=status,
                                      code=code or f"TKP-{n:05d}", decided_at=timezone.now())

    return make


@pytest.fixture
def listing(platform, make_listing):
    return make_listing(platform)


@pytest.fixture
def ready_card(card, watched):  # noqa: F811
    """A credited card whose holder watched the videos and has a verified phone."""
    watched(card.user)
    Profile.objects.filter(user=card.user).update(phone="+6281234567890", phone_verified_at=timezone.now())
    card.refresh_from_db()
    return card


@pytest.fixture
def card_number(ready_card):
    from prakerja.registry import crypto

    return crypto.decrypt(ready_card.number_encrypted)


class PartnerClient:
    """A partner's HTTP calls, signed as the contract says, through Django's test client."""

    def __init__(self, client, partner_code: str, secret: str = SECRET):
        self.client, self.code, self.secret = client, partner_code, secret
        self.counter = 0

    def headers(self, method: str, path: str, body: bytes, *, timestamp=None, key=None):
        headers = signing.headers(self.secret, client_code=self.code, timestamp=timestamp or int(time.time()),
                                  method=method, path=path, body=body)
        if method == "POST":
            self.counter += 1
            headers["Idempotency-Key"] = key if key is not None else f"k-{self.counter}-{time.time_ns()}"
        return headers

    def post(self, path: str, data: dict, *, key=None, timestamp=None, headers=None):
        body = json.dumps(data).encode()
        signed = self.headers("POST", BASE + path, body, timestamp=timestamp, key=key)
        signed.update(headers or {})
        return self.client.generic("POST", BASE + path, body, content_type="application/json", headers=signed)

    def get(self, path: str, *, timestamp=None):
        return self.client.get(BASE + path, headers=self.headers("GET", BASE + path, b"", timestamp=timestamp))


@pytest.fixture
def api(client, platform):
    return PartnerClient(client, platform.code)


def buyer(**overrides) -> dict:
    return {"name": "Siti Rahma", "email": "siti@example.id", "phone": "+6281234567890", **overrides}


def start_body(card_number: str, listing, **overrides) -> dict:
    return {"card_number": card_number, "listing_code": listing.code, "platform_order_id": "INV/2026/11/0001",
            "platform_user_id": "u-88213", "buyer": buyer(), **overrides}


# What the participant is shown for each refusal of a payment (TRN-2): Indonesian, whatever the request.
MESSAGES = {
    "card_not_found": "Nomor kartu tidak ditemukan.",
    "card_inactive": "Kartu ini tidak dapat digunakan untuk membeli pelatihan saat ini.",
    "listing_not_found": "Pelatihan ini tidak dijual di platform ini.",
    "insufficient_balance": "Saldo tidak mencukupi",
    "card_bound_to_other_user": "Kartu ini sudah digunakan oleh akun lain di platform ini.",
    "payment_not_found": "Pembayaran tidak ditemukan.",
    "payment_failed": "Pembayaran gagal: OTP salah dimasukkan tiga kali.",
    "payment_cancelled": "Transaksi sudah dibatalkan",
    "otp_expired": "Kode OTP sudah kedaluwarsa. Mulai pembayaran lagi.",
    "otp_invalid": "Kode OTP salah.",
    "already_redeemed": "Kode redeem sudah digunakan",
}


def error_of(response, status: int) -> dict:
    """The contract's error body of a refusal, after checking its status, its shape and (for a payment's
    refusals) the Indonesian message the participant is shown."""
    assert response.status_code == status, (response.status_code, response.content)
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str), body
    assert body["error"]["message"], body
    if body["error"]["code"] in MESSAGES:
        assert body["error"]["message"] == MESSAGES[body["error"]["code"]], body
    return body["error"]


@pytest.fixture
def undelivered(monkeypatch):
    """One-message deliveries (an OTP's SMS) kept here, not sent: a delivered OTP's body is erased, and whether
    it is delivered would otherwise hang on whether something listens at the SMS gateway's address (the
    sandbox of a running ``make run``)."""
    ids = []
    monkeypatch.setattr("prakerja.notifications.tasks.deliver_message", ids.append)
    return ids
