"""CRD-5: reminders 7, 3 and 1 days before the last day to buy, by inbox, SMS and email, once each,
from CARD_REMINDER_HOUR_WIB (09:00) on their own WIB day, and right across WIB midnight."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from prakerja.cards.models import Card, CardStatus
from prakerja.cards.services import revocation as rev
from prakerja.notifications.models import Message
from prakerja.registry.models import Profile

WIB = rev.WIB
DEADLINE = rev.midnight_wib(date(2026, 3, 17))  # the last day to buy is 16 March (WIB)


@pytest.fixture
def due(cards):
    Card.objects.update(purchase_deadline=DEADLINE)
    Profile.objects.filter(user=cards[0].user).update(phone="+6281234567890", phone_verified_at=timezone.now())
    Profile.objects.filter(user=cards[1].user).update(phone="+6281234567891")  # not verified: no SMS
    return cards


def reminders(**filters):
    return Message.objects.filter(template="card_deadline", **filters)


def days_sent() -> set[int]:
    return {int(key.rsplit(":", 1)[1]) for key in reminders().values_list("idempotency_key", flat=True)}


@pytest.mark.parametrize("utc,days", [
    (datetime(2026, 3, 8, 16, 59, tzinfo=UTC), None),  # 23:59 WIB on 8 March: 8 days before the last day
    (datetime(2026, 3, 8, 17, 1, tzinfo=UTC), None),  # 00:01 WIB on 9 March: the day, but before 09:00
    (datetime(2026, 3, 9, 1, 59, tzinfo=UTC), None),  # 08:59 WIB on 9 March
    (datetime(2026, 3, 9, 2, 0, tzinfo=UTC), 7),  # 09:00 WIB on 9 March
    (datetime(2026, 3, 9, 16, 59, tzinfo=UTC), 7),  # 23:59 WIB on 9 March: a late worker still sends
    (datetime(2026, 3, 9, 17, 1, tzinfo=UTC), None),  # 00:01 WIB on 10 March: that day is over, and 10 is no day
    (datetime(2026, 3, 13, 16, 59, tzinfo=UTC), 3),  # 23:59 WIB on 13 March
    (datetime(2026, 3, 13, 17, 1, tzinfo=UTC), None),  # 00:01 WIB on 14 March
    (datetime(2026, 3, 15, 2, 0, tzinfo=UTC), 1),  # 09:00 WIB on 15 March
    (datetime(2026, 3, 15, 16, 59, tzinfo=UTC), 1),  # 23:59 WIB on 15 March
    (datetime(2026, 3, 16, 2, 0, tzinfo=UTC), None),  # the last day itself
])
def test_each_reminder_belongs_to_its_wib_day(due, queued, utc, days):
    reminded = rev.card_reminders_due(now=utc)
    if days is None:
        assert reminded == 0 and not reminders().exists()
    else:
        assert reminded == 3 and days_sent() == {days}


def test_once_each_whatever_how_often_the_worker_runs(due, queued):
    moment = datetime(2026, 3, 1, 0, 0, tzinfo=WIB)
    while moment < DEADLINE:  # every 15 minutes, as the schedule does
        rev.card_reminders_due(now=moment)
        moment += timedelta(minutes=15)
    for card in due:
        inbox = sorted(reminders(user=card.user, channel="inbox").values_list("idempotency_key", flat=True))
        assert inbox == sorted(f"card-deadline:{card.pk}:{n}" for n in (1, 3, 7))
        assert reminders(user=card.user, channel="email").count() == 3
    assert reminders(channel="sms").count() == 3 and set(reminders(channel="sms").values_list(
        "to_address", flat=True)) == {"+6281234567890"}


def test_a_worker_down_for_days_sends_only_the_smaller_reminder(due, queued):
    assert rev.card_reminders_due(now=datetime(2026, 3, 15, 10, 0, tzinfo=WIB)) == 3
    assert days_sent() == {1}
    assert reminders(channel="inbox").count() == 3 and reminders(channel="email").count() == 3


def test_the_hour_comes_from_the_settings(due, queued, settings):
    settings.CARD_REMINDER_HOUR_WIB = 18
    assert rev.card_reminders_due(now=datetime(2026, 3, 9, 17, 59, tzinfo=WIB)) == 0
    assert rev.card_reminders_due(now=datetime(2026, 3, 9, 18, 0, tzinfo=WIB)) == 3


def test_only_active_cards_without_a_purchase_are_reminded(due, queued):
    Card.objects.filter(pk=due[0].pk).update(first_purchase_at=timezone.now())
    Card.objects.filter(pk=due[1].pk).update(status=CardStatus.REVOKED, ended_at=timezone.now())
    assert rev.card_reminders_due(now=datetime(2026, 3, 9, 9, 0, tzinfo=WIB)) == 1
    assert set(reminders().values_list("user_id", flat=True)) == {due[2].user_id}


def test_cards_of_another_deadline_are_not_reminded(due, queued):
    Card.objects.filter(pk=due[0].pk).update(purchase_deadline=DEADLINE + timedelta(days=1))
    assert rev.card_reminders_due(now=datetime(2026, 3, 9, 9, 0, tzinfo=WIB), chunk_size=1) == 2
    assert due[0].user_id not in set(reminders().values_list("user_id", flat=True))
    assert rev.card_reminders_due(now=datetime(2026, 3, 10, 9, 0, tzinfo=WIB)) == 1  # its own 7th day before


def test_the_text_names_the_last_day_and_what_happens(due, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rev.card_reminders_due(now=datetime(2026, 3, 13, 9, 0, tzinfo=WIB))
    inbox = reminders(user=due[0].user, channel="inbox").get()
    assert inbox.status == "sent" and inbox.idempotency_key == f"card-deadline:{due[0].pk}:3"
    assert "16" in inbox.body and "23:59 WIB" in inbox.body and "3" in inbox.subject
    assert "kepesertaan dicabut" in inbox.body
    sms = reminders(channel="sms").get()
    assert sms.status == "queued" and "kepesertaan dicabut" in sms.body and len(sms.body) <= 160
    email = reminders(user=due[0].user, channel="email").get()
    assert email.to_address == due[0].user.email and email.subject == inbox.subject
    assert sorted(queued) == sorted(reminders().exclude(channel="inbox").values_list("pk", flat=True))


def test_the_person_reads_it_in_their_language(due, queued):
    due[0].user.language = "en"
    due[0].user.save(update_fields=["language"])
    rev.card_reminders_due(now=datetime(2026, 3, 9, 9, 0, tzinfo=WIB))
    english = reminders(user=due[0].user, channel="email").get()
    indonesian = reminders(user=due[1].user, channel="email").get()
    assert "March" in english.body  # the date in the person's language
    assert "Maret" in indonesian.body


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("postgres_only")
def test_three_workers_at_once_remind_each_person_once(due, queued):
    from tests.registry.test_races import run_together

    results = run_together(*[lambda: rev.card_reminders_due(now=datetime(2026, 3, 9, 9, 0, tzinfo=WIB))] * 3)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 3
    for card in due:
        assert reminders(user=card.user, channel="inbox").count() == 1
        assert reminders(user=card.user, channel="email").count() == 1
    assert reminders(channel="sms").count() == 1


def test_the_hour_and_the_day_are_wib_whatever_time_zone_the_site_shows(due, queued, settings):
    settings.TIME_ZONE = "UTC"  # the process's own zone follows it (Django sets TZ)
    assert rev.card_reminders_due(now=datetime(2026, 3, 9, 2, 0, tzinfo=UTC)) == 3  # 09:00 WIB, 02:00 UTC
    assert days_sent() == {7}


def test_the_inbox_badge_counts_a_reminder_at_once(due, queued, django_capture_on_commit_callbacks):
    from prakerja.notifications.selectors import inbox_unread_count

    unread = inbox_unread_count(user=due[0].user)  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        assert rev.card_reminders_due(now=datetime(2026, 3, 9, 2, 0, tzinfo=UTC)) == 3
    assert inbox_unread_count(user=due[0].user) == unread + 1


def test_the_periodic_task_sends_them_every_quarter_hour(due, queued, monkeypatch):
    from prakerja.cards import tasks

    monkeypatch.setattr(rev.timezone, "now", lambda: datetime(2026, 3, 9, 2, 0, tzinfo=UTC))  # 09:00 WIB, 7 days
    assert tasks.send_card_reminders.call_local() == 3 and days_sent() == {7}
    assert tasks.send_card_reminders.call_local() == 0  # once each
    assert [minute for minute in range(60) if tasks.send_card_reminders.s().validate_datetime(
        datetime(2026, 3, 9, 2, minute))] == [0, 15, 30, 45]
