"""TRN-2 under real concurrency and crashes (PostgreSQL, real threads and a real process that dies).

- two confirms racing for the last of a balance: exactly one is paid;
- the same confirm sent twice at once, and again later, with one
  Idempotency-Key: paid once, the same answer each time;
- a confirm whose process dies after the debit committed and before the
  response: the retry gets the paid answer, not a second debit;
- and one that dies before the commit: nothing happened, the retry pays once.
"""

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections
from django.test import Client

from prakerja.audit.models import AuditEntry
from prakerja.learning.models import Payment
from prakerja.ledger.models import Account, Transaction, TransactionKind
from prakerja.ledger.selectors import differences
from tests.partners.conftest import PartnerClient, start_body
from tests.partners.test_payment_flow import sent_otp
from tests.registry.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]
ROOT = Path(__file__).resolve().parents[2]


def started(api, card_number, listing, **overrides) -> tuple[str, str]:
    response = api.post("/payments", start_body(card_number, listing, **overrides))
    assert response.status_code == 201, response.content
    payment_id = response.json()["payment_id"]
    return payment_id, sent_otp(payment_id)


def confirm(platform, payment_id, otp, key):
    return PartnerClient(Client(), platform.code).post(f"/payments/{payment_id}/confirm", {"otp": otp}, key=key)


def debits(card) -> int:
    return Transaction.objects.filter(kind=TransactionKind.DEBIT, postings__account=card.account_id).count()


def test_two_confirms_racing_for_the_last_of_a_balance(api, platform, ready_card, card_number, make_listing):
    balance = Account.objects.get(pk=ready_card.account_id).balance
    price = balance // 2 + 1_000  # each fits alone, not both
    one, two = make_listing(platform, price=price), make_listing(platform, price=price)
    first, second = started(api, card_number, one), started(api, card_number, two)
    results = run_together(lambda: confirm(platform, *first, key="c-1"), lambda: confirm(platform, *second, key="c-2"))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 409], [r.content for r in results]
    refused = next(r for r in results if r.status_code == 409).json()
    assert refused["error"]["code"] == "insufficient_balance"
    assert refused["error"]["message"] == "Saldo tidak mencukupi"
    assert Account.objects.get(pk=ready_card.account_id).balance == balance - price
    assert debits(ready_card) == 1 and differences() == []


def test_the_same_confirm_twice_at_once_and_again_later_pays_once(api, platform, ready_card, card_number, listing):
    balance = Account.objects.get(pk=ready_card.account_id).balance
    payment_id, otp = started(api, card_number, listing)
    results = run_together(*[lambda: confirm(platform, payment_id, otp, key="same-key") for _ in range(4)])
    later = confirm(platform, payment_id, otp, key="same-key")  # the retry after a timeout
    bodies = [r.json() for r in [*results, later]]
    assert [r.status_code for r in [*results, later]] == [200] * 5, bodies
    assert all(body == bodies[0] for body in bodies) and bodies[0]["status"] == "paid"
    assert Account.objects.get(pk=ready_card.account_id).balance == balance - listing.price
    assert debits(ready_card) == 1
    assert AuditEntry.objects.filter(action="payment.confirm").count() == 1
    assert differences() == []


def test_two_wrong_otps_at_once_use_two_of_the_three_tries(api, platform, ready_card, card_number, listing,
                                                         monkeypatch):
    """The payment is locked while its OTP is checked: a second guess sent while the first is being checked
    waits for it and is counted after it. Unlocked, both would read "no try used" and one try would be lost,
    and a guesser sending in parallel would get more than three."""
    from prakerja.learning import services as payments

    payment_id, otp = started(api, card_number, listing)
    wrong = "000000" if otp != "000000" else "111111"
    real, checking = payments.otp_digest, threading.Event()

    def slow_check(payment_public_id, given):
        digest = real(payment_public_id, given)
        if not checking.is_set():
            checking.set()
            time.sleep(0.5)  # the first guess holds the payment while the second arrives
        return digest

    monkeypatch.setattr(payments, "otp_digest", slow_check)
    answers = {}

    def guess(name):
        try:
            answers[name] = confirm(platform, payment_id, wrong, key=name)
        finally:
            connections.close_all()

    first = threading.Thread(target=guess, args=("first",))
    first.start()
    assert checking.wait(10)
    guess("second")
    first.join(30)
    left = sorted(answers[name].json()["error"]["attempts_left"] for name in ("first", "second"))
    assert left == [1, 2], {name: answer.content for name, answer in answers.items()}
    assert Payment.objects.get(public_id=payment_id).otp_attempts == 2


# A confirm in its own process, which dies (os._exit: no cleanup, no response) at a chosen point.
DYING_CONFIRM = textwrap.dedent("""
    import os, sys, django
    os.environ["DJANGO_SETTINGS_MODULE"] = "prakerja.settings"
    django.setup()
    from django.db import transaction
    from django.test import Client
    from prakerja.partners import api
    from tests.partners.conftest import PartnerClient

    payment_id, otp, when = sys.argv[1:4]
    if when == "after_commit":  # the answer is built after the transaction committed: die there
        api.JsonResponse = lambda *a, **k: os._exit(3)
    else:  # die inside the transaction, after the debit, before the commit
        real = api.IdempotencyRecord.save
        def save(self, *a, **k):
            if self.status_code == 200:
                os._exit(3)
            return real(self, *a, **k)
        api.IdempotencyRecord.save = save
    PartnerClient(Client(), "tokopedia").post(f"/payments/{payment_id}/confirm", {"otp": otp}, key="crash-key")
    os._exit(0)
""")


def die_confirming(payment_id: str, otp: str, when: str) -> int:
    database = connection.settings_dict
    env = {**os.environ, "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
                                          f"{database['NAME']}", "PYTHONPATH": str(ROOT), "CI": ""}
    return subprocess.run([sys.executable, "-c", DYING_CONFIRM, payment_id, otp, when], cwd=ROOT, env=env,
                          timeout=60).returncode


@pytest.mark.parametrize("when", ["after_commit", "before_commit"])
def test_a_confirm_whose_process_dies_is_retried_without_a_second_debit(api, platform, ready_card, card_number,
                                                                        listing, when):
    balance = Account.objects.get(pk=ready_card.account_id).balance
    payment_id, otp = started(api, card_number, listing)
    assert die_confirming(payment_id, otp, when) == 3
    assert debits(ready_card) == (1 if when == "after_commit" else 0)
    retry = confirm(platform, payment_id, otp, key="crash-key")
    assert retry.status_code == 200, retry.content
    assert retry.json()["status"] == "paid"
    if when == "after_commit":
        assert retry.headers.get("Idempotent-Replayed") == "true"
    assert debits(ready_card) == 1
    assert Account.objects.get(pk=ready_card.account_id).balance == balance - listing.price
    assert differences() == []
