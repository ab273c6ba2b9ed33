"""The contract's remaining refusals over real HTTP (issue 18, conformance): a live server, signatures computed
by the standard library (tests/partners/test_api_live.py's ``Partner``), never the test client.

test_api_live.py sends the happy path and the first refusals; these are the rows of the contract it does not:
a listing not sold here, a card bound to another platform user, an expired OTP, another platform's payment, a
partner of the wrong type, a disabled partner, and the provider's refusals (code used, code replaced,
purchase cancelled, a report held for review, a second report).
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from prakerja.learning.models import Payment
from prakerja.learning.redemptions import redeem_code_replace
from prakerja.partners.models import Partner as PartnerRow
from tests.partners.conftest import MESSAGES, make_partner, start_body
from tests.partners.test_api_live import Partner
from tests.partners.test_payment_flow import sent_otp

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def partner(live_server, platform):
    return Partner(live_server.url)


@pytest.fixture
def listing(platform, make_listing):
    """Rp 100,000: several purchases fit the card's Rp 1,000,000."""
    return make_listing(platform, price=100_000)


@pytest.fixture
def lp(live_server, provider):
    return Partner(live_server.url, client_code=provider.code)


def refused(answer, status: int, code: str) -> dict:
    got, body, _headers = answer
    assert (got, body.get("error", {}).get("code")) == (status, code), body
    if code in MESSAGES:
        assert body["error"]["message"] == MESSAGES[code]
    return body["error"]


def buy(partner, card_number, listing, **overrides) -> tuple[str, str]:
    """A paid purchase: its id and its redeem code (which reaches the participant, not the platform)."""
    status, started, _ = partner.call("POST", "/payments", start_body(card_number, listing, **overrides))
    assert status == 201, started
    payment_id = started["payment_id"]
    status, paid, _ = partner.call("POST", f"/payments/{payment_id}/confirm", {"otp": sent_otp(payment_id)})
    assert status == 200, paid
    return payment_id, Payment.objects.get(public_id=payment_id).redeem_code


def test_the_platforms_refusals_over_http(partner, live_server, ready_card, card_number, listing, queued, undelivered):
    refused(partner.call("POST", "/payments", start_body(card_number, listing, listing_code="TKP-99999")),
            404, "listing_not_found")
    payment_id, _code = buy(partner, card_number, listing)
    refused(partner.call("POST", "/payments", start_body(card_number, listing, platform_user_id="u-someone-else",
                                                         platform_order_id="INV-2")),
            409, "card_bound_to_other_user")
    # The OTP's five minutes are over: the confirm says so.
    status, started, _ = partner.call("POST", "/payments", start_body(card_number, listing, platform_order_id="INV-3"))
    assert status == 201, started
    Payment.objects.filter(public_id=started["payment_id"]).update(
        otp_expires_at=timezone.now() - timedelta(seconds=1))
    refused(partner.call("POST", f"/payments/{started['payment_id']}/confirm", {"otp": "123456"}), 410, "otp_expired")
    # Another platform neither sees nor touches this platform's payment.
    make_partner("platform", "bukalapak")
    other = Partner(live_server.url, client_code="bukalapak")
    refused(other.call("GET", f"/payments/{payment_id}"), 404, "payment_not_found")
    refused(other.call("POST", f"/payments/{payment_id}/cancel", {}), 404, "payment_not_found")
    assert Payment.objects.get(public_id=payment_id).status == "paid"


def test_the_wrong_kind_of_partner_and_a_disabled_one_over_http(partner, lp, ready_card, card_number, listing,
                                                                queued, undelivered):
    refused(lp.call("POST", "/payments", start_body(card_number, listing)), 403, "wrong_partner_type")
    refused(partner.call("POST", "/redemptions/status", {"redeem_code": "Q" * 12}), 403, "wrong_partner_type")
    row = PartnerRow.objects.get(code="tokopedia")
    row.enabled = False
    row.save(update_fields=["enabled"])  # as an operator's change does: the cached credentials go with it
    refused(partner.call("POST", "/payments", start_body(card_number, listing)), 401, "unauthorized")
    assert not Payment.objects.exists()


def test_the_providers_refusals_over_http(partner, lp, ready_card, card_number, listing, queued, undelivered, operator):
    get_user_model().objects.filter(pk=ready_card.user_id).update(full_name="Siti Rahma", email="siti@example.id")
    # Used once, then the platform may no longer cancel it.
    payment_id, code = buy(partner, card_number, listing)
    status, body, _ = lp.call("POST", "/redemptions/commit", {"redeem_code": code})
    assert status == 200, body
    refused(lp.call("POST", "/redemptions/commit", {"redeem_code": code}), 409, "redeem_code_used")
    refused(partner.call("POST", f"/payments/{payment_id}/cancel", {}), 409, "already_redeemed")
    # A report that does not match the buyer is held, and a second report is refused.
    report = {"redeem_code": code, "completed_at": "2026-11-20T10:00:00+07:00",
              "certificate_number": "LP-2026-000123", "certificate_url": "https://lp.example.id/c/LP-2026-000123",
              "score": 87, "participant": {"name": "Siti Rahma", "email": "lain@example.id", "phone": "081234567890"}}
    status, held, _ = lp.call("POST", "/completions", report)
    assert (status, held["status"]) == (202, "held_for_review"), held
    refused(lp.call("POST", "/completions", report), 409, "already_completed")
    # A purchase cancelled by its platform, and a code an operator replaced.
    cancelled_id, cancelled = buy(partner, card_number, listing, platform_order_id="INV-4")
    assert partner.call("POST", f"/payments/{cancelled_id}/cancel", {})[0] == 200
    refused(lp.call("POST", "/redemptions/commit", {"redeem_code": cancelled}),
            409, "transaction_cancelled")
    _replaced_id, replaced = buy(partner, card_number, listing, platform_order_id="INV-5")
    redeem_code_replace(payment=Payment.objects.get(redeem_code=replaced), actor=operator,
                        reason="Kode tersebar di grup WhatsApp")
    refused(lp.call("POST", "/redemptions/commit", {"redeem_code": replaced}),
            409, "redeem_code_cancelled")
