"""Issue 16 item 4: the announcement (WAV-6), its fan-out exactly once, and the schedule."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.notifications.models import Message
from prakerja.registry.models import Profile
from prakerja.selection import services
from prakerja.selection import tasks as selection_tasks
from prakerja.selection.models import Announcement, SelectionRun
from prakerja.waves.models import Application, Wave
from tests.selection.test_run import person, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def wave(make_wave):
    w = make_wave(number=50, opens=-5, closes=-1, announce=2, quota=3)
    Wave.objects.filter(pk=w.pk).update(closed_at=timezone.now())
    w.refresh_from_db()
    return w


@pytest.fixture
def delivered(monkeypatch):
    """What the fan-out hands to delivery (the gateways are not the subject here)."""
    sent = []
    monkeypatch.setattr("prakerja.notifications.tasks.deliver_messages", lambda ids: sent.extend(ids))
    return sent


def decided_wave(wave, *, people=7, phones=True):
    applications = [person(wave=wave) for _ in range(people)]
    if phones:
        for n, a in enumerate(applications):
            Profile.objects.filter(user=a.user).update(phone=f"+62812000{n:05d}", phone_verified_at=timezone.now())
    run(wave)
    return applications


def test_publishing_before_the_run_is_refused(wave, delivered):
    person(wave=wave)
    with pytest.raises(services.SelectionRefused) as refused:
        services.results_publish(actor=None, wave=wave)
    assert refused.value.code == "run_not_done"
    assert str(refused.value.message) == "Seleksi gelombang ini belum selesai."
    wave.refresh_from_db()
    assert wave.results_published_at is None and wave.seed == ""


def test_everyone_is_told_once_and_the_passed_also_by_sms_and_email(wave, delivered):
    applications = decided_wave(wave)
    english = applications[0].user
    english.language = "en"
    english.save(update_fields=["language"])
    announcement = services.results_publish(actor=None, wave=wave)
    announcement.refresh_from_db()
    assert announcement.finished_at is not None and announcement.done == announcement.total == 7
    wave.refresh_from_db()
    assert wave.results_published_at is not None and wave.seed  # the seed is revealed with the results
    passed = set(Application.objects.filter(wave=wave, status="passed").values_list("user_id", flat=True))
    assert len(passed) == 3
    for a in applications:
        mine = Message.objects.filter(user=a.user)
        assert mine.filter(channel="inbox").count() == 1
        expected = 1 if a.user_id in passed else 0
        assert mine.filter(channel="sms").count() == expected and mine.filter(channel="email").count() == expected
    inbox = Message.objects.get(user=english, channel="inbox")
    assert "wave 50" in inbox.body.lower() and "gelombang" not in inbox.body.lower()
    other = Message.objects.filter(channel="inbox").exclude(user=english).first()
    assert "Gelombang 50" in other.body
    # Each text names the wave, the passed ones' as well as the failed ones'.
    for message in Message.objects.all():
        assert "50" in message.body, (message.channel, message.body)
        assert message.channel == "sms" or "50" in message.subject, (message.channel, message.subject)
    queued = Message.objects.filter(channel__in=["sms", "email"])
    assert sorted(delivered) == sorted(queued.values_list("pk", flat=True))
    assert set(queued.values_list("status", flat=True)) == {"queued"}
    assert Announcement.objects.get(wave=wave).last_application_id == max(a.pk for a in applications)
    # Publishing again changes nothing.
    services.results_publish(actor=None, wave=wave)
    assert Message.objects.filter(channel="inbox").count() == 7


def test_a_crash_mid_fan_out_neither_loses_nor_repeats(wave, delivered, monkeypatch):
    decided_wave(wave, people=9)
    monkeypatch.setattr(selection_tasks, "continue_announcement", lambda pk: None)  # the worker is down
    announcement = services.results_publish(actor=None, wave=wave)
    calls = []

    real = services._insert_messages

    def crash_on_third_chunk(**kwargs):
        calls.append(real(**kwargs))
        if len(calls) == 3:  # after the chunk's messages are written, before its position is
            raise RuntimeError("worker killed")

    monkeypatch.setattr(services, "_insert_messages", crash_on_third_chunk)
    with pytest.raises(RuntimeError):
        services.announcement_continue(announcement=announcement, chunk_size=2)
    announcement.refresh_from_db()
    assert announcement.done == 4 and announcement.finished_at is None
    assert Message.objects.filter(channel="inbox").count() == 4  # the third chunk rolled back whole
    monkeypatch.undo()
    monkeypatch.setattr("prakerja.notifications.tasks.deliver_messages", lambda ids: delivered.extend(ids))
    # The lease of the killed worker runs out; the next one resumes.
    Announcement.objects.filter(pk=announcement.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    services.announcement_continue(announcement=announcement, chunk_size=2)
    announcement.refresh_from_db()
    assert announcement.done == 9 and announcement.finished_at is not None
    for a in Application.objects.filter(wave=wave):
        assert Message.objects.filter(user=a.user, channel="inbox").count() == 1
    assert Message.objects.filter(channel="sms").count() == 3 and Message.objects.filter(channel="email").count() == 3


def test_a_live_lease_keeps_a_second_worker_out(wave, delivered, monkeypatch):
    decided_wave(wave, people=3)
    monkeypatch.setattr(selection_tasks, "continue_announcement", lambda pk: None)
    announcement = services.results_publish(actor=None, wave=wave)
    Announcement.objects.filter(pk=announcement.pk).update(lease_until=timezone.now() + timedelta(minutes=5))
    services.announcement_continue(announcement=announcement)
    assert Message.objects.count() == 0


def test_the_bell_counts_the_result_at_once(wave, delivered):
    """Each person's cached unread count is forgotten with their chunk, so the bell shows the new message."""
    from prakerja.notifications.selectors import inbox_unread_count

    applications = decided_wave(wave, people=3)
    assert [inbox_unread_count(user=a.user) for a in applications] == [0, 0, 0]  # counted, and cached
    services.results_publish(actor=None, wave=wave)
    assert [inbox_unread_count(user=a.user) for a in applications] == [1, 1, 1]


def test_a_live_lease_holds_even_when_another_waves_announcement_is_free(wave, make_wave, delivered, monkeypatch):
    """The lease is taken on this announcement's row: another wave's unleased one does not open this one."""
    monkeypatch.setattr(selection_tasks, "continue_announcement", lambda pk: None)
    other = make_wave(number=51, opens=-5, closes=-1, announce=2, quota=3)
    Wave.objects.filter(pk=other.pk).update(closed_at=timezone.now())
    other.refresh_from_db()
    decided_wave(other, people=2, phones=False)
    services.results_publish(actor=None, wave=other)  # unfinished, no lease: its worker never came
    decided_wave(wave, people=3)
    announcement = services.results_publish(actor=None, wave=wave)
    assert announcement.total == 3 and announcement.published_by is None  # this wave's decided, by the schedule
    Announcement.objects.filter(pk=announcement.pk).update(lease_until=timezone.now() + timedelta(minutes=5))
    services.announcement_continue(announcement=announcement)
    assert Message.objects.count() == 0
    assert Announcement.objects.get(wave=other).lease_until is None  # nor was the other one taken


def test_the_schedule_resumes_an_announcement_whose_worker_never_came(wave, delivered, monkeypatch):
    decided_wave(wave, people=3)
    monkeypatch.setattr(selection_tasks, "continue_announcement", lambda pk: None)
    announcement = services.results_publish(actor=None, wave=wave)
    assert announcement.lease_until is None and Message.objects.count() == 0
    assert services.waves_publish_due() == []  # published already: nothing to publish, one to resume
    announcement.refresh_from_db()
    assert announcement.finished_at is not None and announcement.done == 3
    assert Message.objects.filter(channel="inbox").count() == 3


def test_the_schedule_publishes_at_the_announcement_not_before(wave, delivered):
    decided_wave(wave, people=2)
    assert services.waves_publish_due(now=wave.announce_at - timedelta(minutes=1)) == []
    assert Message.objects.count() == 0
    assert services.waves_publish_due(now=wave.announce_at) == [50]
    wave.refresh_from_db()
    assert wave.results_published_at == wave.announce_at
    assert Message.objects.filter(channel="inbox").count() == 2


def test_early_publication_is_audited(wave, delivered, operator):
    decided_wave(wave, people=2)
    announcement = services.results_publish(actor=operator, wave=wave)
    event = AuditEntry.objects.get(action="wave.results_publish")
    assert event.data == {"early": True, "applications": 2} and event.actor_id == operator.pk
    assert (event.target_type, event.target_id) == ("waves.wave", str(wave.public_id))
    revealed = AuditEntry.objects.get(action="wave.seed_reveal")
    assert revealed.actor_id == operator.pk and revealed.target_id == str(wave.public_id)
    assert announcement.published_by == operator


def test_the_result_shows_only_after_publication(client, wave, delivered):
    applications = decided_wave(wave, people=1)
    user = applications[0].user
    client.force_login(user)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Dalam Proses Seleksi" in page and "Lulus" not in page
    services.results_publish(actor=None, wave=wave)
    page = client.get(reverse("dashboard")).content.decode()
    assert "Lulus" in page


def test_an_operator_request_runs_the_selection_once(wave, operator):
    person(wave=wave)
    services.selection_request(actor=operator, wave=wave)  # Huey runs immediately in tests
    assert SelectionRun.objects.get(wave=wave).status == "done"
    assert AuditEntry.objects.filter(action="selection.request", actor_id=operator.pk).exists()
    with pytest.raises(services.SelectionRefused) as refused:
        services.selection_request(actor=operator, wave=wave)
    assert refused.value.code == "done"


def test_the_schedule_selects_closed_waves(wave):
    person(wave=wave)
    assert services.waves_select_due() == [50]
    assert services.waves_select_due() == []
