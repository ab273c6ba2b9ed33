"""The outside-system kit in isolation: errors, breaker, rate limit and the guard around a call."""

import pickle
import threading
import time

import pytest

from prakerja.civil.gateway import CircuitOpen as CivilCircuitOpen
from prakerja.civil.gateway import CivilRegistryError, CivilRegistryUnavailable
from prakerja.civil.gateway import RateLimited as CivilRateLimited
from prakerja.core import outside
from prakerja.core.outside import (
    CircuitBreaker,
    CircuitOpen,
    Guard,
    OutsideError,
    PermanentError,
    RateLimit,
    RateLimited,
    TransientError,
)
from prakerja.notifications.gateways import (
    DeliveryCircuitOpen,
    DeliveryError,
    DeliveryRateLimited,
    DeliveryRefused,
    DeliveryUnavailable,
)


class Clock:
    """The kit's clock: it stands still until someone sleeps, and sleeping costs no real time."""

    def __init__(self):
        self.now = float(int(time.time()))
        self.slept: list[float] = []

    def time(self):
        return self.now

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(outside, "time", fake)
    return fake


def make_guard(name="partner", *, failures=3, cooldown=30.0, per_second=100, **errors):
    return Guard(breaker=CircuitBreaker(name, failures=failures, cooldown=cooldown, trial_lease=5),
                 rate=RateLimit(name, per_second=per_second), **errors)


class Calls:
    """A stand-in outside system: answers from a script, counts the attempts that reached it."""

    def __init__(self, *script):
        self.script = list(script)
        self.attempts: list[int] = []

    def __call__(self, attempt):
        self.attempts.append(attempt)
        outcome = self.script.pop(0) if self.script else "ok"
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def down():
    return TransientError("status 503")


def refused():
    return PermanentError("status 401")


def fail(guard, times):
    for _ in range(times):
        with pytest.raises(TransientError):
            guard.call(Calls(down()))


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("error", "kind"), [
    (CivilRegistryUnavailable("x"), TransientError), (CivilCircuitOpen("x"), CircuitOpen),
    (CivilRateLimited("x"), RateLimited), (CivilRegistryError("x"), PermanentError),
    (DeliveryError("x", permanent=False), TransientError), (DeliveryError("x", permanent=True), PermanentError),
    (DeliveryCircuitOpen("x"), CircuitOpen), (DeliveryRateLimited("x"), RateLimited),
])
def test_adapter_errors_are_classified_by_the_kit(error, kind):
    assert isinstance(error, OutsideError) and isinstance(error, kind)
    other = PermanentError if issubclass(kind, TransientError) else TransientError
    assert not isinstance(error, other)


def test_delivery_error_keeps_its_permanent_flag_and_survives_pickling():
    transient, permanent = DeliveryError("smtp 421", permanent=False), DeliveryError("smtp 550", permanent=True)
    assert type(transient) is DeliveryUnavailable and not transient.permanent
    assert type(permanent) is DeliveryRefused and permanent.permanent
    assert DeliveryCircuitOpen("open").permanent is False
    again = pickle.loads(pickle.dumps(permanent))
    assert type(again) is DeliveryRefused and str(again) == "smtp 550"
    with pytest.raises(TypeError):
        DeliveryError("which?")
    with pytest.raises(TypeError):
        DeliveryRefused("no", permanent=False)


# --- circuit breaker ------------------------------------------------------------------------


def test_breaker_opens_after_failures_in_a_row_and_refuses_without_calling(clock):
    guard = make_guard(failures=3)
    fail(guard, 2)
    assert not guard.breaker.is_open()
    fail(guard, 1)
    assert guard.breaker.is_open()
    calls = Calls()
    with pytest.raises(CircuitOpen, match="circuit open"):
        guard.call(calls)
    assert calls.attempts == []


def test_a_success_resets_the_count(clock):
    guard = make_guard(failures=2)
    fail(guard, 1)
    assert guard.call(Calls("ok")) == "ok"
    fail(guard, 1)
    assert not guard.breaker.is_open()


def test_permanent_errors_do_not_open_the_breaker_and_end_a_run_of_failures(clock):
    guard = make_guard(failures=1)
    for _ in range(3):
        with pytest.raises(PermanentError):
            guard.call(Calls(refused()))
    assert not guard.breaker.is_open()
    guard = make_guard("other", failures=2)
    fail(guard, 1)
    with pytest.raises(PermanentError):
        guard.call(Calls(refused()))  # the other side answered: it is up
    fail(guard, 1)
    assert not guard.breaker.is_open()


def test_retries_within_a_call_count_as_one_failure(clock):
    guard = make_guard(failures=2)
    calls = Calls(down(), down(), down())
    with pytest.raises(TransientError, match="503"):
        guard.call(calls, retries=2, backoff=(0.2, 0.5))
    assert calls.attempts == [1, 2, 3] and clock.slept == [0.2, 0.5]
    assert not guard.breaker.is_open()
    fail(guard, 1)
    assert guard.breaker.is_open()


def test_the_last_backoff_pause_repeats(clock):
    calls = Calls(down(), down(), down(), down())
    make_guard().call(calls, retries=4, backoff=(0.2, 0.5))
    assert calls.attempts == [1, 2, 3, 4, 5] and clock.slept == [0.2, 0.5, 0.5, 0.5]


def test_half_open_lets_one_single_attempt_trial_through_then_reopens_on_failure(clock):
    guard = make_guard(failures=2, cooldown=30)
    fail(guard, 2)
    clock.now += 29.9
    with pytest.raises(CircuitOpen, match="circuit open"):
        guard.call(Calls())
    clock.now += 0.2
    trial = Calls(down(), "ok")
    with pytest.raises(TransientError):
        guard.call(trial, retries=3, backoff=(0.2,))
    assert trial.attempts == [1]  # a single attempt, although the call allows retries
    calls = Calls()
    with pytest.raises(CircuitOpen, match="circuit open"):  # one failed trial reopens it for a full cooldown
        guard.call(calls)
    assert calls.attempts == []
    clock.now += 30.1
    assert guard.call(Calls("ok"), retries=3) == "ok"  # the trial succeeds: closed
    assert not guard.breaker.is_open()
    retried = Calls(down(), "ok")
    assert guard.call(retried, retries=1) == "ok"  # closed: retries as usual again
    assert retried.attempts == [1, 2]


def test_a_permanent_answer_to_the_trial_closes_the_breaker(clock):
    guard = make_guard(failures=1)
    fail(guard, 1)
    clock.now += 31
    with pytest.raises(PermanentError):
        guard.call(Calls(refused()))
    assert not guard.breaker.is_open()


def test_only_one_trial_at_a_time_across_threads(clock):
    breaker = CircuitBreaker("partner", failures=1, cooldown=30, trial_lease=5)
    breaker.failure(trial=False)
    clock.now += 31
    start, admitted, refused_ = threading.Barrier(8), [], []

    def admit():
        start.wait()
        try:
            admitted.append(breaker.admit())
        except CircuitOpen as exc:
            refused_.append(str(exc))

    threads = [threading.Thread(target=admit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert admitted == [True]
    assert len(refused_) == 7 and all("trial call in flight" in r for r in refused_)


def test_a_slow_trial_keeps_other_callers_out_until_it_ends(clock):
    guard = make_guard(failures=1)
    fail(guard, 1)
    clock.now += 31
    entered, release, outcome = threading.Event(), threading.Event(), []

    def slow(attempt):
        entered.set()
        release.wait(5)
        raise TransientError("timeout")

    def trial():
        try:
            guard.call(slow)
        except TransientError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=trial)
    thread.start()
    assert entered.wait(5)
    calls = Calls()
    with pytest.raises(CircuitOpen, match="trial"):
        guard.call(calls)
    release.set()
    thread.join()
    assert calls.attempts == [] and not isinstance(outcome[0], CircuitOpen)
    with pytest.raises(CircuitOpen, match="circuit open"):
        guard.call(calls)


def test_a_trial_whose_caller_died_is_given_up_after_its_lease():
    breaker = CircuitBreaker("partner", failures=1, cooldown=0, trial_lease=0)
    breaker.failure(trial=False)
    assert breaker.admit() is True  # ... and this caller never reports back
    with pytest.raises(CircuitOpen, match="trial"):
        breaker.admit()
    time.sleep(1.1)  # the lease is a cache expiry, which runs on real time
    assert breaker.admit() is True


def test_breakers_of_different_systems_are_independent(clock):
    sms, email = make_guard("sms", failures=1), make_guard("email", failures=1)
    fail(sms, 1)
    assert sms.breaker.is_open() and not email.breaker.is_open()
    assert email.call(Calls("ok")) == "ok"


def test_the_adapter_chooses_its_circuit_open_error(clock):
    guard = make_guard(failures=1, circuit_open=DeliveryCircuitOpen, rate_limited=DeliveryRateLimited)
    with pytest.raises(DeliveryUnavailable):
        guard.call(Calls(DeliveryUnavailable("sms gateway answered 503")))
    with pytest.raises(DeliveryCircuitOpen, match="partner: circuit open"):
        guard.call(Calls())


# --- rate limit -----------------------------------------------------------------------------


def test_rate_limit_is_a_fixed_one_second_window(clock):
    rate = RateLimit("partner", per_second=3)
    assert [rate.take() for _ in range(4)] == [True, True, True, False]
    assert RateLimit("partner", per_second=3).take() is False  # shared, not per object
    assert RateLimit("other", per_second=3).take() is True
    clock.now += 0.99
    assert rate.take() is False
    clock.now += 0.01
    assert [rate.take() for _ in range(4)] == [True, True, True, False]


def test_rate_limited_call_is_refused_without_calling_and_leaves_the_breaker_alone(clock):
    guard = make_guard(failures=1, per_second=1, rate_limited=CivilRateLimited)
    assert guard.call(Calls("ok")) == "ok"
    calls = Calls()
    for _ in range(3):
        with pytest.raises(CivilRateLimited, match="rate limit"):
            guard.call(calls)
    assert calls.attempts == [] and clock.slept == [] and not guard.breaker.is_open()
    clock.now += 1
    assert guard.call(Calls("ok")) == "ok"


def test_each_retry_takes_a_slot_and_running_out_mid_call_is_not_a_failure(clock):
    guard = make_guard(failures=1, per_second=2)
    calls = Calls(down(), down(), "ok")
    with pytest.raises(RateLimited):
        guard.call(calls, retries=2)
    assert calls.attempts == [1, 2] and not guard.breaker.is_open()


def test_a_worker_may_wait_for_the_next_window(clock):
    guard = make_guard(per_second=1)
    guard.call(Calls("ok"))
    clock.now += 0.25
    calls = Calls("ok")
    assert guard.call(calls, slot_wait=2) == "ok"
    assert calls.attempts == [1] and clock.slept == [0.75]


def test_waiting_for_a_slot_is_bounded(clock):
    guard = make_guard(per_second=0)  # no slot will ever come
    calls = Calls()
    with pytest.raises(RateLimited):
        guard.call(calls, slot_wait=2)
    assert calls.attempts == [] and sum(clock.slept) <= 2


def test_waiting_is_bounded_even_if_the_clock_stands_still(monkeypatch):
    class Frozen(Clock):
        def sleep(self, seconds):
            self.slept.append(seconds)

    frozen = Frozen()
    monkeypatch.setattr(outside, "time", frozen)
    guard = make_guard(per_second=1)
    guard.call(Calls("ok"))
    with pytest.raises(RateLimited):
        guard.call(Calls(), slot_wait=2.5)
    assert frozen.slept == [1.0, 1.0]
