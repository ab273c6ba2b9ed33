"""Property tests (hypothesis) through the card's own services (CRD-3, CRD-4): credit, debit, refund, forfeit.

tests/ledger/test_ledger_properties.py holds the books' rules at the ledger's
general entry point. These run what the platform runs: ``card_credit``,
``card_debit`` (on PostgreSQL its one statement, ``ledger_spend_card``),
``card_refund`` and ``card_forfeit``, at two platforms, with replays of
earlier keys, changed replays and refunds beyond a purchase. After every
step: each card holds what a plain model of the rules says, no card is
below zero, ``ledger_check`` finds nothing (every transaction balanced, every
stored balance equal to its postings), the sum over all accounts is zero,
and one audit row was appended for each movement and none for a refusal or
a replay.
"""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prakerja.audit.models import AuditEntry
from prakerja.cards.services import CardError, card_credit, card_debit, card_forfeit, card_refund
from prakerja.core.errors import DomainError
from prakerja.ledger.models import Account
from prakerja.ledger.selectors import balance_of, differences
from prakerja.ledger.services import LedgerError

BALANCE = 1_000_000  # what the issuance credited each card (the semi-bansos preset)
PLATFORMS = ("tokopedia", "pijarmahir")
amounts = st.integers(1, 1_500_000)
operation = st.one_of(
    st.tuples(st.just("credit"), st.integers(0, 2), amounts),
    st.tuples(st.just("debit"), st.integers(0, 2), amounts),
    st.tuples(st.just("debit"), st.integers(0, 2), amounts),
    # A refund of the n-th purchase so far (any amount: beyond what is left of it is refused).
    st.tuples(st.just("refund"), st.integers(0, 20), amounts),
    st.tuples(st.just("forfeit"), st.integers(0, 2), st.just(0)),
    # The n-th movement so far again: the same key and amount answers with the first; another amount is refused.
    st.tuples(st.just("replay"), st.integers(0, 20), st.booleans()),
)


def _audited() -> int:
    return AuditEntry.objects.filter(action__startswith="card.").count()


@pytest.mark.django_db(transaction=False)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operation, max_size=20))
def test_any_sequence_through_the_card_services_keeps_the_books(cards, watched, steps):
    for card in cards:
        watched(card.user)
    with transaction.atomic():
        expected = [Account.objects.get(pk=card.account_id).balance for card in cards]
        assert expected == [BALANCE] * 3
        purchases = []  # [card index, key, platform, amount, refunded so far]
        movements = []  # (call, its keyword arguments) of every movement that moved money
        for n, (kind, index, value) in enumerate(steps):
            audited, key = _audited(), f"{kind}-{n}"
            moved = True
            if kind == "credit":
                card_credit(card=cards[index], amount=value, key=key, actor=None)
                expected[index] += value
                movements.append((card_credit, {"card": cards[index], "amount": value, "key": key, "actor": None}))
            elif kind == "debit":
                platform = PLATFORMS[n % 2]
                arguments = {"card": cards[index], "amount": value, "key": key, "actor": f"partner:{platform}",
                             "platform": platform}
                try:
                    card_debit(**arguments)
                except LedgerError as refused:
                    assert refused.code == "insufficient_balance" and value > expected[index]
                    moved = False
                else:
                    assert value <= expected[index], "a debit above the balance went through"
                    expected[index] -= value
                    purchases.append([index, key, platform, value, 0])
                    movements.append((card_debit, arguments))
            elif kind == "refund":
                if not purchases:
                    continue
                purchase = purchases[index % len(purchases)]
                owner, debit_key, platform, bought, refunded = purchase
                try:
                    card_refund(card=cards[owner], debit_key=debit_key, amount=value, key=key, actor=None,
                                platform=platform)
                except CardError as refused:
                    assert refused.code == "refund_too_large" and refunded + value > bought
                    moved = False
                else:
                    assert refunded + value <= bought, "refunds added up to more than the purchase"
                    purchase[4] += value
                    expected[owner] += value
            elif kind == "forfeit":
                row = card_forfeit(card=cards[index], key=key, actor=None, reason="test")
                assert (row is None) == (expected[index] == 0)
                moved = row is not None
                expected[index] = 0
            else:  # a replay
                if not movements:
                    continue
                call, arguments = movements[index % len(movements)]
                before = [Account.objects.get(pk=card.account_id).balance for card in cards]
                if value:
                    call(**arguments)  # the same key and amount: answered, nothing moves
                else:
                    with pytest.raises(DomainError) as refused:
                        call(**{**arguments, "amount": arguments["amount"] + 1})
                    assert refused.value.code == "key_reused"
                assert [Account.objects.get(pk=card.account_id).balance for card in cards] == before
                moved = False
            balances = [Account.objects.get(pk=card.account_id).balance for card in cards]
            assert balances == expected, (kind, index, value)
            assert min(balances) >= 0
            assert differences() == []
            assert _audited() == audited + (1 if moved else 0), (kind, moved)
        assert sum(balance_of(account) for account in Account.objects.all()) == 0
        transaction.set_rollback(True)
