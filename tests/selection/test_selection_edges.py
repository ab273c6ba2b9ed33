"""SEL-5, WAV-6: what the schedule and an operator's request must hold that the other tests left unchecked.

Found by `make mutants`: the schedule published a wave only because every
test's wave had a finished run and was unpublished; a run in progress was
never asked for again; the minute sweep never had an announcement to resume.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.notifications.models import Message
from prakerja.selection import services
from prakerja.selection import tasks as selection_tasks
from prakerja.selection.models import Announcement, RunStatus, SelectionRun
from prakerja.waves.models import Wave
from tests.conftest import assert_refused
from tests.selection.test_announcement import decided_wave, delivered, wave  # noqa: F401 - fixtures
from tests.selection.test_run import person

pytestmark = pytest.mark.django_db(transaction=True)


def refused(call, code: str, message: str):
    assert_refused(call, services.SelectionRefused, code, message)


@pytest.mark.parametrize("status", [None, RunStatus.RUNNING, RunStatus.FAILED])
def test_the_schedule_never_publishes_a_wave_whose_selection_is_not_done(wave, delivered, status):  # noqa: F811
    person(wave=wave)
    if status is not None:
        SelectionRun.objects.create(wave=wave, status=status)
    assert services.waves_publish_due(now=wave.announce_at + timedelta(hours=1)) == []
    wave.refresh_from_db()
    assert wave.results_published_at is None and not Announcement.objects.exists() and not Message.objects.exists()


def test_the_schedule_publishes_a_wave_once(wave, delivered):  # noqa: F811
    decided_wave(wave, people=2)
    assert services.waves_publish_due(now=wave.announce_at) == [50]
    assert services.waves_publish_due(now=wave.announce_at + timedelta(minutes=1)) == []
    assert Message.objects.filter(channel="inbox").count() == 2


def test_the_sweep_resumes_an_announcement_whose_worker_is_gone_and_leaves_a_live_one(wave, delivered,  # noqa: F811
                                                                                     monkeypatch):
    decided_wave(wave, people=3)
    monkeypatch.setattr(selection_tasks, "continue_announcement", lambda pk: None)  # the worker never starts
    announcement = services.results_publish(actor=None, wave=wave)
    later = timezone.now() + timedelta(minutes=1)
    Announcement.objects.filter(pk=announcement.pk).update(lease_until=later + timedelta(minutes=5))
    services.waves_publish_due(now=later)
    assert not Message.objects.exists()  # a live lease: another worker is on it
    Announcement.objects.filter(pk=announcement.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    services.waves_publish_due(now=timezone.now())
    assert Announcement.objects.get(pk=announcement.pk).finished_at is not None
    assert Message.objects.filter(channel="inbox").count() == 3


def test_a_request_while_the_selection_runs_is_refused_and_after_its_lease_goes_through(wave, operator, monkeypatch):  # noqa: F811
    person(wave=wave)
    SelectionRun.objects.create(wave=wave, status=RunStatus.RUNNING, lease_until=timezone.now() + timedelta(minutes=5))
    refused(lambda: services.selection_request(actor=operator, wave=wave), "running",
            "The selection of this wave is already running.")
    assert not AuditEntry.objects.filter(action="selection.request").exists()
    started = []
    monkeypatch.setattr(selection_tasks, "run_selection", lambda pk: started.append(pk))
    SelectionRun.objects.filter(wave=wave).update(lease_until=timezone.now() - timedelta(seconds=1))
    services.selection_request(actor=operator, wave=wave)
    assert started == [wave.pk]
    entry = AuditEntry.objects.get(action="selection.request")
    assert (entry.actor_id, entry.target_type, entry.target_id) == (operator.pk, "waves.wave", str(wave.public_id))


def test_a_request_after_the_run_says_it_has_run(wave, operator):  # noqa: F811
    decided_wave(wave, people=1)
    refused(lambda: services.selection_request(actor=operator, wave=wave), "done",
            "The selection of this wave has already run.")
    Wave.objects.filter(pk=wave.pk).update(closed_at=None)
    wave.refresh_from_db()
    refused(lambda: services.selection_request(actor=operator, wave=wave), "wave_open", "The wave is not closed yet.")


def test_the_fan_out_holds_its_lease_while_it_works_and_a_finished_one_is_left_alone(wave, delivered,  # noqa: F811
                                                                                     monkeypatch):
    applications = decided_wave(wave, people=3)
    monkeypatch.setattr(selection_tasks, "continue_announcement", lambda pk: None)
    announcement = services.results_publish(actor=None, wave=wave)
    leases = []
    real = services._insert_messages

    def watching(**kwargs):
        leases.append(Announcement.objects.get(pk=announcement.pk).lease_until)
        return real(**kwargs)

    monkeypatch.setattr(services, "_insert_messages", watching)
    done = services.announcement_continue(announcement=announcement, chunk_size=2)
    assert len(leases) == 2 and all(lease is not None and lease > timezone.now() for lease in leases)
    # Each person's messages are keyed by their application: a resumed fan-out after a release repeats none.
    keys = set(Message.objects.filter(channel="inbox").values_list("idempotency_key", flat=True))
    assert keys == {f"wave-result:{a.pk}" for a in applications}
    finished = done.finished_at
    services.announcement_continue(announcement=done)
    assert Announcement.objects.get(pk=done.pk).finished_at == finished
    assert AuditEntry.objects.filter(action="wave.results_announced").count() == 1


def test_the_fan_out_tells_the_decided_of_its_own_wave_only(wave, delivered, make_wave):  # noqa: F811
    decided = decided_wave(wave, people=2)
    withdrawn = person(wave=wave, status="withdrawn")
    other = make_wave(number=51, opens=-5, closes=-1, announce=2, quota=3)
    elsewhere = person(wave=other, status="passed")
    announcement = services.results_publish(actor=None, wave=wave)
    told = set(Message.objects.filter(channel="inbox").values_list("user_id", flat=True))
    assert told == {a.user_id for a in decided}
    assert withdrawn.user_id not in told and elsewhere.user_id not in told
    entry = AuditEntry.objects.get(action="wave.results_announced")
    assert Announcement.objects.get(pk=announcement.pk).done == 2  # the two decided, not the others
    assert (entry.target_id, entry.data) == (str(wave.public_id), {"told": 2})
