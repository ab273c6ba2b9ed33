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


def test_a_withdrawal_waits_for_the_stage_and_other_waves_do_not(wave, make_wave, monkeypatch):
    """SEL-5: a stage holds its wave's row, so an application of the wave cannot change under it (a
    withdrawal waits for the stage to commit); applications of other waves never wait for the run."""
    import threading
    import time

    from prakerja.waves.services import applications_withdraw_open

    stage_began, stage_ended = threading.Event(), []
    identity = services._STAGE_FUNCTIONS["SEL-1"]

    def slow_identity(**kwargs):
        decided = identity(**kwargs)
        stage_began.set()
        time.sleep(1.5)
        stage_ended.append(time.monotonic())
        return decided

    monkeypatch.setitem(services._STAGE_FUNCTIONS, "SEL-1", slow_identity)
    target = Application.objects.filter(wave=wave).order_by("pk").first()
    other = make_wave(number=61, opens=-1, closes=3, announce=5, quota=5)
    elsewhere = person(wave=other, status="joined")

    def withdraw():
        stage_began.wait(10)
        began = time.monotonic()
        applications_withdraw_open(actor="system", user=target.user, reason="NIK ditolak")
        return time.monotonic() - began, time.monotonic()

    def change_elsewhere():
        stage_began.wait(10)
        began = time.monotonic()
        Application.objects.filter(pk=elsewhere.pk).update(status_reason="x")
        return time.monotonic() - began

    run_result, (waited, withdrawn_at), elsewhere_s = run_together(
        lambda: services.selection_run_wave(actor=None, wave=wave), withdraw, change_elsewhere)
    assert isinstance(run_result, SelectionRun) and run_result.status == RunStatus.DONE, run_result
    assert waited > 0.5 and withdrawn_at >= stage_ended[0], (waited, withdrawn_at, stage_ended)
    assert elsewhere_s < 1.0  # the stage sleeps 1.5 s holding its wave
    target.refresh_from_db()
    assert (target.status, target.decided_stage) == ("withdrawn", "")
    assert Application.objects.filter(wave=wave, status="passed").count() == 5
    assert Application.objects.filter(wave=wave, status="failed").count() == 14
