"""CRD-3: the edges of the ledger's services that the other tests left unchecked (found by `make mutants`).

Each test here killed mutants that every other ledger test let live: a
boundary moved by one (an amount of 1, a key of 120 characters), a refusal's
code or message, and what a posting records (who, the memo, the time) when
the service opens its own transaction.
"""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from prakerja.ledger.models import Account, AccountKind, Transaction
from prakerja.ledger.selectors import balance_of, differences
from prakerja.ledger.services import (
    LedgerError,
    Leg,
    ledger_credit_cards,
    ledger_open_cards,
    ledger_post,
    ledger_spend_card,
    ledger_sweep_cards,
)
from tests.conftest import assert_refused

YES = ("SELECT TRUE AS allowed", {})
SPEND_REFUSED = "A card spend needs a positive amount and a shared target account."
BATCH_REFUSED = "A batch credit needs a positive amount and at least one card."
NOT_A_CARD = "A batch credit names an account that is not a card."
SWEEP_REFUSED = "A sweep needs a shared target account and at least one card."
BAD_KEY = "Every ledger transaction needs a key of at most 120 characters."


def refused(call, code: str, message: str):
    return assert_refused(call, LedgerError, code, message)


def funded(books, amount=1_000) -> Account:
    card = books.card()
    ledger_post(key=f"fund-{card.pk}", kind="credit", legs=[Leg(books.budget, -amount), Leg(card, amount)],
                actor=None)
    return card


# --- ledger_credit_cards ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["zero", "no cards", "a card as source"])
def test_a_batch_credit_refuses_nonsense_with_its_code_and_message(books, case):
    card = books.card()
    arguments = {"key": "chunk", "source": books.budget, "amount_each": 5, "account_ids": [card.pk], "actor": None}
    arguments.update({"zero": {"amount_each": 0}, "no cards": {"account_ids": []},
                      "a card as source": {"source": books.card()}}[case])
    refused(lambda: ledger_credit_cards(**arguments), "amount_invalid", BATCH_REFUSED)
    assert not Transaction.objects.exists() and balance_of(card) == 0


def test_a_batch_credit_that_names_a_shared_account_says_which_rule(books):
    card = books.card()
    refused(lambda: ledger_credit_cards(key="chunk", source=books.budget, amount_each=5,
                                        account_ids=[card.pk, books.forfeit.pk], actor=None),
            "unbalanced", NOT_A_CARD)


def test_a_batch_credit_records_who_and_is_the_same_movement_as_its_postings(books):
    cards = [books.card(), books.card()]
    row = ledger_credit_cards(key="chunk", source=books.budget, amount_each=700, account_ids=[c.pk for c in cards],
                              actor="ops@example.id")
    stored = Transaction.objects.get(pk=row.pk)
    assert (stored.actor_label, stored.memo, stored.amount) == ("ops@example.id", "", 1_400)
    # The fingerprint names the movement whoever posts it: the same legs through ledger_post are a replay.
    again, posted = ledger_post(key="chunk", kind="credit", actor=None,
                                legs=[Leg(books.budget, -1_400), *(Leg(c, 700) for c in cards)])
    assert not posted and again.pk == row.pk and differences() == []


# --- ledger_open_cards ------------------------------------------------------------------------------------------


def test_one_card_account_can_be_opened(books):
    ids, row = ledger_open_cards(count=1, source=books.budget, amount_each=700, key="open-one", actor="system")
    assert len(ids) == 1 and balance_of(Account(pk=ids[0], kind=AccountKind.CARD)) == 700
    assert Transaction.objects.get(pk=row.pk).memo == "" and differences() == []


@pytest.mark.parametrize("arguments", [{"count": 0, "amount_each": 5}, {"count": 2, "amount_each": -5},
                                       {"count": 2, "amount_each": 5, "source": None}])
def test_opening_card_accounts_refuses_nonsense_with_its_code_and_message(books, arguments):
    refused(lambda: ledger_open_cards(**{"source": books.budget, "key": "open", "actor": None, **arguments}),
            "amount_invalid", BATCH_REFUSED)


def test_card_accounts_opened_with_money_need_a_key(books):
    before = Account.objects.count()
    with transaction.atomic():
        refused(lambda: ledger_open_cards(count=2, source=books.budget, amount_each=5, actor=None),
                "key_invalid", BAD_KEY)
        transaction.set_rollback(True)  # as the caller's chunk would roll back
    assert Account.objects.count() == before and not Transaction.objects.exists()


# --- ledger_sweep_cards ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["no cards", "a card as target"])
def test_a_sweep_refuses_nonsense_with_its_code_and_message(books, case):
    card = funded(books)
    target, ids = (books.forfeit, []) if case == "no cards" else (books.card(), [card.pk])
    refused(lambda: ledger_sweep_cards(key="sweep", kind="forfeit", target=target, account_ids=ids, actor=None),
            "amount_invalid", SWEEP_REFUSED)
    assert balance_of(card) == 1_000


def test_a_sweep_records_who_and_no_memo_unless_given(books):
    card = funded(books)
    row = ledger_sweep_cards(key="sweep", kind="forfeit", target=books.forfeit, account_ids=[card.pk],
                             actor="system")
    stored = Transaction.objects.get(pk=row.pk)
    assert (stored.actor_label, stored.memo, stored.amount) == ("system", "", 1_000)
    assert balance_of(card) == 0 and balance_of(books.forfeit) == 1_000 and differences() == []


# --- ledger_spend_card (PostgreSQL) -----------------------------------------------------------------------------


def spend(books, card, amount=100, key="buy", to=None, **kwargs):
    arguments = {"key": key, "kind": "debit", "card_account_id": card.pk, "to": to or books.settlement,
                 "amount": amount, "actor": "partner:test", "guard": YES, **kwargs}
    return ledger_spend_card(**arguments)


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
def test_a_spend_of_one_rupiah_and_a_key_of_120_characters_are_taken(books):
    card = funded(books)
    assert spend(books, card, amount=1, key="k" * 120).transaction.amount == 1
    assert balance_of(card) == 999


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
@pytest.mark.parametrize("key", ["", "k" * 121])
def test_a_spend_without_a_key_or_with_a_long_one_is_refused(books, key):
    card = funded(books)
    refused(lambda: spend(books, card, key=key), "key_invalid", BAD_KEY)
    assert balance_of(card) == 1_000


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
@pytest.mark.parametrize("target", ["a card", "an account without a code"])
def test_a_spend_refuses_a_target_that_is_not_a_shared_account(books, target):
    card = funded(books)
    to = books.card() if target == "a card" else Account(pk=books.settlement.pk, kind=AccountKind.SETTLEMENT, code="")
    refused(lambda: spend(books, card, to=to), "amount_invalid", SPEND_REFUSED)
    refused(lambda: spend(books, card, amount=0), "amount_invalid", SPEND_REFUSED)
    assert balance_of(card) == 1_000


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
def test_the_spend_it_returns_is_the_row_it_stored(books):
    card = funded(books)
    now = timezone.now().replace(microsecond=0)
    row = spend(books, card, memo="m" * 300, now=now).transaction
    stored = Transaction.objects.get(pk=row.pk)
    for field in ("key", "kind", "amount", "fingerprint", "actor_label", "memo", "created_at"):
        assert getattr(row, field) == getattr(stored, field), field
    assert (stored.memo, stored.created_at, stored.actor_label) == ("m" * 200, now, "partner:test")


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
@pytest.mark.django_db(transaction=True)
def test_a_spend_outside_a_transaction_opens_one_and_loses_nothing_it_was_given(books):
    """Called with no transaction open, the spend opens its own: the same facts are recorded, the follow-up runs."""
    card = funded(books)
    now = timezone.now().replace(microsecond=0)
    then = ("noted AS (UPDATE ledger_account SET code = code WHERE id = %(mark)s AND EXISTS "
            "(SELECT 1 FROM posted) RETURNING 1)", {"mark": books.forfeit.pk})

    def version():
        with connection.cursor() as cursor:
            cursor.execute("SELECT ctid::text FROM ledger_account WHERE id = %s", [books.forfeit.pk])
            return cursor.fetchone()[0]

    before = version()
    assert not connection.in_atomic_block
    row = spend(books, card, memo="bought", now=now, then=then).transaction
    stored = Transaction.objects.get(pk=row.pk)
    assert (stored.actor_label, stored.memo, stored.created_at) == ("partner:test", "bought", now)
    assert version() != before  # the follow-up ran, in the spend's own transaction
    assert balance_of(card) == 900 and differences() == []


# --- ledger_post, keys, labels, fingerprints, shared accounts --------------------------------------------------


@pytest.mark.parametrize(("legs", "message"), [
    (lambda b, c: [Leg(b.budget, -5)], "A ledger transaction needs at least two postings."),
    (lambda b, c: [Leg(b.budget, -5), Leg(c, 4)],
     "The postings of a ledger transaction must be non-zero and sum to zero."),
    (lambda b, c: [Leg(b.budget, -5), Leg(c, 5), Leg(c, 0)],
     "The postings of a ledger transaction must be non-zero and sum to zero."),
    (lambda b, c: [Leg(b.budget, -10), Leg(c, 5), Leg(c, 5)], "Each account may appear once in a ledger transaction."),
])
def test_unbalanced_postings_are_refused_with_their_message(books, legs, message):
    card = books.card()
    refused(lambda: ledger_post(key="k", kind="credit", legs=legs(books, card), actor=None), "unbalanced", message)
    assert not Transaction.objects.exists()


@pytest.mark.parametrize(("key", "taken"), [("", False), ("k" * 120, True), ("k" * 121, False)])
def test_a_posting_key_is_one_to_120_characters(books, key, taken):
    card = books.card()

    def post():
        return ledger_post(key=key, kind="credit", legs=[Leg(books.budget, -5), Leg(card, 5)], actor=None)

    if taken:
        assert post()[1] and Transaction.objects.get().key == key
    else:
        refused(post, "key_invalid", BAD_KEY)
        assert not Transaction.objects.exists()


def test_a_key_reused_for_another_movement_says_so(books):
    card = books.card()
    ledger_post(key="k", kind="credit", legs=[Leg(books.budget, -5), Leg(card, 5)], actor=None)
    refused(lambda: ledger_post(key="k", kind="credit", legs=[Leg(books.budget, -6), Leg(card, 6)], actor=None),
            "key_reused", "This transaction key was already used for a different movement.")


@pytest.mark.parametrize("amount", [1.5, True, "5"])
def test_an_amount_that_is_not_whole_rupiah_says_so(books, amount):
    card = books.card()
    refused(lambda: ledger_post(key="k", kind="credit", legs=[Leg(books.budget, -5), Leg(card, amount)], actor=None),
            "amount_invalid", "The amount must be a whole number of rupiah.")


def test_a_long_memo_and_a_long_operator_address_are_cut_to_what_is_kept(books, make_user):
    operator = make_user(email=f"{'o' * 230}@example.id", is_staff=True)
    card = books.card()
    row, _posted = ledger_post(key="k", kind="credit", legs=[Leg(books.budget, -5), Leg(card, 5)], actor=operator,
                               memo="m" * 300)
    stored = Transaction.objects.get(pk=row.pk)
    assert stored.actor_label == operator.email[:200] and stored.memo == "m" * 200


def test_the_fingerprint_of_a_movement_does_not_change_between_releases():
    """Stored fingerprints decide replays: a new format would refuse every retry of an older posting."""
    import hashlib

    from prakerja.ledger.services import fingerprint

    assert fingerprint("debit", [(7, 500), (3, -500)]) == hashlib.sha256(b"debit|3:-500,7:500").hexdigest()


def test_keys_spread_over_every_shard_and_always_to_the_same_one():
    from prakerja.ledger.services import SHARDS, _shard_of

    shards = [_shard_of(f"purchase-{n}") for n in range(400)]
    assert set(shards) == set(range(SHARDS)) and all(type(s) is int for s in shards)
    assert shards == [_shard_of(f"purchase-{n}") for n in range(400)]


def test_a_shared_account_is_found_by_its_code_among_card_accounts(db):
    from prakerja.ledger.services import shared_account

    Account.objects.create(kind=AccountKind.CARD)
    made = shared_account("settlement:new", AccountKind.SETTLEMENT)
    assert (made.code, made.kind) == ("settlement:new", AccountKind.SETTLEMENT)
    assert shared_account("settlement:new", AccountKind.SETTLEMENT).pk == made.pk
    assert shared_account("settlement:other", AccountKind.SETTLEMENT).pk != made.pk
