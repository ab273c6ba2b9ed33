"""Counters in the shared cache for limits of our own (allauth has its own).

Fixed windows: cheap (one ``add`` and one ``incr``, one round trip on Redis), shared by every process
through Redis in production, and good enough for abuse limits; a burst
across a window boundary can reach twice the limit, never more.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache


@dataclass(frozen=True)
class Limit:
    name: str
    limit: int
    period: int  # seconds


@dataclass(frozen=True)
class Exceeded:
    limit: Limit
    retry_at: datetime


def _window(limit: Limit, subject: str, now: float) -> tuple[str, int]:
    start = int(now // limit.period) * limit.period
    return f"rl:{limit.name}:{subject}:{start}", start


def consume(limit: Limit, subject: str) -> Exceeded | None:
    """Count one use by ``subject``; returns Exceeded once the window is full."""
    now = time.time()
    key, start = _window(limit, subject, now)
    if hasattr(cache, "add_and_incr"):  # production's Redis (prakerja/cache.py): one round trip, not three
        used = cache.add_and_incr(key, limit.period + 5)
    else:
        cache.add(key, 0, limit.period + 5)
        try:
            used = cache.incr(key)
        except ValueError:  # evicted between add and incr: count this one afresh
            cache.add(key, 1, limit.period + 5)
            used = 1
    if used > limit.limit:
        return Exceeded(limit, datetime.fromtimestamp(start + limit.period, tz=UTC))
    return None


def remaining(limit: Limit, subject: str) -> int:
    key, _start = _window(limit, subject, time.time())
    return max(0, limit.limit - (cache.get(key) or 0))


def consume_all(checks: list[tuple[Limit, str | None]]) -> Exceeded | None:
    """Count one use against several limits; the first one exceeded, if any.

    Every limit is counted even after one is exceeded, so a client that keeps
    hammering stays blocked on all of them. A ``None`` subject is skipped.
    """
    exceeded = None
    for limit, subject in checks:
        if subject is None:
            continue
        result = consume(limit, subject)
        exceeded = exceeded or result
    return exceeded
