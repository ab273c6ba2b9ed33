"""CRD-1 and CRD-3: one card per passed participant, issued and credited in resumable chunks, exactly once."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from prakerja.cards.models import Card, CardIssuance
from prakerja.cards.numbers import index_of, is_valid
from prakerja.cards.services import budget_account
from prakerja.cards.services import issuance as issuing
from prakerja.ledger.models import Account, Transaction
from prakerja.ledger.selectors import balance_of, differences
from prakerja.programme.models import Programme
from prakerja.programme.selectors import active_programme
from prakerja.registry.crypto import decrypt
from prakerja.waves.models import Application

WIB = timezone.get_fixed_timezone(7 * 60)


def test_each_passed_participant_gets_one_credited_card(announced_wave, issue):
    done = issue(announced_wave)
    passed = set(Application.objects.filter(wave=announced_wave, status="passed").values_list("user_id", flat=True))
    cards = list(Card.objects.select_related("account"))
    assert {c.user_id for c in cards} == passed and len(cards) == 3
    balance = active_programme().training_balance
    assert all(c.account.balance == balance and c.credited_at for c in cards)
    assert done.issued == 3 and done.credited == 3 and done.finished_at is not None
    assert differences() == []


def test_card_numbers_are_valid_unique_encrypted_and_indexed(announced_wave, issue, settings):
    settings.CARD_NUMBER_PREFIX = "912"
    issue(announced_wave)
    numbers = []
    for card in Card.objects.all():
        number = decrypt(card.number_encrypted)
        assert number not in card.number_encrypted
        assert is_valid(number) and number.startswith("912") and card.last4 == number[-4:]
        assert card.number_index == index_of(number)
        numbers.append(number)
    assert len(set(numbers)) == len(numbers)


def test_issuance_run_twice_issues_and_credits_once(announced_wave, issue):
    issue(announced_wave)
    again = issue(announced_wave)
    assert Card.objects.count() == 3 and CardIssuance.objects.count() == 1 and again.credited == 3
    balance = active_programme().training_balance
    assert set(Account.objects.filter(kind="card").values_list("balance", flat=True)) == {balance}
    # Forced again from the start, it still gives nobody a second card or a second credit.
    CardIssuance.objects.update(finished_at=None, issued_all_at=None, last_application_id=0, last_card_id=0,
                                lease_until=None)
    issuing.issuance_continue(issuance=CardIssuance.objects.get(), chunk_size=2)
    assert Card.objects.count() == 3
    assert set(Account.objects.filter(kind="card").values_list("balance", flat=True)) == {balance}
    assert differences() == []


def test_a_crash_mid_issuance_resumes_where_it_stopped(announced_wave, issue, monkeypatch):
    real = issuing._issue_chunk
    calls = []

    def crash_on_second(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(issuing, "_issue_chunk", crash_on_second)
    with pytest.raises(RuntimeError):
        issue(announced_wave, chunk_size=2)
    assert Card.objects.count() == 2  # the first chunk committed, the second rolled back whole
    monkeypatch.setattr(issuing, "_issue_chunk", real)
    CardIssuance.objects.update(lease_until=None)  # the lease of the dead worker runs out
    assert issuing.issuances_resume() == [announced_wave.pk]
    assert Card.objects.count() == 3 and Card.objects.filter(credited_at__isnull=False).count() == 3
    assert differences() == []


def test_each_chunk_issues_and_credits_its_cards_in_one_ledger_transaction(announced_wave, issue):
    done = issue(announced_wave, chunk_size=2)
    credits = Transaction.objects.filter(kind="credit").order_by("pk")
    assert [row.postings.count() for row in credits] == [3, 2]  # the budget's posting and each card's
    assert done.issued == done.credited == 3 and done.last_card_id == 0  # the credit pass found nothing to do
    assert balance_of(budget_account(active_programme())) == 10**12 - 3 * active_programme().training_balance
    assert differences() == []


def test_a_crash_after_the_chunk_is_posted_rolls_the_cards_and_the_money_back_together(announced_wave, issue,
                                                                                        monkeypatch):
    real = issuing.ledger_open_cards
    calls = []

    def posted_then_killed(**kwargs):
        calls.append(1)
        opened = real(**kwargs)
        if len(calls) == 2:  # the second chunk's money is posted, its cards not yet written
            raise RuntimeError("worker killed")
        return opened

    monkeypatch.setattr(issuing, "ledger_open_cards", posted_then_killed)
    with pytest.raises(RuntimeError):
        issue(announced_wave, chunk_size=2)
    assert Card.objects.count() == 2 and Transaction.objects.filter(kind="credit").count() == 1
    assert Account.objects.filter(kind="card").count() == 2
    CardIssuance.objects.update(lease_until=None)  # the lease of the dead worker runs out
    assert issuing.issuances_resume() == [announced_wave.pk]
    balance = active_programme().training_balance
    assert Card.objects.filter(credited_at__isnull=False).count() == 3
    assert list(Account.objects.filter(kind="card").values_list("balance", flat=True)) == [balance] * 3
    assert CardIssuance.objects.get().credited == 3 and differences() == []


def test_with_a_zero_training_balance_the_balance_stays_on_its_way(announced_wave, issue):
    Programme.objects.filter(pk=active_programme().pk).update(training_balance=0)
    done = issue(announced_wave)
    assert Card.objects.count() == 3 and not Card.objects.filter(credited_at__isnull=False).exists()
    assert set(Account.objects.filter(kind="card").values_list("balance", flat=True)) == {0}
    assert done.issued == 3 and done.credited == 0 and done.finished_at is not None
    assert not Transaction.objects.filter(kind="credit").exists() and differences() == []


def test_cards_issued_without_their_balance_are_credited_once_by_the_credit_pass(announced_wave, issue):
    # Cards issued uncredited and the credit pass still to come: as an issuance begun before issuing and
    # crediting were one write left them.
    programme = active_programme()
    Programme.objects.filter(pk=programme.pk).update(training_balance=0)
    issue(announced_wave)
    Programme.objects.filter(pk=programme.pk).update(training_balance=programme.training_balance)
    CardIssuance.objects.update(finished_at=None, lease_until=None, last_card_id=0)
    done = issuing.issuance_continue(issuance=CardIssuance.objects.get(), chunk_size=2)
    credited = list(Card.objects.order_by("pk").values_list("credited_at", "account__balance"))
    assert all(at is not None and balance == programme.training_balance for at, balance in credited)
    assert done.credited == 3 and done.last_card_id == Card.objects.order_by("pk").last().pk
    assert [row.key.split(":")[-1].split("-")[0] for row in Transaction.objects.filter(kind="credit")] == [
        "cards", "cards"]  # two chunks of the credit pass
    CardIssuance.objects.update(finished_at=None, lease_until=None, last_card_id=0)  # forced over again
    issuing.issuance_continue(issuance=CardIssuance.objects.get(), chunk_size=2)
    assert Transaction.objects.filter(kind="credit").count() == 2
    assert set(Account.objects.filter(kind="card").values_list("balance", flat=True)) == {programme.training_balance}
    assert differences() == []


def test_publishing_results_schedules_issuance(make_wave, monkeypatch, django_capture_on_commit_callbacks):
    from prakerja.selection import services as selection
    from tests.selection.test_run import person

    scheduled = []
    monkeypatch.setattr("prakerja.cards.tasks.issue_cards", scheduled.append)
    monkeypatch.setattr("prakerja.selection.tasks.continue_announcement", lambda pk: None)
    wave = make_wave(number=71, opens=-5, closes=-1, announce=-1, quota=1)
    from prakerja.waves.models import Wave

    Wave.objects.filter(pk=wave.pk).update(closed_at=timezone.now())
    wave.refresh_from_db()
    person(wave=wave)
    selection.selection_run_wave(actor=None, wave=wave)
    with django_capture_on_commit_callbacks(execute=True):
        selection.results_publish(actor=None, wave=wave)
    issuance = CardIssuance.objects.get(wave=wave)
    assert issuance.total == 1 and scheduled == [issuance.pk]


@pytest.mark.parametrize("announced,days,deadline", [
    # 15 calendar days: announced on 1 March (WIB), the last day to buy is 16 March, until midnight WIB.
    (datetime(2026, 3, 1, 10, 0, tzinfo=WIB), 15, datetime(2026, 3, 17, 0, 0, tzinfo=WIB)),
    # 23:30 UTC on 28 February is already 1 March in WIB.
    (datetime(2026, 2, 28, 23, 30, tzinfo=UTC), 15, None),
    (datetime(2026, 3, 1, 23, 59, tzinfo=WIB), 30, datetime(2026, 4, 1, 0, 0, tzinfo=WIB)),
])
def test_the_purchase_deadline_is_the_end_of_the_last_day_in_wib(announced, days, deadline):
    got = issuing.purchase_deadline(announced_at=announced, days=days)
    if deadline is None:
        assert got == datetime(2026, 3, 17, 0, 0, tzinfo=WIB)
    else:
        assert got == deadline
    assert got - announced < timedelta(days=days + 1)
