"""PRV-5: a training provider's calls about a redeem code name the purchase in their audit row, so the participant
sees them ("Siapa yang mengakses data saya"): answers, replays and refusals alike. A code that is not this
provider's (nobody's, or another provider's) names nobody, and the two rows cannot be told apart."""

import pytest
from django.utils import translation

from prakerja.audit.models import AuditEntry
from prakerja.learning.models import Payment
from prakerja.learning.redemptions import redeem_code_replace
from prakerja.mydata.selectors import accesses_of
from tests.partners.conftest import PartnerClient, make_partner, start_body
from tests.partners.test_api_payments import paid, started  # noqa: F401
from tests.partners.test_api_redemptions import code, completion_body, holder, lp  # noqa: F401

pytestmark = pytest.mark.django_db
PROVIDER = "Training provider: Skillnesia"


def last_call(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=f"partner_api.{action}").order_by("-id").first()


def test_every_call_about_a_code_names_its_purchase(lp, code, paid, holder):  # noqa: F811
    calls = [
        ("redemption_status", 200, lambda: lp.post("/redemptions/status", {"redeem_code": code}, key="s1")),
        ("redemption_status", 200, lambda: lp.post("/redemptions/status", {"redeem_code": code}, key="s1")),  # replay
        ("redemption_commit", 200, lambda: lp.post("/redemptions/commit", {"redeem_code": code})),
        ("redemption_commit", 409, lambda: lp.post("/redemptions/commit", {"redeem_code": code})),  # used
        ("redemption_status", 200, lambda: lp.post("/redemptions/status", {"redeem_code": code.lower()})),
        ("completion_report", 202, lambda: lp.post("/completions", completion_body(code))),
        ("completion_report", 409, lambda: lp.post("/completions", completion_body(code))),  # already completed
    ]
    for action, status, call in calls:
        response = call()
        assert response.status_code == status, (action, response.content)
        row = last_call(action)
        assert (row.data["status"], row.data["payment"]) == (status, paid), (action, row.data)
        assert row.actor_label == "partner:skillnesia"
    assert last_call("redemption_status").data.get("replayed") is None
    assert AuditEntry.objects.filter(action="partner_api.redemption_status", data__replayed=True).count() == 1
    with translation.override("en"):
        provider_rows = [(a.who, a.what) for a in accesses_of(holder) if a.who == PROVIDER]
    assert provider_rows == [
        (PROVIDER, "Training completion reported, with your name, email and phone (refused)"),
        (PROVIDER, "Training completion reported, with your name, email and phone"),
        (PROVIDER, "Redeem code checked by the training provider"),
        (PROVIDER, "Redeem code used: training started (refused)"),
        (PROVIDER, "Redeem code used: training started"),
        (PROVIDER, "Redeem code checked by the training provider"),  # the replay: the answer given again
        (PROVIDER, "Redeem code checked by the training provider"),
    ]


def test_a_replaced_code_still_names_its_purchase_to_its_own_provider(lp, code, paid, holder, operator):  # noqa: F811
    redeem_code_replace(payment=Payment.objects.get(redeem_code=code), actor=operator, reason="Kode tersebar")
    assert lp.post("/redemptions/status", {"redeem_code": code}).json()["status"] == "cancelled"
    assert last_call("redemption_status").data["payment"] == paid
    assert lp.post("/redemptions/commit", {"redeem_code": code}).status_code == 409
    assert last_call("redemption_commit").data == {**last_call("redemption_commit").data, "payment": paid,
                                                   "code": "redeem_code_cancelled"}


def test_a_code_not_this_providers_names_nobody_alike(client, lp, code, paid, holder):  # noqa: F811
    other = PartnerClient(client, make_partner("provider", "kelasku").code)
    rows = []
    for caller, redeem_code in ((other, code), (other, "ZZZZZZZZZZZZ"), (lp, "ZZZZZZZZZZZZ")):
        for path, body in (("/redemptions/status", {"redeem_code": redeem_code}),
                           ("/redemptions/commit", {"redeem_code": redeem_code}),
                           ("/completions", completion_body(redeem_code))):
            assert caller.post(path, body).status_code in (403, 404)
            row = AuditEntry.objects.filter(action__startswith="partner_api.").order_by("-id").first()
            rows.append(row.data)
    assert all(data["payment"] == "" for data in rows), rows
    # Another provider's code and a code nobody issued leave the same row but for the contract's answer.
    for theirs, nobodys in zip(rows[:3], rows[3:6], strict=True):
        assert set(theirs) == set(nobodys) == {"status", "code", "idempotency_key", "payment"}
        assert (theirs["code"], nobodys["code"]) == ("redeem_code_wrong_provider", "redeem_code_not_found")
    with translation.override("en"):
        assert not [a for a in accesses_of(holder) if a.who.startswith("Training provider")]


def test_a_replayed_payment_start_names_its_payment(api, ready_card, card_number, listing, queued):
    first = api.post("/payments", start_body(card_number, listing), key="order-1")
    again = api.post("/payments", start_body(card_number, listing), key="order-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    rows = AuditEntry.objects.filter(action="partner_api.payment_start").order_by("id")
    assert [(row.data["payment"], row.data.get("replayed", False)) for row in rows] == [
        (first.json()["payment_id"], False), (first.json()["payment_id"], True)]
