"""CRD-6: once the programme's balance period is over (the WIB day of ``balance_expires_on`` has ended),
every card still active expires and its unused balance is forfeited through the ledger, once."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.cards.models import Card, CardStatus
from prakerja.cards.services import card_forfeit, forfeit_account
from prakerja.cards.services import revocation as rev
from prakerja.ledger.models import Account, Posting, Transaction, TransactionKind
from prakerja.ledger.selectors import balance_of, differences
from prakerja.notifications.models import Message
from prakerja.programme.models import Programme
from prakerja.waves.models import Application

BALANCE = 1_000_000
EXPIRES_ON = date(2026, 6, 30)
END = rev.midnight_wib(date(2026, 7, 1))  # 30 June ends at midnight WIB (17:00 UTC)


@pytest.fixture
def expiring(cards):
    """The three cards, bought from (so no revocation is due), in a programme whose balances expire on 30 June."""
    Programme.objects.filter(pk=cards[0].programme_id).update(balance_expires_on=EXPIRES_ON)
    Card.objects.update(first_purchase_at=timezone.now(), purchase_deadline=END - timedelta(days=30))
    return cards


def status_of(card):
    return Card.objects.values_list("status", flat=True).get(pk=card.pk)


def expired_messages(**filters):
    return Message.objects.filter(template="card_expired", **filters)


def test_nothing_expires_while_the_last_day_lasts(expiring, queued):
    assert rev.cards_expire(now=END - timedelta(seconds=1)) == 0
    assert Card.objects.filter(status=CardStatus.ACTIVE).count() == 3


def test_when_the_day_ends_every_active_card_expires_and_its_balance_is_forfeited(expiring, queued):
    card_forfeit(card=expiring[2], key="emptied", actor=None, reason="test")  # nothing left on this one
    before = balance_of(forfeit_account())
    assert rev.cards_expire(now=END, chunk_size=2) == 3
    for card in expiring:
        card.refresh_from_db()
        assert card.status == CardStatus.EXPIRED and card.ended_at == END
        assert card.status_reason == rev.EXPIRED_REASON
        assert Account.objects.get(pk=card.account_id).balance == 0
        assert Application.objects.get(pk=card.application_id).status == "passed"  # expiry bars nothing more
    assert balance_of(forfeit_account()) == before + 2 * BALANCE
    sweeps = Transaction.objects.filter(kind=TransactionKind.EXPIRE)
    assert sweeps.count() == 1 and sweeps.get().key == f"expire:card-{expiring[0].pk}"  # the second chunk had 0
    # The ledger says why and when: the programme's end, at the moment the job was run for, not the clock's.
    assert (sweeps.get().memo, sweeps.get().created_at) == (rev.EXPIRED_REASON, END)
    assert Posting.objects.filter(transaction__kind=TransactionKind.EXPIRE, amount__lt=0).count() == 2
    # Told: the two who lost a balance, once each, by inbox and email (no verified phones here).
    assert set(expired_messages(channel="inbox").values_list("user_id", flat=True)) == {
        expiring[0].user_id, expiring[1].user_id}
    assert expired_messages(channel="email").count() == 2
    # Keyed by card, so a rerun or a second worker never tells anyone twice.
    assert set(expired_messages().values_list("idempotency_key", flat=True)) == {
        f"card-expired:{expiring[0].pk}", f"card-expired:{expiring[1].pk}"}
    entries = AuditEntry.objects.filter(action="cards.expire").order_by("pk")
    assert {e.reason for e in entries} == {rev.EXPIRED_REASON}
    assert [e.data["cards"] for e in entries] == [2, 1] and [e.data["told"] for e in entries] == [2, 0]
    assert [e.data["forfeited"] for e in entries] == [2 * BALANCE, 0]
    # What an auditor needs to find the programme, the ledger sweep and the cards (none when nothing moved).
    assert [(e.data["programme"], e.data["expires_on"], e.data["ledger_key"]) for e in entries] == [
        (expiring[0].programme.preset, "2026-06-30", f"expire:card-{expiring[0].pk}"),
        (expiring[0].programme.preset, "2026-06-30", None)]
    assert [e.data["card_ids"] for e in entries] == [[str(expiring[0].public_id), str(expiring[1].public_id)],
                                                     [str(expiring[2].public_id)]]
    assert differences() == []
    call_command("ledger_check")


def test_the_expiry_message_names_the_last_day_and_is_counted_and_sent_after_the_commit(
        expiring, queued, django_capture_on_commit_callbacks):
    from prakerja.notifications.selectors import inbox_unread_count

    unread = inbox_unread_count(user=expiring[0].user)  # now cached: the badge must count the new message
    with django_capture_on_commit_callbacks(execute=True):
        assert rev.cards_expire(now=END) == 3
    assert inbox_unread_count(user=expiring[0].user) == unread + 1
    assert "30 Juni 2026" in expired_messages(channel="inbox").first().body
    assert sorted(queued) == sorted(expired_messages().exclude(channel="inbox").values_list("pk", flat=True))
    assert queued


def test_only_those_who_lost_a_balance_are_told(expiring, queued):
    card_forfeit(card=expiring[1], key="emptied", actor=None, reason="test")
    assert rev.cards_expire(now=END) == 3  # one chunk: the emptied card expires with the others
    assert set(expired_messages(channel="inbox").values_list("user_id", flat=True)) == {
        expiring[0].user_id, expiring[2].user_id}
    assert AuditEntry.objects.get(action="cards.expire").data["told"] == 2


def test_run_twice_expires_once(expiring, queued):
    assert rev.cards_expire(now=END) == 3
    assert rev.cards_expire(now=END + timedelta(hours=1)) == 0
    assert Transaction.objects.filter(kind=TransactionKind.EXPIRE).count() == 1
    assert expired_messages(channel="inbox").count() == 3
    assert AuditEntry.objects.filter(action="cards.expire").count() == 1


def test_a_crash_mid_run_then_a_rerun_expires_each_card_once(expiring, queued, monkeypatch):
    real = rev.ledger_sweep_cards
    calls = []

    def crash_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(rev, "ledger_sweep_cards", crash_on_second)
    with pytest.raises(RuntimeError):
        rev.cards_expire(now=END, chunk_size=1)
    assert [status_of(c) for c in expiring] == [CardStatus.EXPIRED, CardStatus.ACTIVE, CardStatus.ACTIVE]
    assert Account.objects.get(pk=expiring[1].account_id).balance == BALANCE
    monkeypatch.setattr(rev, "ledger_sweep_cards", real)
    assert rev.cards_expire(now=END, chunk_size=1) == 2
    for card in expiring:
        assert Posting.objects.filter(account_id=card.account_id, transaction__kind="expire").count() == 1
        assert expired_messages(user=card.user, channel="inbox").count() == 1
    assert differences() == []


def test_a_card_whose_deadline_passed_without_a_purchase_is_revoked_not_expired(expiring, queued):
    Card.objects.filter(pk=expiring[0].pk).update(first_purchase_at=None)  # deadline 30 days ago, never bought
    Card.objects.filter(pk=expiring[1].pk).update(first_purchase_at=None, purchase_deadline=END + timedelta(days=3))
    assert rev.cards_expire(now=END) == 2
    assert status_of(expiring[0]) == CardStatus.REVOKED  # and barred from later waves (SEL-3)
    assert Application.objects.get(pk=expiring[0].application_id).status == "revoked"
    assert status_of(expiring[1]) == CardStatus.EXPIRED  # its deadline was still ahead
    assert status_of(expiring[2]) == CardStatus.EXPIRED
    assert differences() == []


def test_no_expiry_date_means_no_expiry(cards, queued):
    assert Programme.objects.get(pk=cards[0].programme_id).balance_expires_on is None
    assert rev.cards_expire(now=timezone.now() + timedelta(days=3650)) == 0
    assert Card.objects.filter(status=CardStatus.ACTIVE).count() == 3


def test_only_the_programme_whose_date_passed(expiring, queued):
    other = Programme.objects.exclude(pk=expiring[0].programme_id).get()
    Card.objects.filter(pk=expiring[0].pk).update(programme=other)
    assert rev.cards_expire(now=END) == 2
    assert status_of(expiring[0]) == CardStatus.ACTIVE


def test_the_periodic_task_runs_it(expiring, queued, monkeypatch):
    from prakerja.cards import tasks

    monkeypatch.setattr(rev.timezone, "now", lambda: END)
    assert tasks.expire_card_balances.call_local() == 3
