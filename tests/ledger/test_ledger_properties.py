"""Property tests (hypothesis): any sequence of credits, debits, refunds and forfeits keeps the books.

After every step: each transaction balances, no card is below zero, every
stored balance equals its postings, the sum over all accounts is zero, and
each card holds what a plain model of the rules says it should.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prakerja.ledger.models import Account, AccountKind, Posting
from prakerja.ledger.selectors import balance_of, differences
from prakerja.ledger.services import LedgerError, Leg, ledger_post, ledger_sweep_cards, shared_account

CARDS = 3
operation = st.one_of(
    st.tuples(st.just("credit"), st.integers(0, CARDS - 1), st.integers(1, 2_000_000)),
    st.tuples(st.just("debit"), st.integers(0, CARDS - 1), st.integers(1, 2_000_000)),
    st.tuples(st.just("refund"), st.integers(0, CARDS - 1), st.integers(1, 2_000_000)),
    st.tuples(st.just("forfeit"), st.integers(0, CARDS - 1), st.just(0)),
    # A replay of an earlier step's key: must change nothing, or be refused.
    st.tuples(st.just("replay"), st.integers(0, 50), st.integers(1, 2_000_000)),
)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, max_size=25))
def test_any_sequence_keeps_the_books(steps):
    from django.db import transaction

    with transaction.atomic():
        budget = shared_account("budget:p", AccountKind.BUDGET)
        settlement = shared_account("settlement:p", AccountKind.SETTLEMENT)
        forfeit = shared_account("forfeit:p", AccountKind.FORFEIT)
        cards = [Account.objects.create(kind=AccountKind.CARD) for _ in range(CARDS)]
        expected = [0] * CARDS
        spent = [0] * CARDS  # bought and not yet refunded, per card
        done = []  # (key, kind, legs) posted so far
        for n, (kind, index, amount) in enumerate(steps):
            card = cards[index % CARDS]
            key = f"{kind}-{n}"
            try:
                if kind == "credit":
                    legs = [Leg(budget, -amount), Leg(card, amount)]
                    ledger_post(key=key, kind=kind, legs=legs, actor=None)
                    expected[index] += amount
                elif kind == "debit":
                    legs = [Leg(card, -amount), Leg(settlement, amount)]
                    ledger_post(key=key, kind=kind, legs=legs, actor=None)
                    expected[index] -= amount
                    spent[index] += amount
                elif kind == "refund":
                    amount = min(amount, spent[index])
                    if amount == 0:
                        continue
                    legs = [Leg(settlement, -amount), Leg(card, amount)]
                    ledger_post(key=key, kind=kind, legs=legs, actor=None)
                    expected[index] += amount
                    spent[index] -= amount
                elif kind == "forfeit":
                    legs = None
                    ledger_sweep_cards(key=key, kind=kind, target=forfeit, account_ids=[card.pk], actor=None)
                    expected[index] = 0
                elif kind == "replay" and done:
                    old_key, old_kind, old_legs = done[index % len(done)]
                    changed = [Leg(leg.account, leg.amount * 2) for leg in old_legs]
                    before = Posting.objects.count()
                    _row, posted = ledger_post(key=old_key, kind=old_kind, legs=old_legs, actor=None)
                    assert not posted and Posting.objects.count() == before
                    with pytest.raises(LedgerError):
                        ledger_post(key=old_key, kind=old_kind, legs=changed, actor=None)
                    continue
                else:
                    continue
                if legs:
                    done.append((key, kind, legs))
            except LedgerError as refused:
                # Only a debit above the balance may be refused.
                assert kind == "debit" and refused.code == "insufficient_balance" and amount > expected[index]
            balances = [Account.objects.get(pk=c.pk).balance for c in cards]
            assert balances == expected
            assert min(balances) >= 0
            assert differences() == []
        total = sum(balances_of := [balance_of(a) for a in (budget, settlement, forfeit, *cards)])
        assert total == 0, balances_of
        transaction.set_rollback(True)
