"""CRD-4: ``card_debit`` inside a caller's transaction, replays after the card changed, and (PostgreSQL) its
settlement accounts kept by id. The one-statement path on PostgreSQL and the row-by-row path elsewhere must
answer alike; test_card_money.py has the rest of the rules."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.cards import services as money
from prakerja.cards.models import Card, CardStatus
from prakerja.cards.services import CardError, card_debit, settlement_account
from prakerja.ledger.models import Account, Transaction
from prakerja.ledger.selectors import balance_of, differences
from prakerja.ledger.services import LedgerError

BALANCE = 1_000_000


def debit(card, amount, key="buy-1", platform="tokopedia", **kwargs):
    return card_debit(card=card, amount=amount, key=key, actor="partner:tokopedia", platform=platform, **kwargs)


def balance(card):
    return Account.objects.get(pk=card.account_id).balance


def test_a_refused_debit_inside_the_callers_transaction_leaves_the_callers_work(card, watched):
    watched(card.user)
    with transaction.atomic():
        debit(card, 100_000, key="a")
        with pytest.raises(LedgerError):
            debit(card, BALANCE, key="b")
        Card.objects.filter(pk=card.pk).update(status_reason="still usable")  # the transaction is not broken
        debit(card, 200_000, key="c")
    assert balance(card) == BALANCE - 300_000 and Card.objects.get(pk=card.pk).status_reason == "still usable"
    assert AuditEntry.objects.filter(action="card.debit").count() == 2 and differences() == []


def test_a_replay_is_answered_after_the_card_was_revoked(card, watched):
    watched(card.user)
    first = debit(card, 100_000)
    Card.objects.filter(pk=card.pk).update(status=CardStatus.REVOKED, ended_at=timezone.now())
    assert debit(card, 100_000).pk == first.pk
    with pytest.raises(CardError) as refused:
        debit(card, 100_000, key="new")
    assert refused.value.code == "card_inactive"


def test_a_replay_is_answered_after_the_balance_is_spent(card, watched):
    watched(card.user)
    first = debit(card, 400_000)
    debit(card, 600_000, key="rest")
    assert debit(card, 400_000).pk == first.pk and balance(card) == 0
    assert AuditEntry.objects.filter(action="card.debit").count() == 2


def test_the_first_purchase_is_the_first_one(card, watched):
    watched(card.user)
    early = timezone.now()
    debit(card, 1_000, key="a", now=early)
    debit(card, 1_000, key="b", now=early + timedelta(days=1))
    assert Card.objects.get(pk=card.pk).first_purchase_at == early


def test_a_refused_debit_records_no_first_purchase(card, watched):
    watched(card.user)
    with pytest.raises(LedgerError):
        debit(card, BALANCE + 1)
    assert Card.objects.get(pk=card.pk).first_purchase_at is None
    assert not Transaction.objects.filter(kind="debit").exists()


def test_each_platform_is_paid_into_its_own_settlement_account(card, watched):
    watched(card.user)
    debit(card, 100_000, key="a", platform="tokopedia")
    debit(card, 50_000, key="b", platform="pintaria")
    assert balance_of(settlement_account("tokopedia")) == 100_000
    assert balance_of(settlement_account("pintaria")) == 50_000
    assert differences() == []


@pytest.mark.postgres
@pytest.mark.usefixtures("postgres_only")
def test_a_stale_settlement_id_kept_by_the_process_is_looked_up_again(card, watched, monkeypatch):
    watched(card.user)
    real = settlement_account("tokopedia")
    # An id from another database (a rolled-back test, a restored copy): it names another account now.
    monkeypatch.setitem(money._settlements, "settlement:tokopedia",
                        Account(pk=settlement_account("pintaria").pk, kind="settlement", code="settlement:tokopedia"))
    debit(card, 100_000)
    assert balance_of(real) == 100_000 and balance_of(settlement_account("pintaria")) == 0
    assert money._settlements["settlement:tokopedia"].pk == real.pk and differences() == []
