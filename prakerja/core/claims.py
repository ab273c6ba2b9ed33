"""Rows that workers claim: waiting -> working under a lease -> done, or back to waiting later.

The database is the source of truth and a queued task is only a trigger, so
a worker claims a row with one conditional UPDATE before it calls out: two
workers (or a web request and a worker) never work on the same row at once,
the one whose UPDATE changed nothing walks away, and a worker that dies
leaves a lease that expires so the row becomes claimable again. The
attempt counter doubles as a fencing token: a late worker whose lease
expired cannot overwrite the result of the worker that claimed after it.
Notifications, identity checks, and later selection, payouts and
certificate jobs use it.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import models
from django.db.models import F, Q
from django.utils import timezone


@dataclass(frozen=True)
class Lease:
    model: type[models.Model]
    status: str  # the status field's name
    waiting: str  # status of a row waiting for its next attempt
    working: str  # status of a claimed row
    due: str  # field: when the next attempt may start
    lease_until: str  # field: when a claim expires
    attempts: str  # field: attempts so far (incremented by each claim)
    duration: timedelta  # how long a claim lasts

    def claimable(self, now) -> Q:
        return (Q(**{self.status: self.waiting, f"{self.due}__lte": now})
                | Q(**{self.status: self.working, f"{self.lease_until}__lt": now}))

    def claim(self, pk, *, queryset=None, now=None) -> bool:
        """Claim one row if it is due (or its lease expired); False if someone else has it."""
        now = now or timezone.now()
        rows = (queryset if queryset is not None else self.model.objects).filter(self.claimable(now), pk=pk)
        return bool(rows.update(**{self.status: self.working, self.lease_until: now + self.duration,
                                   self.attempts: F(self.attempts) + 1}))

    def mine(self, pk, attempts: int):
        """The row, only while it is still this claim's (same status, same attempt)."""
        return self.model.objects.filter(**{"pk": pk, self.status: self.working, self.attempts: attempts})

    def retry(self, pk, attempts: int, *, delay: timedelta, refund: bool = False, **fields) -> int:
        """Back to waiting; the next attempt is due after ``delay``.

        ``refund`` gives the attempt back: for a claim that never reached the
        other side (our own rate limit, an open circuit), so a busy hour does
        not use up a row's attempts.
        """
        if refund:
            fields[self.attempts] = F(self.attempts) - 1
        return self.mine(pk, attempts).update(**{self.status: self.waiting, self.lease_until: None,
                                                 self.due: timezone.now() + delay}, **fields)

    def finish(self, pk, attempts: int, *, status: str, **fields) -> int:
        """Record the outcome; 0 when a later claim took the row meanwhile."""
        return self.mine(pk, attempts).update(**{self.status: status, self.lease_until: None}, **fields)

    def due_ids(self, *, limit: int, grace: timedelta = timedelta(0), queryset=None) -> list[int]:
        """Rows a sweeper should enqueue: due for ``grace`` already, or with an expired lease.

        The grace leaves a row created a moment ago to the task enqueued with it.
        """
        now = timezone.now()
        due = (Q(**{self.status: self.waiting, f"{self.due}__lte": now - grace})
               | Q(**{self.status: self.working, f"{self.lease_until}__lt": now}))
        rows = queryset if queryset is not None else self.model.objects
        return list(rows.filter(due).order_by(self.due).values_list("pk", flat=True)[:limit])


def exponential(attempt: int, *, base: float, cap: float) -> timedelta:
    """base, 2·base, 4·base, ... seconds after attempts 1, 2, 3, ..., at most ``cap``."""
    return timedelta(seconds=min(base * (2 ** max(attempt - 1, 0)), cap))


def stepped(attempt: int, steps: list[timedelta]) -> timedelta:
    """The delay after attempt ``attempt`` from a fixed schedule; the last step repeats."""
    return steps[min(max(attempt, 1) - 1, len(steps) - 1)]
