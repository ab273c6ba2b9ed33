"""SEL-5 and WAV-6 races on PostgreSQL with real threads: one run, one message per person."""

import pytest
from django.utils import timezone

from prakerja.notifications.models import Message
from prakerja.selection import services
from prakerja.selection import tasks as selection_tasks
from prakerja.selection.models import RunStatus, SelectionRun
from prakerja.waves.models import Application, Wave
from tests.registry.test_races import run_together
from tests.selection.test_run import person

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


@pytest.fixture
def wave(make_wave):
    w = make_wave(number=60, opens=-5, closes=-1, announce=2, quota=5)
    Wave.objects.filter(pk=w.pk).update(closed_at=timezone.now())
    w.refresh_from_db()
    for _ in range(20):
        person(wave=w)
    return w


def test_two_runs_started_at_once_decide_once(wave):
    results = run_together(*[lambda: services.selection_run_wave(actor=None, wave=wave)] * 3)
    finished = [r for r in results if isinstance(r, SelectionRun)]
    refused = [r for r in results if isinstance(r, services.SelectionRefused)]
    assert len(finished) + len(refused) == 3 and finished, results
    assert all(r.code == "running" for r in refused)
    run = SelectionRun.objects.get(wave=wave)
    assert run.status == RunStatus.DONE and run.stages_done == services.STAGES  # each stage recorded once
    assert Application.objects.filter(wave=wave, status="passed").count() == 5
    assert Application.objects.filter(wave=wave, status="failed").count() == 15


def test_two_publications_and_fan_outs_at_once_tell_each_person_once(wave, monkeypatch):
    services.selection_run_wave(actor=None, wave=wave)
    monkeypatch.setattr(selection_tasks, "continue_announcement", lambda pk: None)
    monkeypatch.setattr("prakerja.notifications.tasks.deliver_messages", lambda ids: None)
    announcements = run_together(*[lambda: services.results_publish(actor=None, wave=wave)] * 3)
    assert len({a.pk for a in announcements}) == 1, announcements
    announcement = announcements[0]
    run_together(*[lambda: services.announcement_continue(announcement=announcement, chunk_size=3)] * 3)
    for user_id in Application.objects.filter(wave=wave).values_list("user_id", flat=True):
        assert Message.objects.filter(user_id=user_id, channel="inbox").count() == 1
    assert Message.objects.filter(channel="sms").count() == 0  # no verified phones here
    assert Message.objects.filter(channel="email").count() == 5
