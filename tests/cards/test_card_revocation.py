"""CRD-5: at the first-purchase deadline every card without a purchase is revoked, exactly once.

The card is deactivated, its balance forfeited through the ledger, the
application revoked with the reason ("kepesertaan dicabut"), the person
barred from later waves (WAV-5, SEL-3) and told once by inbox, SMS and email.
"""

from datetime import UTC, date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.cards.models import Card, CardStatus
from prakerja.cards.services import CardError, card_debit, forfeit_account
from prakerja.cards.services import revocation as rev
from prakerja.ledger.models import Account, Posting, Transaction, TransactionKind
from prakerja.ledger.selectors import balance_of, differences
from prakerja.notifications.models import Message
from prakerja.registry.models import Profile
from prakerja.waves.models import Application, ConsentVersion, Wave
from prakerja.waves.services import JoinRefused, application_join

BALANCE = 1_000_000  # the semi-bansos preset's training balance
DEADLINE = rev.midnight_wib(date(2026, 3, 17))  # the last day to buy is 16 March (WIB)
SECOND = timedelta(seconds=1)


@pytest.fixture
def due(cards):
    """The three cards, their deadline set to DEADLINE; the first person has a verified phone."""
    Card.objects.update(purchase_deadline=DEADLINE)
    Profile.objects.filter(user=cards[0].user).update(phone="+6281234567890", phone_verified_at=timezone.now())
    Profile.objects.filter(user=cards[1].user).update(phone="+6281234567891")  # never verified: no SMS
    return cards


def debit(card, amount, *, now, key="buy-1"):
    # In UTC: card_debit passes ``now`` to raw SQL, which SQLite compares as text (report of issue 17).
    return card_debit(card=card, amount=amount, key=key, actor="partner:tokopedia", platform="tokopedia",
                      now=now.astimezone(UTC))


def status_of(card):
    return Card.objects.values_list("status", flat=True).get(pk=card.pk)


def messages(template="card_revoked"):
    return Message.objects.filter(template=template)


def assert_revoked_once(cards):
    """Each card revoked, its balance forfeited once, its person told once per channel, the books clean."""
    for card in cards:
        card.refresh_from_db()
        assert card.status == CardStatus.REVOKED and card.status_reason == rev.REVOKED_REASON
        assert Account.objects.get(pk=card.account_id).balance == 0
        forfeits = Posting.objects.filter(account_id=card.account_id, transaction__kind=TransactionKind.FORFEIT)
        assert list(forfeits.values_list("amount", flat=True)) == [-BALANCE]
        application = Application.objects.get(pk=card.application_id)
        assert application.status == "revoked" and application.status_reason == rev.REVOKED_REASON
        for channel in ("inbox", "email"):
            assert messages().filter(user=card.user, channel=channel).count() == 1
    assert messages().filter(channel="sms").count() == 1  # one verified phone
    assert balance_of(forfeit_account()) == BALANCE * len(cards)
    assert differences() == []
    call_command("ledger_check")  # raises CommandError on any difference


def test_nothing_is_revoked_one_second_before_the_deadline(due, queued):
    assert rev.cards_revoke_due(now=DEADLINE - SECOND) == 0
    assert Card.objects.filter(status=CardStatus.ACTIVE).count() == 3
    assert not Transaction.objects.filter(kind=TransactionKind.FORFEIT).exists()
    assert not messages().exists() and queued == []


def test_at_the_deadline_every_card_without_a_purchase_is_revoked(due, queued,
                                                                  django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert rev.cards_revoke_due(now=DEADLINE, chunk_size=2) == 3
    assert_revoked_once(due)
    assert set(Card.objects.values_list("ended_at", flat=True)) == {DEADLINE}
    # One ledger sweep per chunk, keyed by the chunk's first card.
    sweeps = Transaction.objects.filter(kind=TransactionKind.FORFEIT).order_by("pk")
    assert [t.key for t in sweeps] == [f"revoke:card-{due[0].pk}", f"revoke:card-{due[2].pk}"]
    assert {(t.memo, t.created_at, t.actor_label) for t in sweeps} == {(rev.REVOKED_REASON, DEADLINE, "system")}
    assert set(messages().values_list("idempotency_key", flat=True)) == {f"card-revoked:{card.pk}" for card in due}
    # Email and SMS go to delivery after the commit; the inbox rows are already there.
    assert sorted(queued) == sorted(messages().exclude(channel="inbox").values_list("pk", flat=True))
    assert set(messages().filter(channel="inbox").values_list("status", flat=True)) == {"sent"}
    sms = messages().get(channel="sms")
    assert sms.to_address == "+6281234567890" and "kepesertaan dicabut" in sms.body
    inbox = messages().filter(channel="inbox").first()
    assert "kepesertaan dicabut" in inbox.subject and "kepesertaan dicabut" in inbox.body


def test_each_chunk_is_audited_with_what_an_auditor_needs(due, queued):
    rev.cards_revoke_due(now=DEADLINE, chunk_size=2)
    entries = list(AuditEntry.objects.filter(action="cards.revoke").order_by("pk"))
    assert [e.data["cards"] for e in entries] == [2, 1]
    assert [e.data["forfeited"] for e in entries] == [2 * BALANCE, BALANCE]
    assert [e.data["applications"] for e in entries] == [2, 1]
    assert {i for e in entries for i in e.data["card_ids"]} == {str(c.public_id) for c in due}
    assert [(e.data["ledger_key"], e.data["deadline_at_or_before"]) for e in entries] == [
        (f"revoke:card-{due[0].pk}", DEADLINE.isoformat()), (f"revoke:card-{due[2].pk}", DEADLINE.isoformat())]
    assert all(e.actor_label == "system" and e.reason == rev.REVOKED_REASON for e in entries)
    moved = AuditEntry.objects.filter(action="application.revoke_many")
    assert sum(e.data["applications"] for e in moved) == 3


def test_a_purchase_just_before_the_deadline_keeps_the_card(due, queued, videos_watched):
    debit(due[0], 250_000, now=DEADLINE - SECOND)
    assert rev.cards_revoke_due(now=DEADLINE) == 2
    assert status_of(due[0]) == CardStatus.ACTIVE
    assert Account.objects.get(pk=due[0].account_id).balance == BALANCE - 250_000
    assert Application.objects.get(pk=due[0].application_id).status == "passed"
    assert not messages().filter(user=due[0].user).exists()
    assert {status_of(c) for c in due[1:]} == {CardStatus.REVOKED}
    assert differences() == []


def test_a_purchase_at_the_deadline_is_refused(due, queued, videos_watched):
    with pytest.raises(CardError) as refused:
        debit(due[0], 250_000, now=DEADLINE)
    assert refused.value.code == "card_inactive"
    rev.cards_revoke_due(now=DEADLINE)
    with pytest.raises(CardError):
        debit(due[0], 250_000, now=DEADLINE - SECOND, key="buy-2")  # a revoked card, whatever the clock says
    assert_revoked_once(due)


def test_run_twice_changes_nothing_the_second_time(due, queued):
    assert rev.cards_revoke_due(now=DEADLINE) == 3
    audits = AuditEntry.objects.count()
    assert rev.cards_revoke_due(now=DEADLINE + timedelta(days=1)) == 0
    assert AuditEntry.objects.count() == audits and Transaction.objects.filter(kind="forfeit").count() == 1
    assert_revoked_once(due)


def test_a_revoked_card_with_nothing_left_is_revoked_without_a_ledger_movement(due, queued):
    from prakerja.cards.services import card_forfeit

    for card in due:
        card_forfeit(card=card, key=f"emptied-{card.pk}", actor=None, reason="test")
    forfeited = balance_of(forfeit_account())
    assert rev.cards_revoke_due(now=DEADLINE) == 3
    assert not Transaction.objects.filter(key__startswith="revoke:").exists()
    assert balance_of(forfeit_account()) == forfeited
    assert AuditEntry.objects.get(action="cards.revoke").data["forfeited"] == 0
    assert AuditEntry.objects.get(action="cards.revoke").data["ledger_key"] is None


def test_the_revocation_is_announced_with_the_cards_the_reason_and_the_moment(due, queued):
    """``cards_revoked`` is what tells the platforms (partners' webhooks): every card, why, and when."""
    from prakerja.cards.signals import cards_revoked

    heard = []

    def listen(sender, **kwargs):
        heard.append((sender, sorted(kwargs["card_ids"]), kwargs["reason"], kwargs["revoked_at"]))

    cards_revoked.connect(listen, dispatch_uid="test-revoked")
    try:
        rev.cards_revoke_due(now=DEADLINE)
    finally:
        cards_revoked.disconnect(dispatch_uid="test-revoked")
    assert heard == [(Card, sorted(card.pk for card in due), rev.REVOKED_REASON, DEADLINE)]
    assert {status_of(c) for c in due} == {CardStatus.REVOKED}


def test_the_application_moves_only_as_the_state_machine_allows(due, queued):
    # passed -> revoked is the one move (waves/states.py); a row in any other status is left alone.
    Application.objects.filter(pk=due[0].application_id).update(status="failed")
    assert rev.cards_revoke_due(now=DEADLINE) == 3
    assert Application.objects.get(pk=due[0].application_id).status == "failed"
    assert AuditEntry.objects.get(action="cards.revoke").data["applications"] == 2
    assert AuditEntry.objects.get(action="application.revoke_many").data["applications"] == 2


def test_telling_a_chunk_twice_tells_each_person_once(due, queued):
    # The claim already keeps a card from being revoked twice; the message keys are the second net.
    texts = rev._texts("card_revoked", {})
    where, params = rev._in("c.id", [c.pk for c in due])
    first = rev._insert_messages(template="card_revoked", key=("card-revoked:", ""), texts=texts, where=where,
                                 params=params)
    again = rev._insert_messages(template="card_revoked", key=("card-revoked:", ""), texts=texts, where=where,
                                 params=params)
    assert len(first[0]) == 4 and len(first[1]) == 3  # 3 emails + 1 SMS queued, 3 inboxes
    assert again == ([], [])
    assert messages().count() == 7


STEPS = ["ledger_sweep_cards", "_insert_messages", "applications_revoke", "audit_record"]


@pytest.mark.parametrize("step", STEPS)
def test_a_crash_mid_run_then_a_rerun_revokes_each_card_exactly_once(due, queued, monkeypatch, step):
    real = getattr(rev, step)
    calls = []

    def crash_in_the_second_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(rev, step, crash_in_the_second_chunk)
    with pytest.raises(RuntimeError):
        rev.cards_revoke_due(now=DEADLINE, chunk_size=1)
    # The first chunk committed whole; the second left nothing behind.
    assert [status_of(c) for c in due] == [CardStatus.REVOKED, CardStatus.ACTIVE, CardStatus.ACTIVE]
    assert Account.objects.get(pk=due[1].account_id).balance == BALANCE
    assert Application.objects.get(pk=due[1].application_id).status == "passed"
    assert not messages().filter(user=due[1].user).exists()
    assert AuditEntry.objects.filter(action="cards.revoke").count() == 1
    assert differences() == []

    monkeypatch.setattr(rev, step, real)
    assert rev.cards_revoke_due(now=DEADLINE + timedelta(minutes=5), chunk_size=1) == 2
    assert_revoked_once(due)
    assert Transaction.objects.filter(kind=TransactionKind.FORFEIT).count() == 3
    assert AuditEntry.objects.filter(action="cards.revoke").count() == 3
    assert AuditEntry.objects.filter(action="application.revoke_many").count() == 3


def test_a_revoked_person_cannot_join_a_later_wave(due, queued, make_wave):
    rev.cards_revoke_due(now=DEADLINE)
    wave = make_wave(number=71, opens=-1, closes=3, announce=5)
    with pytest.raises(JoinRefused) as refused:
        application_join(actor=due[0].user, wave=wave, consent_version=ConsentVersion.objects.first().version)
    assert refused.value.code == "revoked"


def test_a_revoked_person_is_out_in_sel3(due, queued, make_wave):
    from prakerja.selection.services import REASONS, selection_run_wave

    rev.cards_revoke_due(now=DEADLINE)
    wave = make_wave(number=72, opens=-5, closes=-1, announce=2, quota=10)
    Wave.objects.filter(pk=wave.pk).update(closed_at=timezone.now())
    wave.refresh_from_db()
    first = Application.objects.get(pk=due[0].application_id)
    # Joined before the revocation (the one-active-wave rule allows it: a passed application is not active).
    again = Application.objects.create(wave=wave, user=first.user, province=first.province, consent=first.consent,
                                       status="processing")
    selection_run_wave(actor=None, wave=wave)
    again.refresh_from_db()
    assert (again.status, again.decided_stage, again.reason_code) == ("failed", "SEL-3", "revoked")
    assert again.status_reason == REASONS["revoked"]


def test_the_dashboard_panel_shows_the_status_and_the_reason(due, queued):
    from prakerja.cards.selectors import card_panel

    rev.cards_revoke_due(now=DEADLINE)
    panel = card_panel(user_id=due[0].user_id, now=DEADLINE)
    assert not panel.active and panel.status_reason == rev.REVOKED_REASON
    assert "kepesertaan dicabut" in str(panel.status_label).lower()
    assert panel.balance == 0 and panel.days_left is None


def test_the_sweep_costs_the_same_queries_for_one_card_or_many(due, queued):
    # Set-based: the queries depend on the chunks, not on the cards in them.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    Card.objects.exclude(pk=due[0].pk).update(purchase_deadline=DEADLINE + timedelta(days=1))
    forfeit_account()  # made on first use: not the sweep's cost
    with CaptureQueriesContext(connection) as one:
        assert rev.cards_revoke_due(now=DEADLINE) == 1
    with CaptureQueriesContext(connection) as two:
        assert rev.cards_revoke_due(now=DEADLINE + timedelta(days=1)) == 2
    assert len(one.captured_queries) == len(two.captured_queries) <= 30, [q["sql"] for q in two.captured_queries]


# --- races, with real threads on PostgreSQL ------------------------------------------------
@pytest.mark.parametrize("chunk_size", [1, 1000])
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres_only")
def test_three_sweeps_at_once_revoke_each_card_once(due, queued, chunk_size):
    from tests.registry.test_races import run_together

    results = run_together(*[lambda: rev.cards_revoke_due(now=DEADLINE, chunk_size=chunk_size)] * 3)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 3
    assert_revoked_once(due)
    assert sum(e.data["cards"] for e in AuditEntry.objects.filter(action="cards.revoke")) == 3
    call_command("audit_verify")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres_only")
def test_a_purchase_racing_the_deadline_lands_wholly_before_or_after(due, queued, videos_watched):
    from tests.registry.test_races import run_together

    bought, swept = run_together(lambda: debit(due[0], 250_000, now=DEADLINE - SECOND),
                                 lambda: rev.cards_revoke_due(now=DEADLINE))
    assert isinstance(swept, int), swept
    card = Card.objects.get(pk=due[0].pk)
    balance = Account.objects.get(pk=card.account_id).balance
    if isinstance(bought, Transaction):  # the purchase first: the card stays, the others go
        assert swept == 2 and card.status == CardStatus.ACTIVE and card.first_purchase_at is not None
        assert balance == BALANCE - 250_000
    else:  # the sweep first: the purchase finds a revoked card and moves nothing
        assert isinstance(bought, CardError) and bought.code == "card_inactive", bought
        assert swept == 3 and card.status == CardStatus.REVOKED and balance == 0
        assert not Transaction.objects.filter(kind=TransactionKind.DEBIT).exists()
    assert differences() == []


def test_the_inbox_badge_counts_the_revocation_message_at_once(due, queued, django_capture_on_commit_callbacks):
    from prakerja.notifications.selectors import inbox_unread_count

    before = inbox_unread_count(user=due[0].user)  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        rev.cards_revoke_due(now=DEADLINE)
    assert inbox_unread_count(user=due[0].user) == before + 1


def test_the_periodic_task_revokes_at_the_deadline_and_runs_every_five_minutes(due, queued, monkeypatch):
    from datetime import datetime

    from prakerja.cards import tasks

    monkeypatch.setattr(rev.timezone, "now", lambda: DEADLINE - SECOND)
    assert tasks.revoke_due_cards.call_local() == 0
    monkeypatch.setattr(rev.timezone, "now", lambda: DEADLINE)
    assert tasks.revoke_due_cards.call_local() == 3
    assert_revoked_once(due)
    assert [minute for minute in range(60) if tasks.revoke_due_cards.s().validate_datetime(
        datetime(2026, 3, 17, 0, minute))] == list(range(0, 60, 5))
