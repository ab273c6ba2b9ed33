"""Every call of a known partner leaves one audit row, whatever the answer; an unsigned one leaves none."""

import pytest
from django.test import Client

from prakerja.audit.models import AuditEntry
from prakerja.core.ratelimit import Limit
from tests.partners.conftest import BASE, PartnerClient, start_body
from tests.partners.test_payment_flow import sent_otp


def calls_audited(partner_code: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(actor_label=f"partner:{partner_code}", action__startswith="partner_api.")
                .order_by("id"))


def test_each_call_leaves_one_row_with_its_answer(api, ready_card, card_number, listing, queued):
    missing = "/payments/00000000-0000-4000-8000-000000000000"
    wrong_otp = "000000"
    calls = []

    def call(expected_action, expected_status, do):
        before = len(calls_audited("tokopedia"))
        response = do()
        assert response.status_code == expected_status, response.content
        rows = calls_audited("tokopedia")[before:]
        assert len(rows) == 1, [(row.action, row.data) for row in rows]
        assert rows[0].action == f"partner_api.{expected_action}" and rows[0].data["status"] == expected_status
        calls.append(rows[0])
        return response

    started = call("payment_start", 201, lambda: api.post("/payments", start_body(card_number, listing), key="k1"))
    payment_id = started.json()["payment_id"]
    assert calls[-1].data["payment"] == payment_id and calls[-1].data["idempotency_key"] == "k1"
    call("payment_start", 201, lambda: api.post("/payments", start_body(card_number, listing), key="k1"))
    assert calls[-1].data["replayed"] is True
    call("payment_start", 409, lambda: api.post("/payments", start_body(card_number, listing, buyer={
        "name": "X", "email": "x@example.id", "phone": "+6281234567891"}), key="k1"))
    call("payment_start", 404, lambda: api.post("/payments", start_body("5000000000000001", listing)))
    assert calls[-1].data["code"] == "card_not_found"
    call("payment_start", 422, lambda: api.post("/payments", {"card_number": 1}))
    call("payment_start", 422, lambda: api.post("/payments", start_body(card_number, listing), key=""))
    otp = sent_otp(payment_id)
    if otp == wrong_otp:
        wrong_otp = "111111"
    call("payment_confirm", 400, lambda: api.post(f"/payments/{payment_id}/confirm", {"otp": wrong_otp}))
    call("payment_confirm", 200, lambda: api.post(f"/payments/{payment_id}/confirm", {"otp": otp}))
    assert calls[-1].data["payment"] == payment_id
    call("payment_get", 200, lambda: api.get(f"/payments/{payment_id}"))
    call("payment_get", 404, lambda: api.get(missing))
    call("payment_get", 422, lambda: api.get("/payments/nope"))
    call("payment_cancel", 200, lambda: api.post(f"/payments/{payment_id}/cancel", {}))
    call("payment_cancel", 404, lambda: api.post(f"{missing}/cancel", {}))
    assert {row.actor_label for row in calls} == {"partner:tokopedia"}
    # The services' own rows are there too, for what changed.
    assert {"payment.start", "payment.otp_wrong", "payment.confirm", "payment.cancel"} <= set(
        AuditEntry.objects.values_list("action", flat=True))


def test_a_wrong_partner_type_and_a_rate_limit_are_audited(client, provider, platform, listing, monkeypatch):
    PartnerClient(client, provider.code).get("/payments/00000000-0000-4000-8000-000000000000")
    [row] = calls_audited(provider.code)
    assert row.data == {"status": 403, "code": "wrong_partner_type"}
    monkeypatch.setattr("prakerja.partners.api.CALLS", Limit("partner-calls", 0, 60))
    assert PartnerClient(Client(), platform.code).get("/payments/00000000-0000-4000-8000-000000000000"
                                                      ).status_code == 429
    [row] = calls_audited(platform.code)
    assert row.data == {"status": 429, "code": "rate_limited"}


@pytest.mark.parametrize("secret", ["wrong-secret"])
def test_an_unsigned_call_writes_no_audit_row(client, platform, secret):
    before = AuditEntry.objects.count()
    response = PartnerClient(client, platform.code, secret).get("/payments/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 401
    response = client.get(BASE + "/payments/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 401
    assert AuditEntry.objects.count() == before
