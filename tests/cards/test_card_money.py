"""CRD-3, CRD-4: a card's money moves only through the audited services: credit, debit, refund, forfeit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.cards.models import Card, CardStatus
from prakerja.cards.services import (
    CardError,
    card_credit,
    card_debit,
    card_forfeit,
    card_refund,
    forfeit_account,
    settlement_account,
)
from prakerja.ledger.models import Account, Transaction
from prakerja.ledger.selectors import balance_of, differences
from prakerja.ledger.services import LedgerError

BALANCE = 1_000_000  # the semi-bansos preset's training balance


def balance(card):
    return Account.objects.get(pk=card.account_id).balance


def debit(card, amount, key="buy-1", **kwargs):
    return card_debit(card=card, amount=amount, key=key, actor="partner:tokopedia", platform="tokopedia", **kwargs)


def test_a_debit_pays_the_platform_and_records_the_first_purchase(card, watched):
    watched(card.user)
    row = debit(card, 250_000)
    assert balance(card) == BALANCE - 250_000 and balance_of(settlement_account("tokopedia")) == 250_000
    card.refresh_from_db()
    assert card.first_purchase_at is not None
    entry = AuditEntry.objects.get(action="card.debit")
    assert entry.actor_label == "partner:tokopedia" and entry.data == {
        "key": "buy-1", "amount": 250_000, "platform": "tokopedia"}
    assert row.kind == "debit" and differences() == []


@pytest.mark.parametrize("amount", [0, -5, 1.5, "100", None, True])
def test_a_debit_of_zero_negative_or_not_whole_rupiah_is_refused(card, watched, amount):
    watched(card.user)
    with pytest.raises(CardError) as refused:
        debit(card, amount)
    assert refused.value.code == "amount_invalid" and balance(card) == BALANCE
    assert not Transaction.objects.filter(kind="debit").exists()


def test_a_debit_above_the_balance_is_refused_and_changes_nothing(card, watched):
    watched(card.user)
    with pytest.raises(LedgerError) as refused:
        debit(card, BALANCE + 1)
    assert refused.value.code == "insufficient_balance"
    card.refresh_from_db()
    assert balance(card) == BALANCE and card.first_purchase_at is None
    assert not AuditEntry.objects.filter(action="card.debit").exists()


def test_the_whole_balance_can_be_spent_over_several_trainings(card, watched):
    watched(card.user)
    debit(card, 400_000, key="a")
    debit(card, 600_000, key="b")
    assert balance(card) == 0
    with pytest.raises(LedgerError):
        debit(card, 1, key="c")


def test_a_replayed_debit_pays_once_and_a_changed_replay_is_refused(card, watched):
    watched(card.user)
    first = debit(card, 100_000)
    assert debit(card, 100_000).pk == first.pk
    with pytest.raises(LedgerError) as refused:
        debit(card, 100_001)
    assert refused.value.code == "key_reused"
    assert balance(card) == BALANCE - 100_000 and AuditEntry.objects.filter(action="card.debit").count() == 1


def test_no_purchase_before_the_three_videos(card):
    with pytest.raises(CardError) as refused:
        debit(card, 100_000)
    assert refused.value.code == "videos_not_watched" and balance(card) == BALANCE


def test_no_first_purchase_after_the_deadline_but_later_ones_after_a_first(card, watched):
    watched(card.user)
    late = card.purchase_deadline + timedelta(seconds=1)
    with pytest.raises(CardError) as refused:
        debit(card, 100_000, now=late)
    assert refused.value.code == "card_inactive"
    debit(card, 100_000, key="in-time", now=card.purchase_deadline - timedelta(seconds=1))
    debit(card, 100_000, key="later", now=late)  # the first purchase was in time
    assert balance(card) == BALANCE - 200_000


def test_no_purchase_on_a_revoked_card(card, watched):
    watched(card.user)
    Card.objects.filter(pk=card.pk).update(status=CardStatus.REVOKED, ended_at=timezone.now())
    with pytest.raises(CardError) as refused:
        debit(card, 100_000)
    assert refused.value.code == "card_inactive"


def test_no_purchase_after_the_programme_expiry(card, watched):
    watched(card.user)
    card.programme.balance_expires_on = timezone.localdate() - timedelta(days=1)
    with pytest.raises(CardError) as refused:
        debit(card, 100_000)
    assert refused.value.code == "balance_expired"


def test_refusals_come_in_one_order_and_a_replay_before_any(card, watched):
    """Videos (CRD-2), then the programme's expiry (CRD-6), then the card; a replay answers whatever came since.
    On PostgreSQL one statement decides them all, so the order is its reading of what it found."""
    Card.objects.filter(pk=card.pk).update(status=CardStatus.REVOKED, ended_at=timezone.now())
    card.programme.balance_expires_on = timezone.localdate() - timedelta(days=1)
    with pytest.raises(CardError) as refused:
        debit(card, 100_000)
    assert refused.value.code == "videos_not_watched"
    watched(card.user)
    with pytest.raises(CardError) as refused:
        debit(card, 100_000)
    assert refused.value.code == "balance_expired"
    card.programme.balance_expires_on = None
    with pytest.raises(CardError) as refused:
        debit(card, 100_000)
    assert refused.value.code == "card_inactive"
    assert balance(card) == BALANCE and not AuditEntry.objects.filter(action="card.debit").exists()


def test_a_replay_is_answered_after_the_card_is_revoked(card, watched):
    watched(card.user)
    paid = debit(card, 100_000)
    Card.objects.filter(pk=card.pk).update(status=CardStatus.REVOKED, ended_at=timezone.now())
    card.programme.balance_expires_on = timezone.localdate() - timedelta(days=1)
    assert debit(card, 100_000).pk == paid.pk
    assert balance(card) == BALANCE - 100_000


def test_refunds_never_exceed_the_purchase(card, watched):
    watched(card.user)
    debit(card, 300_000)
    card_refund(card=card, debit_key="buy-1", amount=200_000, key="r1", actor="partner:tokopedia", platform="tokopedia")
    with pytest.raises(CardError) as refused:
        card_refund(card=card, debit_key="buy-1", amount=100_001, key="r2", actor="partner:tokopedia",
                    platform="tokopedia")
    assert refused.value.code == "refund_too_large"
    card_refund(card=card, debit_key="buy-1", amount=100_000, key="r2", actor="partner:tokopedia", platform="tokopedia")
    # A replayed refund gives nothing twice.
    card_refund(card=card, debit_key="buy-1", amount=100_000, key="r2", actor="partner:tokopedia", platform="tokopedia")
    assert balance(card) == BALANCE and balance_of(settlement_account("tokopedia")) == 0
    assert differences() == []


def test_a_refund_of_another_platforms_or_cards_purchase_is_refused(card, watched, announced_wave):
    watched(card.user)
    debit(card, 300_000)
    with pytest.raises(CardError) as refused:
        card_refund(card=card, debit_key="buy-1", amount=1, key="r", actor="partner:bukalapak", platform="bukalapak")
    assert refused.value.code == "debit_unknown"
    other = Card.objects.exclude(pk=card.pk).first()
    with pytest.raises(CardError):
        card_refund(card=other, debit_key="buy-1", amount=1, key="r", actor="partner:tokopedia", platform="tokopedia")


def test_a_refund_to_a_revoked_card_goes_back_to_the_programme(card, watched):
    watched(card.user)
    debit(card, 300_000)
    Card.objects.filter(pk=card.pk).update(status=CardStatus.REVOKED, ended_at=timezone.now())
    card_refund(card=card, debit_key="buy-1", amount=300_000, key="r", actor="partner:tokopedia", platform="tokopedia")
    assert balance(card) == BALANCE - 300_000 and balance_of(forfeit_account()) == 300_000


def test_forfeit_takes_the_whole_balance_once(card):
    row = card_forfeit(card=card, key="revoke-1", actor=None, reason="no purchase")
    assert row.amount == BALANCE and balance(card) == 0 and balance_of(forfeit_account()) == BALANCE
    assert card_forfeit(card=card, key="revoke-1", actor=None, reason="no purchase") is None
    assert AuditEntry.objects.filter(action="card.forfeit").count() == 1
    assert differences() == []


def test_a_credit_comes_from_the_budget_and_is_audited(card):
    card_credit(card=card, amount=50_000, key="top-up-1", actor=None)
    card_credit(card=card, amount=50_000, key="top-up-1", actor=None)
    assert balance(card) == BALANCE + 50_000
    assert AuditEntry.objects.filter(action="card.credit").count() == 1


def test_the_deadline_holds_whatever_the_time_zone_of_the_clock(card, watched):
    # The same instant in WIB and in UTC: one second after the deadline is refused in both.
    watched(card.user)
    wib = timezone.get_fixed_timezone(420)
    late = (card.purchase_deadline + timedelta(seconds=1)).astimezone(wib)
    with pytest.raises(CardError):
        debit(card, 100_000, now=late)
    debit(card, 100_000, key="in-time", now=(card.purchase_deadline - timedelta(seconds=1)).astimezone(wib))
