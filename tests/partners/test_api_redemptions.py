"""The provider endpoints (docs/partner-api.md, TRN-3, TRN-4): redeem codes checked and used, completions reported."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.learning.models import Certificate, Completion, Payment, VoidedRedeemCode
from prakerja.learning.redemptions import redeem_code_replace
from prakerja.partners.models import Partner
from tests.partners.conftest import PartnerClient, error_of, make_partner
from tests.partners.test_api_payments import paid, started  # noqa: F401

# The contract's messages, verbatim (TRN-3): what a provider shows the participant.
NOT_FOUND = "Kode redeem tidak ditemukan"
WRONG_PROVIDER = "Kode redeem bukan milik lembaga pelatihan yang kamu pilih"
USED = "Kode redeem sudah digunakan"
CODE_CANCELLED = "Kode redeem sudah dibatalkan"
TRANSACTION_CANCELLED = "Transaksi sudah dibatalkan"


@pytest.fixture
def lp(client, provider):
    return PartnerClient(client, provider.code)


@pytest.fixture
def holder(ready_card):
    """The cardholder, named as the platform's buyer in start_body (Siti Rahma, siti@example.id, +6281234567890)."""
    user = ready_card.user
    get_user_model().objects.filter(pk=user.pk).update(full_name="Siti  Rahma", email="Siti@Example.id")
    return user


@pytest.fixture
def code(paid, holder):  # noqa: F811
    return Payment.objects.get(public_id=paid).redeem_code


def completion_body(code: str, **overrides) -> dict:
    return {"redeem_code": code, "completed_at": "2026-11-20T10:00:00+07:00",
            "certificate_number": "LP-2026-000123", "certificate_url": "https://lp.example.id/c/LP-2026-000123",
            "score": 87, "participant": {"name": "siti rahma", "email": "siti@example.id", "phone": "081234567890"},
            **overrides}


# --- POST /redemptions/status --------------------------------------------------------------

def test_status_of_an_unused_code(lp, code, listing):
    response = lp.post("/redemptions/status", {"redeem_code": code})
    assert response.status_code == 200, response.content
    assert response.json() == {"redeem_code": code, "course_code": listing.course.code, "status": "unused",
                               "participant_name": "S*** R****"}


def test_status_accepts_the_code_as_a_person_types_it(lp, code):
    typed = f" {code[:4].lower()}-{code[4:8]} {code[8:]} "
    assert lp.post("/redemptions/status", {"redeem_code": typed}).json()["status"] == "unused"


def test_status_404_not_found(lp, code):
    error = error_of(lp.post("/redemptions/status", {"redeem_code": "ZZZZZZZZZZZZ"}), 404)
    assert error == {"code": "redeem_code_not_found", "message": NOT_FOUND}


def test_status_403_another_providers_code(client, code):
    other = make_partner("provider", "kelasku")
    error = error_of(PartnerClient(client, other.code).post("/redemptions/status", {"redeem_code": code}), 403)
    assert error == {"code": "redeem_code_wrong_provider", "message": WRONG_PROVIDER}


def test_a_platform_may_not_call_provider_endpoints(api, code):
    assert error_of(api.post("/redemptions/status", {"redeem_code": code}), 403)["code"] == "wrong_partner_type"


def test_a_provider_may_not_call_platform_endpoints(lp, paid):  # noqa: F811
    assert error_of(lp.get(f"/payments/{paid}"), 403)["code"] == "wrong_partner_type"


def test_unsigned_calls_are_401(client, code):
    response = client.post("/api/partner/v1/redemptions/status", {"redeem_code": code},
                           content_type="application/json", headers={"Idempotency-Key": "k"})
    assert error_of(response, 401)["code"] == "unauthorized"


# --- POST /redemptions/commit ----------------------------------------------------------------

def test_commit_uses_the_code_once(lp, code, listing):
    response = lp.post("/redemptions/commit", {"redeem_code": code})
    assert response.status_code == 200, response.content
    assert response.json() == {"redeem_code": code, "course_code": listing.course.code, "status": "used",
                               "participant_name": "S*** R****"}
    assert Payment.objects.get(redeem_code=code).redeemed_at is not None
    assert lp.post("/redemptions/status", {"redeem_code": code}).json()["status"] == "used"
    assert error_of(lp.post("/redemptions/commit", {"redeem_code": code}), 409) == {
        "code": "redeem_code_used", "message": USED}
    assert AuditEntry.objects.filter(action="redemption.commit").count() == 1


def test_a_replayed_commit_answers_the_same(lp, code):
    first = lp.post("/redemptions/commit", {"redeem_code": code}, key="commit-1")
    again = lp.post("/redemptions/commit", {"redeem_code": code}, key="commit-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_commit_404_and_403(client, lp, code):
    assert error_of(lp.post("/redemptions/commit", {"redeem_code": "Q" * 12}), 404)["message"] == NOT_FOUND
    other = PartnerClient(client, make_partner("provider", "kelasku").code)
    assert error_of(other.post("/redemptions/commit", {"redeem_code": code}), 403)["message"] == WRONG_PROVIDER
    assert Payment.objects.get(redeem_code=code).redeemed_at is None


def test_commit_409_transaction_cancelled(api, lp, paid, code):  # noqa: F811
    assert api.post(f"/payments/{paid}/cancel", {}).status_code == 200
    assert error_of(lp.post("/redemptions/commit", {"redeem_code": code}), 409) == {
        "code": "transaction_cancelled", "message": TRANSACTION_CANCELLED}
    assert lp.post("/redemptions/status", {"redeem_code": code}).json()["status"] == "cancelled"


def test_commit_409_code_cancelled_after_an_operator_replaced_it(lp, code, operator):
    payment = Payment.objects.get(redeem_code=code)
    new = redeem_code_replace(payment=payment, actor=operator, reason="Kode tersebar di grup WhatsApp")
    assert new != code and VoidedRedeemCode.objects.get(code=code).payment == payment
    assert error_of(lp.post("/redemptions/commit", {"redeem_code": code}), 409) == {
        "code": "redeem_code_cancelled", "message": CODE_CANCELLED}
    assert lp.post("/redemptions/status", {"redeem_code": code}).json()["status"] == "cancelled"
    assert lp.post("/redemptions/commit", {"redeem_code": new}).json()["status"] == "used"


def test_a_replaced_code_is_still_not_another_providers(client, code, operator):
    redeem_code_replace(payment=Payment.objects.get(redeem_code=code), actor=operator, reason="bocor")
    other = PartnerClient(client, make_partner("provider", "kelasku").code)
    assert error_of(other.post("/redemptions/commit", {"redeem_code": code}), 403)["code"] == (
        "redeem_code_wrong_provider")


def test_a_redeemed_purchase_cannot_be_cancelled_by_the_platform(api, lp, paid, code):  # noqa: F811
    lp.post("/redemptions/commit", {"redeem_code": code})
    assert error_of(api.post(f"/payments/{paid}/cancel", {}), 409)["code"] == "already_redeemed"


# --- POST /completions ---------------------------------------------------------------------

@pytest.fixture
def used(lp, code):
    assert lp.post("/redemptions/commit", {"redeem_code": code}).status_code == 200
    return code


def test_a_matching_completion_is_accepted_with_a_certificate(lp, used, holder):
    response = lp.post("/completions", completion_body(used))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "accepted" and set(body) == {"completion_id", "status"}
    completion = Completion.objects.get(public_id=body["completion_id"])
    assert completion.status == "accepted" and completion.mismatches == [] and completion.score == 87
    certificate = Certificate.objects.get(completion=completion)
    assert certificate.participant_name == "Siti  Rahma" and certificate.number.startswith("PKJ-")
    assert certificate.completed_on.isoformat() == "2026-11-20"


@pytest.mark.parametrize(("field", "value"), [
    ("name", "Siti Rahmawati"), ("email", "siti.rahma@example.id"), ("phone", "+6281299999999")])
def test_a_mismatch_is_held_for_an_operator_not_dropped(lp, used, field, value):
    body = completion_body(used)
    body["participant"][field] = value
    response = lp.post("/completions", body)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "held_for_review"
    completion = Completion.objects.get(public_id=response.json()["completion_id"])
    assert completion.status == "held" and completion.mismatches == [field]
    assert not Certificate.objects.exists()


def test_a_buyer_at_purchase_who_was_someone_else_is_held(lp, used, holder):
    get_user_model().objects.filter(pk=holder.pk).update(full_name="Budi Santoso")
    body = completion_body(used)
    body["participant"]["name"] = "Budi Santoso"  # the report matches the account, the purchase did not
    response = lp.post("/completions", body)
    assert response.json()["status"] == "held_for_review"
    assert Completion.objects.get().mismatches == ["name"]


def test_completion_409_already_completed_with_another_key_and_replay_with_the_same(lp, used):
    first = lp.post("/completions", completion_body(used), key="done-1")
    assert lp.post("/completions", completion_body(used), key="done-1").json() == first.json()
    assert error_of(lp.post("/completions", completion_body(used), key="done-2"), 409)["code"] == "already_completed"
    assert Completion.objects.count() == 1 and Certificate.objects.count() == 1


def test_a_held_report_also_blocks_a_second_one(lp, used):
    body = completion_body(used)
    body["participant"]["email"] = "lain@example.id"
    assert lp.post("/completions", body).json()["status"] == "held_for_review"
    assert error_of(lp.post("/completions", completion_body(used)), 409)["code"] == "already_completed"


def test_completion_for_an_unused_code_is_409(lp, code):
    assert error_of(lp.post("/completions", completion_body(code)), 409)["code"] == "redeem_code_not_used"
    assert not Completion.objects.exists()


def test_completion_for_an_unknown_code_is_404_and_another_providers_403(client, lp, used):
    assert error_of(lp.post("/completions", completion_body("ZZZZZZZZZZZZ")), 404)["message"] == NOT_FOUND
    other = PartnerClient(client, make_partner("provider", "kelasku").code)
    assert error_of(other.post("/completions", completion_body(used)), 403)["message"] == WRONG_PROVIDER


def test_completion_for_a_cancelled_purchase_is_409(lp, code, operator):
    # Only an unredeemed purchase can be cancelled; an operator's cancel after the fact is the same row state.
    Payment.objects.filter(redeem_code=code).update(status="cancelled", redeemed_at=timezone.now())
    assert error_of(lp.post("/completions", completion_body(code)), 409) == {
        "code": "transaction_cancelled", "message": TRANSACTION_CANCELLED}


@pytest.mark.parametrize(("field", "value"), [
    ("completed_at", "2026-11-20T10:00:00"),  # no offset
    ("completed_at", "2999-01-01T00:00:00+07:00"),  # in the future
    ("certificate_url", "javascript:alert(1)"),
    ("score", 101), ("score", -1), ("certificate_number", ""),
])
def test_completion_422(lp, used, field, value):
    error = error_of(lp.post("/completions", completion_body(used, **{field: value})), 422)
    assert error["code"] == "invalid_request" and field in error["fields"]


def test_completion_422_bad_participant_email(lp, used):
    body = completion_body(used)
    body["participant"]["email"] = "siti"
    assert "participant.email" in error_of(lp.post("/completions", body), 422)["fields"]


def test_a_disabled_provider_is_401(lp, provider, used):
    Partner.objects.filter(pk=provider.pk).update(enabled=False)
    from prakerja.partners.services import forget_partner

    forget_partner(provider.code)
    assert error_of(lp.post("/completions", completion_body(used)), 401)["code"] == "unauthorized"


def test_every_provider_call_is_audited(lp, used):
    lp.post("/completions", completion_body(used))
    actions = list(AuditEntry.objects.filter(action__startswith="partner_api.").values_list("action", flat=True))
    assert actions.count("partner_api.redemption_commit") == 1
    assert actions.count("partner_api.completion_report") == 1
    assert AuditEntry.objects.filter(action="completion.report").count() == 1


def test_the_openapi_lists_the_provider_endpoints():
    schema = Client().get("/api/partner/v1/openapi.json").json()
    for path in ("/api/partner/v1/redemptions/status", "/api/partner/v1/redemptions/commit",
                 "/api/partner/v1/completions"):
        assert "post" in schema["paths"][path]


def test_the_participant_is_told_the_certificate_is_there(lp, used, holder, settings):
    from prakerja.notifications.models import Message

    lp.post("/completions", completion_body(used))
    number = Certificate.objects.get().number
    messages = Message.objects.filter(template="certificate_issued", user=holder)
    assert sorted(messages.values_list("channel", flat=True)) == ["email", "inbox"]
    assert all(f"{settings.SITE_URL}/certificates/{number}/" in m.body for m in messages)


def test_a_held_report_tells_nobody_yet(lp, used):
    from prakerja.notifications.models import Message

    body = completion_body(used)
    body["participant"]["name"] = "Orang Lain"
    lp.post("/completions", body)
    assert not Message.objects.filter(template="certificate_issued").exists()
