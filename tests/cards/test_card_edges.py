"""CRD-3, CRD-4: what the card's money services must hold that the other tests left unchecked (`make mutants`).

A refund names one purchase of the card, never another purchase or a
refund; a replayed key must say the same thing; every refusal keeps its code
and its message; the acting party is written in the ledger and the audit log.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.cards.services import CardError, card_credit, card_debit, card_refund, settlement_account
from prakerja.ledger.models import Transaction
from prakerja.ledger.selectors import balance_of, differences
from prakerja.ledger.services import LedgerError
from tests.cards.test_card_money import balance, debit
from tests.conftest import assert_refused as refused

BALANCE = 1_000_000  # the semi-bansos preset's training balance
PARTNER = "partner:tokopedia"
UNKNOWN = "No purchase with this reference was made with this card."


def refund(card, debit_key, amount, key):
    return card_refund(card=card, debit_key=debit_key, amount=amount, key=key, actor=PARTNER, platform="tokopedia")


def test_a_refund_is_of_the_purchase_it_names(card, watched):
    watched(card.user)
    small, large = debit(card, 100_000, "buy-small"), debit(card, 500_000, "buy-large")
    row = refund(card, "buy-large", 300_000, "r1")
    assert row.refund_of_id == large.pk and row.refund_of_id != small.pk
    refused(lambda: refund(card, "buy-small", 300_000, "r2"), CardError, "refund_too_large",
            "A refund cannot be larger than what is left of the purchase.")
    assert balance(card) == BALANCE - 300_000 and differences() == []


def test_a_refund_cannot_be_refunded_nor_a_credit(card, watched):
    watched(card.user)
    debit(card, 300_000, "buy-1")
    refund(card, "buy-1", 100_000, "r1")
    credit = Transaction.objects.filter(kind="credit", postings__account=card.account).first()
    for key in ("r1", credit.key):
        refused(lambda key=key: refund(card, key, 1_000, f"again-{key}"), CardError, "debit_unknown", UNKNOWN)
    assert balance(card) == BALANCE - 200_000 and balance_of(settlement_account("tokopedia")) == 200_000


def test_a_purchase_at_another_platform_is_unknown_here(card, watched):
    watched(card.user)
    debit(card, 300_000, "buy-1")
    refused(lambda: card_refund(card=card, debit_key="buy-1", amount=1, key="r", actor="partner:bukalapak",
                                platform="bukalapak"), CardError, "debit_unknown", UNKNOWN)


@pytest.mark.parametrize("change", ["amount", "purchase"])
def test_a_refund_key_replayed_for_something_else_is_refused(card, watched, change):
    watched(card.user)
    debit(card, 300_000, "buy-1")
    debit(card, 300_000, "buy-2")
    refund(card, "buy-1", 100_000, "r1")
    debit_key, amount = ("buy-1", 100_001) if change == "amount" else ("buy-2", 100_000)
    refused(lambda: refund(card, debit_key, amount, "r1"), LedgerError, "key_reused",
            "This transaction key was already used for a different movement.")
    assert balance(card) == BALANCE - 500_000


def test_a_refund_and_a_credit_name_who_moved_the_money(card, watched):
    watched(card.user)
    debit(card, 300_000, "buy-1")
    refund(card, "buy-1", 100_000, "r1")
    card_credit(card=card, amount=50_000, key="top-up", actor="ops@example.id")
    assert Transaction.objects.get(key="r1").actor_label == PARTNER
    assert Transaction.objects.get(key="top-up").actor_label == "ops@example.id"
    entry = AuditEntry.objects.get(action="card.credit")
    assert (entry.actor_label, entry.target_type, entry.target_id) == ("ops@example.id", "cards.card",
                                                                       str(card.public_id))
    assert entry.data == {"key": "top-up", "amount": 50_000}
    assert AuditEntry.objects.get(action="card.refund").actor_label == PARTNER


def test_the_refusals_before_the_money_keep_their_messages(card, watched):
    refused(lambda: debit(card, 1_000, "buy-1"), CardError, "videos_not_watched",
            "Watch the three introduction videos before buying a training.")
    watched(card.user)
    card.programme.balance_expires_on = timezone.localdate() - timedelta(days=1)
    refused(lambda: debit(card, 1_000, "buy-1"), CardError, "balance_expired",
            "The programme has ended; the card balance can no longer be used.")
    assert balance(card) == BALANCE and not Transaction.objects.filter(kind="debit").exists()


def test_a_debit_records_its_time_its_party_and_its_card(card, watched):
    watched(card.user)
    at = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    row = card_debit(card=card, amount=1_000, key="buy-1", actor=PARTNER, platform="tokopedia", now=at)
    stored = Transaction.objects.get(pk=row.pk)
    assert (stored.created_at, stored.actor_label) == (at, PARTNER)
    entry = AuditEntry.objects.get(action="card.debit")
    assert (entry.target_type, entry.target_id) == ("cards.card", str(card.public_id))


def test_a_debit_finds_its_platforms_account_when_none_is_remembered(card, watched, monkeypatch):
    from prakerja.cards import services

    monkeypatch.setattr(services, "_settlements", {})
    watched(card.user)
    debit(card, 1_000, "buy-1")
    assert balance_of(settlement_account("tokopedia")) == 1_000


def test_the_last_day_of_the_programme_still_buys_and_the_day_after_does_not(card, watched):
    watched(card.user)
    today = timezone.localdate()
    card.programme.balance_expires_on = today
    debit(card, 1_000, "on-the-last-day")
    card.programme.balance_expires_on = today - timedelta(days=1)
    # What counts is the purchase's own time, not the clock's: a purchase made before the end still went through.
    earlier = timezone.now() - timedelta(days=2)
    assert card.purchase_deadline > earlier
    assert card_debit(card=card, amount=1_000, key="before-the-end", actor=PARTNER, platform="tokopedia",
                      now=earlier).amount == 1_000
    refused(lambda: debit(card, 1_000, "after"), CardError, "balance_expired",
            "The programme has ended; the card balance can no longer be used.")


def test_a_debit_above_the_balance_or_on_an_ended_card_keeps_its_message(card, watched):
    watched(card.user)
    refused(lambda: debit(card, BALANCE + 1, "buy-1"), LedgerError, "insufficient_balance",
            "The card balance is not enough for this amount.")
    from prakerja.cards.models import Card, CardStatus

    Card.objects.filter(pk=card.pk).update(status=CardStatus.REVOKED, ended_at=timezone.now())
    refused(lambda: debit(card, 1_000, "buy-2"), CardError, "card_inactive",
            "This card can no longer be used to buy a training.")


def test_a_forfeit_names_who_why_and_what_in_the_ledger_and_the_audit(card):
    from prakerja.cards.services import card_forfeit

    row = card_forfeit(card=card, key="revoke-1", actor="ops@example.id", reason="no purchase")
    stored = Transaction.objects.get(pk=row.pk)
    assert (stored.actor_label, stored.memo) == ("ops@example.id", "no purchase")
    entry = AuditEntry.objects.get(action="card.forfeit")
    assert (entry.actor_label, entry.target_id, entry.reason) == ("ops@example.id", str(card.public_id), "no purchase")
    assert entry.data == {"key": "revoke-1", "amount": BALANCE}


@pytest.mark.parametrize("amount", [0, -1, 1.5])
def test_a_bad_amount_says_what_an_amount_must_be(card, watched, amount):
    watched(card.user)
    refused(lambda: debit(card, amount, "buy-1"), CardError, "amount_invalid",
            "The amount must be a whole number of rupiah above zero.")


def test_funding_the_budget_names_who_and_what_in_the_ledger_and_the_audit(card):
    from prakerja.cards.services import budget_fund

    row = budget_fund(programme=card.programme, amount=5_000, key="fund-x", actor="ops@example.id")
    assert Transaction.objects.get(pk=row.pk).actor_label == "ops@example.id"
    entry = AuditEntry.objects.get(action="ledger.budget_fund", data__key="fund-x")
    assert (entry.actor_label, entry.target_type, entry.data) == (
        "ops@example.id", "programme.programme", {"key": "fund-x", "amount": 5_000})


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
@pytest.mark.django_db(transaction=True)
def test_a_debit_outside_a_transaction_keeps_its_party_and_platform(card, watched):
    from django.db import connection

    watched(card.user)
    assert not connection.in_atomic_block
    row = card_debit(card=card, amount=1_000, key="buy-1", actor=PARTNER, platform="bukalapak")
    assert Transaction.objects.get(pk=row.pk).actor_label == PARTNER
    assert balance_of(settlement_account("bukalapak")) == 1_000 and balance(card) == BALANCE - 1_000
