"""CRD-3: ``ledger_spend_card``, the one-statement card spend behind a caller's guard (PostgreSQL only).

The same books as ``ledger_post``: balanced, idempotent by key, no card
below zero; and a refusal writes nothing, so it needs no savepoint.
"""

import pytest
from django.db import connection, transaction

from prakerja.ledger.models import Account, Posting, Transaction
from prakerja.ledger.selectors import balance_of, differences
from prakerja.ledger.services import LedgerError, Leg, ledger_post, ledger_spend_card
from tests.registry.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("postgres_only")]

# The simplest guard: a constant answer (a real caller locks and checks its own rows).
YES = ("SELECT TRUE AS allowed, 'open' AS why", {})
NO = ("SELECT FALSE AS allowed, 'closed' AS why", {})


@pytest.fixture
def card(books):
    card = books.card()
    ledger_post(key="credit", kind="credit", legs=[Leg(books.budget, -1_000), Leg(card, 1_000)], actor=None)
    return card


def spend(books, card, amount, key="buy", guard=YES, **kwargs):
    return ledger_spend_card(key=key, kind="debit", card_account_id=card.pk, to=books.settlement, amount=amount,
                             actor="partner:test", guard=guard, **kwargs)


def balance(card):
    return Account.objects.get(pk=card.pk).balance


def test_a_spend_moves_the_money_like_ledger_post(books, card):
    done = spend(books, card, 400)
    row = done.transaction
    assert not done.replayed and row.pk and row.amount == 400 and row.kind == "debit"
    assert Transaction.objects.get(pk=row.pk).fingerprint == row.fingerprint
    assert balance(card) == 600 and balance_of(books.settlement) == 400
    assert sorted(Posting.objects.filter(transaction=row).values_list("amount", flat=True)) == [-400, 400]
    # The same movement through ledger_post is a replay of it: the fingerprints agree.
    again, posted = ledger_post(key="buy", kind="debit", legs=[Leg(card, -400), Leg(books.settlement, 400)],
                                actor=None)
    assert not posted and again.pk == row.pk
    assert differences() == []


def test_a_guard_that_says_no_writes_nothing_and_returns_its_row(books, card):
    done = spend(books, card, 400, guard=NO)
    assert done.transaction is None and not done.short and done.facts == (False, "closed")
    assert balance(card) == 1_000 and not Transaction.objects.filter(key="buy").exists()


def test_a_guard_that_finds_no_row_writes_nothing(books, card):
    done = spend(books, card, 400, guard=("SELECT TRUE AS allowed FROM ledger_account WHERE id = -1", {}))
    assert done.transaction is None and done.facts is None and balance(card) == 1_000


def test_a_short_balance_writes_nothing(books, card):
    done = spend(books, card, 1_001)
    assert done.transaction is None and done.short
    assert balance(card) == 1_000 and not Transaction.objects.filter(key="buy").exists()
    assert not Posting.objects.filter(account=books.settlement).exists()


def test_a_refusal_inside_a_callers_transaction_leaves_the_callers_work(books, card):
    with transaction.atomic():
        spend(books, card, 100, key="first")
        assert spend(books, card, 5_000, key="second").short
        spend(books, card, 200, key="third")  # the transaction is still usable: no error was raised inside it
    assert balance(card) == 700 and differences() == []


def row_version(account) -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text, xmax::text FROM ledger_account WHERE id = %s", [account.pk])
        return cursor.fetchone()


def test_the_follow_up_runs_only_when_the_money_moved(books, card):
    # A write we can see happen: a new row version of the forfeiture account, nothing else.
    then = ("noted AS (UPDATE ledger_account SET code = code WHERE id = %(mark)s AND EXISTS "
            "(SELECT 1 FROM posted) RETURNING 1)", {"mark": books.forfeit.pk})
    with connection.cursor() as cursor:
        cursor.execute("SELECT ctid::text FROM ledger_account WHERE id = %s", [books.forfeit.pk])
        before = cursor.fetchone()[0]
        assert spend(books, card, 5_000, then=then).short
        cursor.execute("SELECT ctid::text FROM ledger_account WHERE id = %s", [books.forfeit.pk])
        assert cursor.fetchone()[0] == before
        assert spend(books, card, 100, then=then).transaction is not None
        cursor.execute("SELECT ctid::text FROM ledger_account WHERE id = %s", [books.forfeit.pk])
        assert cursor.fetchone()[0] != before
    assert balance(card) == 900


def test_a_replay_answers_with_the_first_spend_even_when_the_guard_now_says_no(books, card):
    first = spend(books, card, 300).transaction
    again = spend(books, card, 300, guard=NO)
    assert again.replayed and again.transaction.pk == first.pk
    again = spend(books, card, 300)  # the guard says yes: the money moves back, nothing is posted twice
    assert again.replayed and again.transaction.pk == first.pk
    assert balance(card) == 700 and Transaction.objects.filter(kind="debit").count() == 1
    assert differences() == []


def test_the_same_key_for_another_amount_is_refused(books, card):
    spend(books, card, 300)
    with pytest.raises(LedgerError) as refused:
        spend(books, card, 301)
    assert refused.value.code == "key_reused" and balance(card) == 700


def test_a_stale_target_locks_nothing_and_says_so(books, card):
    stale = Account(pk=books.settlement.pk, kind="settlement", code="settlement:renamed")
    lock_the_budget = ("SELECT TRUE AS allowed FROM ledger_account WHERE id = %(locked)s FOR NO KEY UPDATE",
                       {"locked": books.budget.pk})
    done = ledger_spend_card(key="buy", kind="debit", card_account_id=card.pk, to=stale, amount=100,
                             actor=None, guard=lock_the_budget)
    assert done.target_gone and done.transaction is None and balance(card) == 1_000
    assert row_version(books.budget)[1] == "0"  # the guard never ran: no lock on its row


@pytest.mark.parametrize("amount", [0, -5, 1.5, True])
def test_bad_amounts_are_refused(books, card, amount):
    with pytest.raises(LedgerError) as refused:
        spend(books, card, amount)
    assert refused.value.code == "amount_invalid"


def test_a_card_cannot_be_the_target(books, card):
    with pytest.raises(LedgerError):
        ledger_spend_card(key="k", kind="debit", card_account_id=card.pk, to=books.card(), amount=1, actor=None,
                          guard=YES)


def test_it_is_not_prepared_behind_a_transaction_pooler(books, card, monkeypatch):
    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    assert spend(books, card, 100).transaction is not None and balance(card) == 900


@pytest.mark.django_db(transaction=True)
def test_fifty_spends_at_once_never_overspend_and_one_key_posts_once(books):
    card = books.card()
    ledger_post(key="credit", kind="credit", legs=[Leg(books.budget, -1_000_000), Leg(card, 1_000_000)], actor=None)
    # 40 different purchases of Rp30.000 (33 fit) and the same purchase sent 10 times.
    results = run_together(*[(lambda n=n: spend(books, card, 30_000, key=f"buy-{n}")) for n in range(40)],
                           *[(lambda: spend(books, card, 10_000, key="one"))] * 10)
    posted = [r for r in results if r.transaction is not None and not r.replayed]
    replayed = [r for r in results if r.replayed]
    short = [r for r in results if r.transaction is None]
    # "one" always fits (33 purchases leave exactly Rp10.000), posts once and answers the 9 others.
    outcomes = [(r.transaction and r.transaction.key, r.replayed, r.short) for r in results]
    assert (len(posted), len(replayed), len(short)) == (34, 9, 7), outcomes
    assert all(r.short for r in short) and {r.transaction.key for r in replayed} == {"one"}
    assert Account.objects.get(pk=card.pk).balance == 0 and balance_of(books.settlement) == 1_000_000
    assert Transaction.objects.filter(kind="debit").count() == 34
    assert differences() == []
