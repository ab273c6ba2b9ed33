"""CRD-3 under real concurrency (PostgreSQL, real threads): 50 debits at once never spend more than the balance."""

import pytest

from prakerja.ledger.models import Account, Posting, Transaction
from prakerja.ledger.selectors import balance_of, differences
from prakerja.ledger.services import LedgerError, Leg, ledger_post
from tests.registry.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


def test_fifty_debits_at_once_on_one_card_never_overspend(books):
    card = books.card()
    ledger_post(key="credit", kind="credit", legs=[Leg(books.budget, -1_000_000), Leg(card, 1_000_000)], actor=None)
    # 50 debits of Rp30.000: only 33 fit in Rp1.000.000.
    results = run_together(*[
        (lambda n=n: ledger_post(key=f"debit-{n}", kind="debit", actor=None,
                                 legs=[Leg(card, -30_000), Leg(books.settlement, 30_000)]))
        for n in range(50)])
    spent = [r for r in results if isinstance(r, tuple)]
    refused = [r for r in results if isinstance(r, LedgerError)]
    assert len(spent) == 33 and len(refused) == 17, results
    assert all(r.code == "insufficient_balance" for r in refused)
    assert Account.objects.get(pk=card.pk).balance == 10_000
    assert balance_of(books.settlement) == 990_000
    assert Transaction.objects.filter(kind="debit").count() == 33 and Posting.objects.count() == 2 + 66
    assert differences() == []


def test_the_same_key_sent_fifty_times_at_once_posts_once(books):
    card = books.card()
    ledger_post(key="credit", kind="credit", legs=[Leg(books.budget, -100_000), Leg(card, 100_000)], actor=None)
    results = run_together(*[
        (lambda: ledger_post(key="one-purchase", kind="debit", actor=None,
                             legs=[Leg(card, -40_000), Leg(books.settlement, 40_000)]))] * 20)
    assert all(isinstance(r, tuple) for r in results), results
    assert sum(1 for _row, posted in results if posted) == 1
    assert Account.objects.get(pk=card.pk).balance == 60_000
    assert differences() == []
