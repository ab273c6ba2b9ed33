"""TRN-3 and TRN-4 under real concurrency (PostgreSQL, real threads).

- two providers' desks commit one redeem code at once: it is used once;
- a commit racing the platform's cancel: one of them wins, never both;
- two completion reports for one purchase at once (two idempotency keys):
  one completion, one certificate, the other ``already_completed``;
- two operators deciding one held report at once: one decision.
"""

import pytest
from django.test import Client

from prakerja.audit.models import AuditEntry
from prakerja.learning.completions import CompletionError, completion_decide
from prakerja.learning.models import Certificate, Completion, Payment
from tests.partners.conftest import PartnerClient
from tests.partners.test_api_payments import paid, started  # noqa: F401
from tests.partners.test_api_redemptions import code, completion_body, holder, used  # noqa: F401
from tests.registry.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


@pytest.fixture
def lp(provider):
    return PartnerClient(Client(), provider.code)


def post(partner, path, body, key):
    return PartnerClient(Client(), partner.code).post(path, body, key=key)


def test_one_code_committed_twice_at_once_is_used_once(provider, code):  # noqa: F811
    results = run_together(*[lambda i=i: post(provider, "/redemptions/commit", {"redeem_code": code}, f"c-{i}")
                             for i in range(4)])
    assert sorted(r.status_code for r in results) == [200, 409, 409, 409], [r.content for r in results]
    assert {r.json()["error"]["code"] for r in results if r.status_code == 409} == {"redeem_code_used"}
    assert AuditEntry.objects.filter(action="redemption.commit").count() == 1


def test_a_commit_racing_the_platforms_cancel(platform, provider, paid, code):  # noqa: F811
    results = run_together(lambda: post(provider, "/redemptions/commit", {"redeem_code": code}, "commit"),
                           lambda: post(platform, f"/payments/{paid}/cancel", {}, "cancel"))
    payment = Payment.objects.get(public_id=paid)
    commit, cancel = results
    if commit.status_code == 200:  # the provider was first: the purchase stands
        assert cancel.json()["error"]["code"] == "already_redeemed"
        assert payment.status == "paid" and payment.redeemed_at is not None
    else:  # the platform was first: the money went back and the code is dead
        assert commit.json()["error"]["code"] == "transaction_cancelled" and cancel.status_code == 200
        assert payment.status == "cancelled" and payment.redeemed_at is None


def test_two_completion_reports_at_once_make_one_certificate(provider, used):  # noqa: F811
    results = run_together(*[lambda i=i: post(provider, "/completions", completion_body(used), f"done-{i}")
                             for i in range(3)])
    assert sorted(r.status_code for r in results) == [202, 409, 409], [r.content for r in results]
    assert Completion.objects.count() == 1 and Certificate.objects.count() == 1


def test_two_operators_deciding_one_held_report(provider, used, operator, make_user):  # noqa: F811
    body = completion_body(used)
    body["participant"]["name"] = "Orang Lain"
    completion_id = post(provider, "/completions", body, "held").json()["completion_id"]
    other = make_user(email="kedua@prakerja.test")

    def decide(actor, accept):
        try:
            return completion_decide(completion_id=completion_id, actor=actor, accept=accept, reason="Sudah dicek")
        except CompletionError as exc:
            return exc.code

    results = run_together(lambda: decide(operator, True), lambda: decide(other, False))
    assert sorted(map(str, results)).count("completion_decided") == 1, results
    completion = Completion.objects.get()
    assert Certificate.objects.filter(completion=completion).exists() == (completion.status == "accepted")
    assert AuditEntry.objects.filter(action__in=["completion.accept", "completion.reject"]).count() == 1
