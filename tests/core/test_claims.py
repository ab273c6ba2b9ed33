"""The lease-claim-backoff helper (prakerja/core/claims.py), on the outbox's rows."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from prakerja.core.claims import Lease, exponential, stepped
from prakerja.notifications.models import Message

pytestmark = pytest.mark.django_db
LEASE = Lease(model=Message, status="status", waiting="queued", working="sending", due="next_attempt_at",
              lease_until="locked_until", attempts="attempts", duration=timedelta(minutes=2))


def row(**fields):
    defaults = {"idempotency_key": f"k{Message.objects.count()}", "channel": "email", "to_address": "a@example.id",
                "template": "t", "body": "b", "status": "queued", "next_attempt_at": timezone.now()}
    return Message.objects.create(**{**defaults, **fields})


def test_a_due_row_is_claimed_once():
    message = row()
    assert LEASE.claim(message.pk)
    assert not LEASE.claim(message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sending", 1)
    assert message.locked_until > timezone.now() + timedelta(seconds=100)


def test_a_row_not_yet_due_is_not_claimed():
    assert not LEASE.claim(row(next_attempt_at=timezone.now() + timedelta(minutes=1)).pk)


def test_an_expired_lease_is_claimed_again_and_fences_the_late_worker():
    message = row()
    LEASE.claim(message.pk)
    Message.objects.filter(pk=message.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert LEASE.claim(message.pk)  # the first worker died, or is late
    assert LEASE.finish(message.pk, 1, status="sent") == 0  # the late worker's result is refused
    assert LEASE.finish(message.pk, 2, status="sent") == 1
    message.refresh_from_db()
    assert (message.status, message.locked_until) == ("sent", None)


def test_retry_puts_the_row_back_with_a_due_time():
    message = row()
    LEASE.claim(message.pk)
    assert LEASE.retry(message.pk, 1, delay=timedelta(minutes=5), last_error="down") == 1
    message.refresh_from_db()
    assert message.status == "queued" and message.last_error == "down" and message.locked_until is None
    assert timedelta(minutes=4) < message.next_attempt_at - timezone.now() <= timedelta(minutes=5)
    assert not LEASE.claim(message.pk)


def test_the_sweeper_sees_due_and_abandoned_rows_but_leaves_fresh_ones_alone():
    now = timezone.now()
    old = row(next_attempt_at=now - timedelta(minutes=5))
    fresh = row(next_attempt_at=now)
    abandoned = row(status="sending", locked_until=now - timedelta(seconds=1))
    working = row(status="sending", locked_until=now + timedelta(minutes=1))
    ids = LEASE.due_ids(limit=10, grace=timedelta(seconds=30))
    assert set(ids) == {old.pk, abandoned.pk}
    assert fresh.pk in LEASE.due_ids(limit=10) and working.pk not in LEASE.due_ids(limit=10)


def test_a_queryset_narrows_what_may_be_claimed():
    inbox = row(channel="inbox")
    assert not LEASE.claim(inbox.pk, queryset=Message.objects.exclude(channel="inbox"))


def test_backoff_schedules():
    assert [exponential(n, base=30, cap=3600).total_seconds() for n in (1, 2, 3, 8)] == [30, 60, 120, 3600]
    steps = [timedelta(minutes=m) for m in (1, 5, 15)]
    assert [stepped(n, steps) for n in (1, 2, 3, 4, 9)] == [steps[0], steps[1], steps[2], steps[2], steps[2]]


@pytest.mark.django_db(transaction=True)
def test_racing_workers_claim_a_row_once(postgres_only):
    message = row()
    barrier, wins = threading.Barrier(6), []

    def work():
        try:
            barrier.wait()
            wins.append(LEASE.claim(message.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == [False] * 5 + [True]
