"""The closing sweep racing a withdrawal (REG-3) and a wave edit (finding 14), on PostgreSQL with real threads.

One side holds its transaction open until the other is seen waiting for
the row lock, so each interleaving is forced rather than hoped for.
"""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.waves.models import Application, Wave
from prakerja.waves.services import application_join, applications_withdraw_open, waves_close_due
from prakerja.waves.states import ApplicationStatus as S

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]

REASON = "NIK tidak terdaftar"


def start(call):
    outcome = {}

    def run():
        try:
            outcome["value"] = call()
        except Exception as exc:  # asserted on by the test
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def holding(call, *, done: threading.Event, release: threading.Event):
    """Run ``call`` in a transaction that stays open until ``release``."""
    def run():
        with transaction.atomic():
            value = call()
            done.set()
            assert release.wait(20)
        return value
    return run


def wait_until_someone_waits_for_a_lock():
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity "
                           "WHERE datname = current_database() AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
        time.sleep(0.02)
    raise AssertionError("nobody waited for the row lock")


def finish(*threads):
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive()


def withdraw(user):
    def call():
        with transaction.atomic():  # the registry's transaction
            return applications_withdraw_open(actor="system", user=user, reason=REASON)
    return call


@pytest.fixture
def due(registrant, make_wave):
    """An application in a wave whose closing time has just passed."""
    application = application_join(actor=registrant, wave=make_wave(), consent_version=1)
    Wave.objects.filter(pk=application.wave_id).update(closes_at=timezone.now() - timedelta(seconds=1))
    return application


def test_a_withdrawal_waits_for_the_sweep_and_sees_what_it_moved(registrant, due):
    swept, release = threading.Event(), threading.Event()
    sweeper, swept_outcome = start(holding(waves_close_due, done=swept, release=release))
    assert swept.wait(20)
    withdrawer, withdrawn = start(withdraw(registrant))
    wait_until_someone_waits_for_a_lock()
    release.set()
    finish(sweeper, withdrawer)
    assert swept_outcome == {"value": [7]} and withdrawn == {"value": 1}
    due.refresh_from_db()
    assert due.status == S.WITHDRAWN
    # The audit row tells the status the withdrawal really ended, not the one read before the lock.
    assert AuditEntry.objects.get(action="application.withdraw").data["from"] == S.PROCESSING


def test_the_sweep_waits_for_a_withdrawal_and_leaves_it_withdrawn(registrant, due):
    withdrawn, release = threading.Event(), threading.Event()
    withdrawer, withdrawn_outcome = start(holding(withdraw(registrant), done=withdrawn, release=release))
    assert withdrawn.wait(20)
    sweeper, swept = start(waves_close_due)
    wait_until_someone_waits_for_a_lock()
    release.set()
    finish(sweeper, withdrawer)
    assert withdrawn_outcome == {"value": 1} and swept == {"value": [7]}
    due.refresh_from_db()
    assert due.status == S.WITHDRAWN
    assert AuditEntry.objects.get(action="wave.close").data == {"applications": 0}
    assert not Application.objects.filter(status=S.PROCESSING).exists()


def test_a_closing_time_moved_later_while_the_sweep_waits_keeps_the_wave_open(due):
    wave = Wave.objects.get(pk=due.wave_id)
    later = timezone.now() + timedelta(days=1)

    def edit():  # what wave_save does under its row lock
        Wave.objects.select_for_update().get(pk=wave.pk)
        Wave.objects.filter(pk=wave.pk).update(closes_at=later)

    edited, release = threading.Event(), threading.Event()
    editor, _edit = start(holding(edit, done=edited, release=release))
    assert edited.wait(20)
    sweeper, swept = start(waves_close_due)  # it already saw the wave as due
    wait_until_someone_waits_for_a_lock()
    release.set()
    finish(sweeper, editor)
    assert swept == {"value": []}
    wave.refresh_from_db()
    assert wave.closed_at is None and wave.closes_at == later
    due.refresh_from_db()
    assert due.status == S.JOINED
