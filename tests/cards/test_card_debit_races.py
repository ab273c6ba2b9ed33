"""CRD-4 under real concurrency (PostgreSQL, real threads): 50 purchases at once on one card."""

import pytest

from prakerja.audit.models import AuditEntry
from prakerja.cards.services import CardError, card_debit
from prakerja.ledger.models import Account, Transaction
from prakerja.ledger.selectors import differences
from prakerja.ledger.services import LedgerError
from tests.registry.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


def test_fifty_purchases_at_once_never_spend_more_than_the_balance(card, watched):
    watched(card.user)
    # Rp1.000.000 and 50 purchases of Rp70.000 from two platforms: 14 fit.
    results = run_together(*[
        (lambda n=n: card_debit(card=card, amount=70_000, key=f"buy-{n}", actor="partner:p",
                                platform="tokopedia" if n % 2 else "pintaria"))
        for n in range(50)])
    bought = [r for r in results if isinstance(r, Transaction)]
    refused = [r for r in results if isinstance(r, (CardError, LedgerError))]
    assert len(bought) == 14 and len(refused) == 36, results
    assert {r.code for r in refused} == {"insufficient_balance"}
    assert Account.objects.get(pk=card.account_id).balance == 1_000_000 - 14 * 70_000
    assert AuditEntry.objects.filter(action="card.debit").count() == 14
    assert differences() == []
