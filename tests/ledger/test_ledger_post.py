"""CRD-3: balanced transactions, idempotency keys, no card below zero."""

import pytest
from django.db import IntegrityError, transaction

from prakerja.ledger.models import Account, Posting, Transaction
from prakerja.ledger.selectors import balance_of, differences
from prakerja.ledger.services import (
    LedgerError,
    Leg,
    ledger_credit_cards,
    ledger_open_cards,
    ledger_post,
    ledger_sweep_cards,
)


def post(key, legs, kind="credit"):
    return ledger_post(key=key, kind=kind, legs=legs, actor=None)


def card_balance(account):
    return Account.objects.get(pk=account.pk).balance


def test_a_transfer_moves_money_and_balances(books):
    card = books.card()
    row, posted = post("c1", [Leg(books.budget, -1_000_000), Leg(card, 1_000_000)])
    assert posted and row.amount == 1_000_000
    assert card_balance(card) == 1_000_000 and balance_of(books.budget) == -1_000_000
    assert sorted(Posting.objects.filter(transaction=row).values_list("amount", flat=True)) == [-1_000_000, 1_000_000]
    assert differences() == []


def test_the_same_key_twice_posts_once(books):
    card = books.card()
    first, posted = post("c1", [Leg(books.budget, -500), Leg(card, 500)])
    again, posted_again = post("c1", [Leg(card, 500), Leg(books.budget, -500)])  # order does not matter
    assert posted and not posted_again and again.pk == first.pk
    assert card_balance(card) == 500 and Transaction.objects.count() == 1 and Posting.objects.count() == 2


@pytest.mark.parametrize("legs", [
    lambda b, c: [Leg(b.budget, -501), Leg(c, 501)],      # another amount
    lambda b, c: [Leg(b.settlement, -500), Leg(c, 500)],  # another account
])
def test_the_same_key_with_different_content_is_refused(books, legs):
    card = books.card()
    post("c1", [Leg(books.budget, -500), Leg(card, 500)])
    with pytest.raises(LedgerError) as refused:
        post("c1", legs(books, card))
    assert refused.value.code == "key_reused"
    assert card_balance(card) == 500 and Posting.objects.count() == 2


def test_the_same_key_for_another_kind_is_refused(books):
    card = books.card()
    post("k", [Leg(books.budget, -500), Leg(card, 500)], kind="credit")
    with pytest.raises(LedgerError) as refused:
        post("k", [Leg(books.budget, -500), Leg(card, 500)], kind="refund")
    assert refused.value.code == "key_reused"


@pytest.mark.parametrize("amounts,code", [
    ((-500, 400), "unbalanced"),
    ((0, 0), "unbalanced"),
    ((-500.0, 500.0), "amount_invalid"),
    ((-True, True), "amount_invalid"),
])
def test_bad_postings_are_refused_and_nothing_is_written(books, amounts, code):
    card = books.card()
    with pytest.raises(LedgerError) as refused:
        post("bad", [Leg(books.budget, amounts[0]), Leg(card, amounts[1])])
    assert refused.value.code == code
    assert not Transaction.objects.exists() and not Posting.objects.exists()


def test_one_leg_or_the_same_account_twice_is_refused(books):
    card = books.card()
    with pytest.raises(LedgerError):
        post("one", [Leg(card, 0)])
    with pytest.raises(LedgerError):
        post("twice", [Leg(card, -5), Leg(card, 5)])


def test_a_debit_above_the_balance_is_refused_and_rolls_back_whole(books):
    card = books.card()
    post("c1", [Leg(books.budget, -100), Leg(card, 100)])
    with pytest.raises(LedgerError) as refused:
        post("d1", [Leg(card, -101), Leg(books.settlement, 101)], kind="debit")
    assert refused.value.code == "insufficient_balance"
    assert card_balance(card) == 100 and balance_of(books.settlement) == 0
    assert not Transaction.objects.filter(key="d1").exists()
    # The refused key is free: a corrected retry with the same key goes through.
    post("d1", [Leg(card, -100), Leg(books.settlement, 100)], kind="debit")
    assert card_balance(card) == 0 and differences() == []


def test_the_database_itself_refuses_a_negative_card_balance(books):
    card = books.card()
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=card.pk).update(balance=-1)


def test_a_refused_posting_inside_a_callers_transaction_leaves_the_callers_work(books):
    card = books.card()
    with transaction.atomic():
        post("c1", [Leg(books.budget, -100), Leg(card, 100)])
        with pytest.raises(LedgerError):
            post("d1", [Leg(card, -500), Leg(books.settlement, 500)], kind="debit")
    assert card_balance(card) == 100 and differences() == []


def test_a_batch_credit_is_one_balanced_transaction_and_idempotent(books):
    cards = [books.card() for _ in range(3)]
    row = ledger_credit_cards(key="chunk-1", source=books.budget, amount_each=700,
                              account_ids=[c.pk for c in cards], actor=None)
    assert row.amount == 2100 and row.postings.count() == 4
    assert ledger_credit_cards(key="chunk-1", source=books.budget, amount_each=700,
                               account_ids=[c.pk for c in cards], actor=None) is None
    assert [card_balance(c) for c in cards] == [700] * 3 and balance_of(books.budget) == -2100
    assert differences() == []


def test_a_batch_credit_refuses_a_shared_account_among_the_cards(books):
    card = books.card()
    with pytest.raises(LedgerError):
        ledger_credit_cards(key="chunk", source=books.budget, amount_each=5, account_ids=[card.pk, books.forfeit.pk],
                            actor=None)
    assert card_balance(card) == 0 and not Transaction.objects.exists()


def test_card_accounts_opened_credited_are_one_balanced_transaction(books):
    ids, row = ledger_open_cards(count=3, source=books.budget, amount_each=700, key="open-1", actor=None)
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert set(Account.objects.filter(pk__in=ids).values_list("kind", flat=True)) == {"card"}
    assert [card_balance(Account(pk=pk)) for pk in ids] == [700] * 3 and balance_of(books.budget) == -2100
    assert row.kind == "credit" and row.amount == 2100
    assert sorted(row.postings.values_list("account_id", "amount")) == sorted(
        [(books.budget.pk, -2100), *((pk, 700) for pk in ids)])
    assert differences() == []


def test_accounts_opened_under_a_key_already_posted_are_refused_whole(books):
    ledger_open_cards(count=2, source=books.budget, amount_each=700, key="open-1", actor=None)
    before = Account.objects.count()
    with pytest.raises(LedgerError) as refused, transaction.atomic():
        ledger_open_cards(count=2, source=books.budget, amount_each=700, key="open-1", actor=None)
    assert refused.value.code == "key_reused"
    assert Account.objects.count() == before and Transaction.objects.count() == 1
    assert balance_of(books.budget) == -1400 and differences() == []


def test_card_accounts_opened_without_an_amount_start_at_zero_with_no_transaction(books):
    ids, row = ledger_open_cards(count=2, actor=None)
    assert row is None and [card_balance(Account(pk=pk)) for pk in ids] == [0, 0]
    assert not Transaction.objects.exists() and differences() == []


@pytest.mark.parametrize("arguments", [{"count": 0, "amount_each": 5}, {"count": 2, "amount_each": -5},
                                       {"count": 2, "amount_each": 5, "source": None}])
def test_opening_card_accounts_refuses_nonsense(books, arguments):
    with pytest.raises(LedgerError):
        ledger_open_cards(**{"source": books.budget, "key": "open", "actor": None, **arguments})
    with pytest.raises(LedgerError):
        ledger_open_cards(count=1, source=books.card(), amount_each=5, key="open", actor=None)
    assert not Account.objects.filter(kind="card", balance__gt=0).exists() and not Transaction.objects.exists()


def test_a_sweep_takes_every_balance_and_skips_empty_cards(books):
    full, empty = books.card(), books.card()
    post("c1", [Leg(books.budget, -300), Leg(full, 300)])
    row = ledger_sweep_cards(key="sweep", kind="forfeit", target=books.forfeit, account_ids=[full.pk, empty.pk],
                             actor=None)
    assert row.amount == 300 and row.postings.count() == 2
    assert card_balance(full) == 0 and balance_of(books.forfeit) == 300
    assert ledger_sweep_cards(key="sweep-2", kind="forfeit", target=books.forfeit, account_ids=[full.pk],
                              actor=None) is None
    assert differences() == []
