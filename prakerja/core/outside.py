"""The kit for calling a system we do not run: errors, circuit breaker, rate limit.

Every adapter to an outside system (the civil registry, the SMS gateway,
SMTP, later the e-wallets) answers its caller in one vocabulary:

- ``TransientError``: try again later (timeout, network error, 5xx, 429, an
  open circuit, our own rate limit). Nothing is known to be wrong with the
  request itself.
- ``PermanentError``: the other side answered and will answer the same way
  again (a bad key, a refused recipient, an unreadable answer). Retrying
  cannot help; an operator or the data has to change.

An adapter's own errors subclass one of these, so a caller may catch the
adapter's names or the kit's.

``Guard`` wraps each call in a ``CircuitBreaker`` and a ``RateLimit``. Both
keep their state in the Django cache, which is Redis in production, so every
web and worker process shares them: a provider that is down is seen as down
by all of them after ``failures`` calls in a row, not after ``failures`` per
process, and the rate is the platform's, not each process's.

Log events are named after the guard (``<name>_circuit_open``,
``<name>_circuit_closed``, ``<name>_rate_limited``, ``<name>_unavailable``)
and carry no request data, only counts, times and the error text, which
adapters keep free of personal data (PRV).
"""

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import structlog
from django.core.cache import cache

log = structlog.get_logger(__name__)

T = TypeVar("T")


class OutsideError(Exception):
    """An outside system did not do what we asked."""


class TransientError(OutsideError):
    """Try again later: the other side is down, slow, busy, or we are holding back."""


class PermanentError(OutsideError):
    """The other side refused this request itself: the same request will fail the same way."""


class CircuitOpen(TransientError):
    """The breaker is open (or its one trial call is in flight): no call was made."""


class RateLimited(TransientError):
    """Our own per-second budget for this system is used up: no call was made."""


class CircuitBreaker:
    """A circuit breaker whose state is in the shared cache.

    Closed, it counts calls in a row that ended in a transient failure; at
    ``failures`` it opens for ``cooldown`` seconds and refuses every call
    without making it. ``open-until`` holds the time the cooldown ends and
    outlives it: once that time has passed the breaker is half-open, and
    ``cache.add`` on the trial key lets exactly one caller, in any process,
    make the trial call (the key expires after ``trial_lease`` in case that
    caller dies). Success closes the breaker; a failed trial opens it again
    at once. A permanent error is a success here: the other side answered.
    """

    def __init__(self, name: str, *, failures: int, cooldown: float, trial_lease: float):
        self.name = name
        self.failures = failures
        self.cooldown = cooldown
        self.trial_lease = trial_lease
        self.k_failures, self.k_open, self.k_trial = (f"outside:{name}:breaker:{n}"
                                                      for n in ("failures", "open-until", "trial"))
        # Stale state expires on its own eventually (a day, or ten cooldowns).
        self.ttl = max(86400, int(cooldown * 10))

    def admit(self, *, error: type[CircuitOpen] = CircuitOpen) -> bool:
        """Raise ``error`` (a CircuitOpen), or return whether this call is the half-open trial."""
        open_until = cache.get(self.k_open)
        if open_until is None:
            return False
        if time.time() < open_until:
            raise error(f"{self.name}: circuit open")
        if not cache.add(self.k_trial, 1, max(1, int(self.trial_lease + 1))):
            raise error(f"{self.name}: circuit half-open, trial call in flight")
        return True

    def end_trial(self) -> None:
        cache.delete(self.k_trial)

    def success(self, *, trial: bool) -> None:
        cache.delete_many([self.k_failures, self.k_open])
        if trial:
            log.info(f"{self.name}_circuit_closed")

    def failure(self, *, trial: bool) -> None:
        if not trial:
            cache.add(self.k_failures, 0, self.ttl)
            try:
                count = cache.incr(self.k_failures)
            except ValueError:  # evicted between add and incr
                count = 1
            if count < self.failures:
                return
        cache.set(self.k_open, time.time() + self.cooldown, self.ttl)
        cache.delete(self.k_failures)
        log.warning(f"{self.name}_circuit_open", cooldown=self.cooldown, after_trial=trial)

    def is_open(self) -> bool:
        """Open or half-open (for health pages and tests; ``admit`` is what callers use)."""
        return cache.get(self.k_open) is not None


class RateLimit:
    """At most ``per_second`` calls in each one-second window, across all processes.

    A fixed window (like ``core.ratelimit``): one ``add`` and one ``incr``,
    shared through the cache, and good enough to stay under a provider's
    quota (at most twice the rate across a window boundary).
    """

    def __init__(self, name: str, *, per_second: int):
        self.name = name
        self.per_second = per_second

    def take(self) -> bool:
        """Count one call in the current second; False when the second's budget is spent."""
        window = f"outside:{self.name}:rate:{int(time.time())}"
        cache.add(window, 0, 5)
        try:
            return cache.incr(window) <= self.per_second
        except ValueError:  # the window expired between add and incr
            return True

    @staticmethod
    def next_window_in() -> float:
        return 1.0 - (time.time() % 1.0)


class Guard:
    """One outside system's breaker and rate limit, around each call an adapter makes.

    The adapter passes its own subclasses of ``CircuitOpen`` and
    ``RateLimited`` so its callers can keep catching the adapter's names.
    """

    def __init__(self, *, breaker: CircuitBreaker, rate: RateLimit,
                 circuit_open: type[CircuitOpen] = CircuitOpen, rate_limited: type[RateLimited] = RateLimited):
        self.name = breaker.name
        self.breaker = breaker
        self.rate = rate
        self.circuit_open = circuit_open
        self.rate_limited = rate_limited

    def call(self, attempt: Callable[[int], T], *, retries: int = 0, backoff: Sequence[float] = (),
             slot_wait: float = 0.0) -> T:
        """Call ``attempt(n)`` for n = 1, 2, ... until it returns, raises a PermanentError, or runs out.

        ``attempt`` raises a TransientError for a failure worth retrying. Up
        to ``retries`` more attempts follow within this call, after the pauses
        in ``backoff`` (the last one repeats); the half-open trial gets one
        attempt only, so a dead system is asked once per cooldown. Each
        attempt takes a rate slot first; with ``slot_wait`` the caller may
        wait that many seconds for one (a worker can; a web request should
        not), otherwise a full second raises RateLimited without calling.
        Being rate limited says nothing about the other side, so it leaves
        the breaker as it is.
        """
        trial = self.breaker.admit(error=self.circuit_open)
        try:
            return self._attempts(attempt, attempts=1 if trial else retries + 1, trial=trial, backoff=backoff,
                                  slot_wait=slot_wait)
        finally:
            if trial:
                self.breaker.end_trial()

    def _attempts(self, attempt: Callable[[int], T], *, attempts: int, trial: bool, backoff: Sequence[float],
                  slot_wait: float) -> T:
        last: TransientError | None = None
        for n in range(1, attempts + 1):
            if n > 1 and backoff:
                time.sleep(backoff[min(n - 2, len(backoff) - 1)])
            self._slot(attempt=n, wait=slot_wait)
            try:
                result = attempt(n)
            except TransientError as exc:
                last = exc
                continue
            except PermanentError:
                self.breaker.success(trial=trial)
                raise
            self.breaker.success(trial=trial)
            return result
        self.breaker.failure(trial=trial)
        log.warning(f"{self.name}_unavailable", error=str(last), attempts=attempts)
        raise last

    def _slot(self, *, attempt: int, wait: float) -> None:
        # Summing the pauses, not reading the clock, bounds the wait even if
        # the clock stands still (a frozen clock in a test, a stepped one).
        waited = 0.0
        while not self.rate.take():
            pause = self.rate.next_window_in()
            if waited + pause > wait:
                log.warning(f"{self.name}_rate_limited", rate_per_second=self.rate.per_second, attempt=attempt)
                raise self.rate_limited(f"{self.name}: local rate limit reached")
            time.sleep(pause)
            waited += pause
