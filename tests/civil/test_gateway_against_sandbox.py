"""The civil registry client against the sandbox Dukcapil over real HTTP (REG-3, SEL-1)."""

import threading
import time
from dataclasses import replace
from datetime import date

import pytest
import structlog
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from prakerja.civil.gateway import (
    CircuitOpen,
    CivilRegistryError,
    CivilRegistryUnavailable,
    HttpCivilRegistry,
    RateLimited,
    Reason,
    VerifyRequest,
    VerifyResult,
    get_civil_registry,
)

# The demo applicant, as data/demo_population.csv in the sandbox knows her.
SITI = VerifyRequest(nik="3273015203950001", kk="3273010108160001", name="Siti Rahmawati",
                     birth_date=date(1995, 3, 12))
MATCH = VerifyResult(matched=True, reasons=())


@pytest.fixture
def registry(sandbox):
    sandbox.clear_faults()

    def make(**overrides):
        options = {"url": f"{sandbox.url}/dukcapil/verify", "api_key": "sandbox-dukcapil-key", "timeout": 2,
                   "retries": 2, "rate_per_second": 50, "breaker_failures": 3, "breaker_cooldown": 30,
                   **overrides}
        return HttpCivilRegistry(**options)

    yield make
    sandbox.clear_faults()


def waiting(sandbox) -> int:
    """Injected dukcapil faults not yet consumed: each call that reached the sandbox consumed one."""
    return sum(f["remaining"] for f in sandbox.faults("dukcapil"))


def test_a_demo_identity_matches(registry):
    assert registry().verify(SITI) == MATCH


def test_the_client_is_built_from_settings(sandbox, settings):
    settings.CIVIL_REGISTRY_URL = f"{sandbox.url}/dukcapil/verify"
    assert get_civil_registry().verify(SITI) == MATCH  # the default key is the sandbox's


def test_names_match_ignoring_case_and_spaces(registry):
    assert registry().verify(replace(SITI, name="  siti   RAHMAWATI ")).matched


@pytest.mark.parametrize(("change", "reasons"), [
    ({"nik": "3273015203950999"}, (Reason.NIK_NOT_FOUND,)),
    ({"nik": "3273015203950999", "kk": "1"}, (Reason.NIK_NOT_FOUND,)),  # nothing to compare against
    ({"kk": "3273010108160002"}, (Reason.KK_MISMATCH,)),
    ({"kk": "3171012002120001"}, (Reason.KK_MISMATCH,)),  # a real KK, of another family
    ({"name": "Siti Aminah"}, (Reason.NAME_MISMATCH,)),
    ({"birth_date": date(1995, 3, 13)}, (Reason.BIRTH_DATE_MISMATCH,)),
    ({"kk": "3273010108160002", "name": "Siti Aminah"}, (Reason.KK_MISMATCH, Reason.NAME_MISMATCH)),
    ({"kk": "3273010108160002", "name": "Siti Aminah", "birth_date": date(1959, 3, 12)},
     (Reason.KK_MISMATCH, Reason.NAME_MISMATCH, Reason.BIRTH_DATE_MISMATCH)),
])
def test_each_mismatch_reason(registry, change, reasons):
    assert registry().verify(replace(SITI, **change)) == VerifyResult(matched=False, reasons=reasons)


@given(kk=st.booleans(), name=st.booleans(), birth=st.booleans(), spacing=st.sampled_from(["", " ", "  "]),
       upper=st.booleans())
@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_reasons_are_exactly_the_fields_that_differ(registry, kk, name, birth, spacing, upper):
    written = f"{spacing}Dewi {spacing}{'Lestary' if name else 'Lestari'}{spacing}"
    request = VerifyRequest(nik="3171016311900001", kk="3171012002120002" if kk else "3171012002120001",
                            name=written.upper() if upper else written,
                            birth_date=date(1990, 11, 24) if birth else date(1990, 11, 23))
    expected = tuple(r for r, differs in [(Reason.KK_MISMATCH, kk), (Reason.NAME_MISMATCH, name),
                                          (Reason.BIRTH_DATE_MISMATCH, birth)] if differs)
    assert registry(rate_per_second=10_000).verify(request) == VerifyResult(matched=not expected, reasons=expected)


@pytest.mark.parametrize("mode", ["500", "503", "429"])
def test_transient_answers_are_retried_within_the_call(registry, sandbox, mode):
    sandbox.fault("dukcapil", mode, count=2)
    assert registry(retries=2).verify(SITI) == MATCH
    assert waiting(sandbox) == 0


def test_retries_are_bounded(registry, sandbox):
    sandbox.fault("dukcapil", "500", count=5)
    with pytest.raises(CivilRegistryUnavailable) as raised:
        registry(retries=2).verify(SITI)
    assert not isinstance(raised.value, CircuitOpen | RateLimited)
    assert waiting(sandbox) == 2  # three attempts, no more


def test_timeouts_exhaust_retries_then_unavailable(registry, sandbox):
    sandbox.fault("dukcapil", "timeout", count=2, delay=6)
    started = time.monotonic()
    with pytest.raises(CivilRegistryUnavailable, match="Timeout"):
        registry(timeout=0.5, retries=1).verify(SITI)
    # Two half-second waits and a short pause, not the sandbox's 6 s twice
    # (a wide margin: this checks that the timeout is used, not a speed).
    assert time.monotonic() - started < 5


def test_a_wrong_key_is_a_permanent_error_and_not_retried(registry, sandbox):
    with pytest.raises(CivilRegistryError, match="401"):
        registry(api_key="wrong").verify(SITI)
    sandbox.fault("dukcapil", "400", count=2)
    with pytest.raises(CivilRegistryError, match="400"):
        registry().verify(SITI)
    assert waiting(sandbox) == 1


def test_permanent_errors_do_not_open_the_breaker(registry):
    client = registry(api_key="wrong", breaker_failures=1)
    for _ in range(3):
        with pytest.raises(CivilRegistryError):
            client.verify(SITI)


def test_registry_down_is_unavailable(registry):
    with pytest.raises(CivilRegistryUnavailable, match="ConnectError"):
        registry(url="http://127.0.0.1:9/dukcapil/verify", retries=0).verify(SITI)


def test_breaker_opens_after_repeated_failures_and_closes_after_a_good_trial(registry, sandbox):
    client = registry(retries=1, breaker_failures=3, breaker_cooldown=1)
    sandbox.fault("dukcapil", "500", count=6)
    for _ in range(3):  # three calls, each with its retry, all failing
        with pytest.raises(CivilRegistryUnavailable):
            client.verify(SITI)
    assert waiting(sandbox) == 0
    # Open: refused at once, without calling out (the waiting fault stays).
    sandbox.fault("dukcapil", "500", count=1)
    for _ in range(3):
        with pytest.raises(CircuitOpen, match="circuit open"):
            client.verify(SITI)
    assert waiting(sandbox) == 1
    # Another client (another process, in production) sees the same breaker.
    with pytest.raises(CircuitOpen):
        registry().verify(SITI)

    time.sleep(1.1)
    # Half-open: one trial, a single attempt; it meets the fault and the breaker opens again at once.
    with pytest.raises(CivilRegistryUnavailable):
        client.verify(SITI)
    assert waiting(sandbox) == 0
    sandbox.fault("dukcapil", "500", count=1)
    with pytest.raises(CircuitOpen):
        client.verify(SITI)
    assert waiting(sandbox) == 1
    sandbox.clear_faults()

    time.sleep(1.1)
    assert client.verify(SITI) == MATCH  # the trial succeeds: closed
    sandbox.fault("dukcapil", "500", count=1)
    assert client.verify(SITI) == MATCH  # closed: retries as usual, no longer a single trial attempt


def test_only_one_trial_call_while_half_open(registry, sandbox):
    client = registry(retries=0, breaker_failures=1, breaker_cooldown=1, timeout=3)
    sandbox.fault("dukcapil", "500")
    with pytest.raises(CivilRegistryUnavailable):
        client.verify(SITI)
    time.sleep(1.1)
    sandbox.fault("dukcapil", "timeout", delay=1)  # the trial is slow, then fails
    outcome = []

    def trial():
        try:
            outcome.append(client.verify(SITI))
        except CivilRegistryUnavailable as exc:
            outcome.append(exc)

    thread = threading.Thread(target=trial)
    thread.start()
    time.sleep(0.3)
    with pytest.raises(CircuitOpen, match="trial"):
        client.verify(SITI)
    thread.join()
    assert isinstance(outcome[0], CivilRegistryUnavailable) and not isinstance(outcome[0], CircuitOpen)
    with pytest.raises(CircuitOpen, match="circuit open"):
        client.verify(SITI)


class FrozenClock:
    """The limiter's clock, held still: a busy machine must not carry a burst across a second."""

    sleep = staticmethod(time.sleep)
    monotonic = staticmethod(time.monotonic)

    def __init__(self):
        self.now = float(int(time.time()))

    def time(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    frozen = FrozenClock()
    monkeypatch.setattr("prakerja.core.outside.time", frozen)
    return frozen


@pytest.fixture
def next_second(clock):
    def advance():
        clock.now = float(int(clock.now) + 1)
    return advance


def test_client_side_rate_limit(registry, sandbox, next_second):
    client = registry(rate_per_second=3, retries=0)
    next_second()
    for _ in range(3):
        assert client.verify(SITI) == MATCH
    sandbox.fault("dukcapil", "500")
    with pytest.raises(RateLimited, match="rate limit"):  # the 4th call in the same second
        client.verify(SITI)
    assert waiting(sandbox) == 1  # refused without calling out, and without waiting
    sandbox.clear_faults()
    next_second()
    assert client.verify(SITI) == MATCH


def test_rate_limit_does_not_open_the_breaker(registry, next_second):
    client = registry(rate_per_second=1, retries=0, breaker_failures=1)
    next_second()
    client.verify(SITI)
    for _ in range(3):
        with pytest.raises(RateLimited):
            client.verify(SITI)
    next_second()
    assert client.verify(SITI) == MATCH


def test_logs_carry_outcomes_and_no_personal_data(registry, sandbox):
    sandbox.fault("dukcapil", "500")
    with structlog.testing.capture_logs() as logs:
        registry().verify(SITI)
        registry().verify(replace(SITI, kk="3273010108160002"))
        with pytest.raises(CivilRegistryError):
            registry(api_key="wrong").verify(SITI)
    events = [e["event"] for e in logs]
    assert events == ["civil_registry_transient", "civil_registry_verified", "civil_registry_verified",
                      "civil_registry_refused"]
    assert logs[0]["status_code"] == 500 and logs[0]["attempt"] == 1
    assert logs[1]["matched"] is True and logs[1]["attempt"] == 2
    assert logs[2]["reasons"] == ["kk_mismatch"]
    text = repr(logs)
    for secret in (SITI.nik, SITI.kk, "3273010108160002", "Siti", "Rahmawati", "1995", "1995-03-12"):
        assert secret not in text
    assert SITI.nik not in repr(SITI)
