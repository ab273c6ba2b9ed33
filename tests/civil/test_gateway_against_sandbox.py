"""The civil registry client against the sandbox Dukcapil over real HTTP."""

import time
from datetime import date

import pytest

from prakerja.civil.gateway import (
    CivilRegistryError,
    CivilRegistryUnavailable,
    HttpCivilRegistry,
    Reason,
    VerifyRequest,
)

pytestmark = pytest.mark.django_db  # the breaker and limiter live in the Django cache
SITI = VerifyRequest(nik="3273015203950001", kk="3273010108160001", name="Siti Rahmawati",
                     birth_date=date(1995, 3, 12))


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


def test_a_demo_identity_matches(registry):
    result = registry().verify(SITI)
    assert result.matched and result.reasons == ()


def test_names_match_ignoring_case_and_spaces(registry):
    assert registry().verify(VerifyRequest(**{**SITI.__dict__, "name": "  siti   RAHMAWATI "})).matched


@pytest.mark.parametrize(("change", "reasons"), [
    ({"nik": "3273015203950999"}, (Reason.NIK_NOT_FOUND,)),
    ({"kk": "3273010108160002"}, (Reason.KK_MISMATCH,)),
    ({"name": "Siti Aminah"}, (Reason.NAME_MISMATCH,)),
    ({"birth_date": date(1995, 3, 13)}, (Reason.BIRTH_DATE_MISMATCH,)),
    ({"kk": "3273010108160002", "name": "Siti Aminah"}, (Reason.KK_MISMATCH, Reason.NAME_MISMATCH)),
])
def test_each_mismatch_reason(registry, change, reasons):
    result = registry().verify(VerifyRequest(**{**SITI.__dict__, **change}))
    assert not result.matched and result.reasons == reasons


def test_a_500_is_retried_within_the_call(registry, sandbox):
    sandbox.fault("dukcapil", "500", count=2)
    assert registry(retries=2).verify(SITI).matched


def test_timeouts_exhaust_retries_then_unavailable(registry, sandbox):
    sandbox.fault("dukcapil", "timeout", count=2, delay=2)
    with pytest.raises(CivilRegistryUnavailable):
        registry(timeout=0.5, retries=1).verify(SITI)


def test_a_wrong_key_is_a_permanent_error(registry):
    with pytest.raises(CivilRegistryError):
        registry(api_key="wrong").verify(SITI)


def test_registry_down_is_unavailable(registry):
    with pytest.raises(CivilRegistryUnavailable):
        registry(url="http://127.0.0.1:9/dukcapil/verify", retries=0).verify(SITI)


def test_breaker_opens_after_repeated_failures_and_closes_after_cooldown(registry, sandbox):
    client = registry(retries=0, breaker_failures=3, breaker_cooldown=1)
    sandbox.fault("dukcapil", "500", count=3)
    for _ in range(3):
        with pytest.raises(CivilRegistryUnavailable):
            client.verify(SITI)
    # Open: fails at once without calling out (a fault left waiting would be consumed otherwise).
    sandbox.fault("dukcapil", "500", count=1)
    with pytest.raises(CivilRegistryUnavailable, match="circuit open"):
        client.verify(SITI)
    time.sleep(1.1)
    with pytest.raises(CivilRegistryUnavailable):  # the half-open trial meets the waiting fault
        client.verify(SITI)
    sandbox.clear_faults()
    time.sleep(1.1)
    assert client.verify(SITI).matched  # closed again


def test_client_side_rate_limit(registry):
    client = registry(rate_per_second=3, retries=0)
    outcomes = []
    for _ in range(4):
        try:
            client.verify(SITI)
            outcomes.append("ok")
        except CivilRegistryUnavailable as exc:
            outcomes.append(str(exc))
    # Normally the 4th call is refused; if the second ticked over mid-loop, a later one is.
    assert "local rate limit reached" in outcomes or outcomes == ["ok"] * 4
    assert outcomes[:3].count("ok") >= 2
