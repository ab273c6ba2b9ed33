"""The civil registry (Dukcapil) adapter (REG-3, SEL-1).

``verify`` asks whether a NIK, KK number, name and birth date belong
together. A ministry API answers tens of requests a second, not thousands,
and is sometimes down, so the client:

- retries a transient failure a few times within one call, with a short pause;
- limits itself to ``rate_per_second`` calls in each one-second window;
- opens a circuit breaker after ``breaker_failures`` calls in a row that ended
  in a transient failure, and then does not call out at all for
  ``breaker_cooldown`` seconds; after that one trial call (a single attempt)
  is let through: success closes the breaker, failure opens it again.

Limiter and breaker live in the Django cache, which is Redis in production,
so every web and worker process shares them. Callers treat
``CivilRegistryUnavailable`` as "try again later" (the identity stays
pending); nothing here waits for capacity.

No NIK, KK, name or birth date is ever logged or put in an exception
message: only outcomes, status codes and attempt numbers (PRV).

Contract (the sandbox implements it): ``POST {url}`` with
``Authorization: Bearer <key>`` and ``{"nik", "kk", "name", "birth_date":
"YYYY-MM-DD"}``; ``200 {"match": bool, "reasons": [...]}``. 429 and 5xx are
transient; any other 4xx means this side is misconfigured (permanent).
"""

import time
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

import httpx
import structlog
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

log = structlog.get_logger(__name__)

# Pauses before the 2nd, 3rd, ... attempt of one call. Short: a web request
# may be waiting, and the caller has its own, slower, recheck schedule.
BACKOFF = (0.2, 0.5, 1.0)


class Reason(StrEnum):
    NIK_NOT_FOUND = "nik_not_found"
    KK_MISMATCH = "kk_mismatch"
    NAME_MISMATCH = "name_mismatch"
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"


# The Indonesian wording is what registrants know from the real programme
# (SPEC REG-3): "NIK tidak terdaftar", "NIK dan KK tidak sesuai", ...
REASON_MESSAGES = {
    Reason.NIK_NOT_FOUND: _("NIK is not registered"),
    Reason.KK_MISMATCH: _("NIK and KK do not match"),
    Reason.NAME_MISMATCH: _("Name does not match"),
    Reason.BIRTH_DATE_MISMATCH: _("Birth date does not match"),
}
CALL_CENTRE_ADVICE = _("If your KTP and KK are correct, contact the Dukcapil call centre at 1500537 or your local "
                       "Disdukcapil office to have your population data corrected, then try again.")


@dataclass(frozen=True)
class VerifyRequest:
    nik: str
    kk: str
    name: str
    birth_date: date

    def __repr__(self) -> str:  # a stray repr in a traceback or log must not carry the person's data
        return "VerifyRequest(<personal data>)"


@dataclass(frozen=True)
class VerifyResult:
    matched: bool
    reasons: tuple[Reason, ...]


class CivilRegistryUnavailable(Exception):
    """Transient: timeout, network error, 5xx or 429, open circuit, local rate limit. Try again later."""


class CircuitOpen(CivilRegistryUnavailable):
    """The breaker is open (or its one trial call is in flight): no call was made."""


class RateLimited(CivilRegistryUnavailable):
    """This platform's own per-second budget for the registry is used up: no call was made."""


class CivilRegistryError(Exception):
    """Permanent: the registry refused the request itself (bad key, bad request, unreadable answer)."""


class CivilRegistry(Protocol):
    def verify(self, request: VerifyRequest) -> VerifyResult: ...


class _Breaker:
    """A circuit breaker whose state is in the shared cache.

    ``open_until`` holds the time the cooldown ends and outlives it: once the
    time has passed the breaker is half-open, and ``cache.add`` on the trial
    key lets exactly one caller, in any process, make the trial call.
    """

    def __init__(self, *, prefix: str, failures: int, cooldown: float, trial_lease: float):
        self.failures = failures
        self.cooldown = cooldown
        self.trial_lease = trial_lease
        self.k_failures, self.k_open, self.k_trial = (f"{prefix}:{n}" for n in ("failures", "open-until", "trial"))
        # Stale state expires on its own eventually (a day, or ten cooldowns).
        self.ttl = max(86400, int(cooldown * 10))

    def admit(self) -> bool:
        """Raise CircuitOpen, or return whether this call is the half-open trial."""
        open_until = cache.get(self.k_open)
        if open_until is None:
            return False
        if time.time() < open_until:
            raise CircuitOpen("circuit open")
        if not cache.add(self.k_trial, 1, max(1, int(self.trial_lease + 1))):
            raise CircuitOpen("circuit half-open, trial call in flight")
        return True

    def end_trial(self) -> None:
        cache.delete(self.k_trial)

    def success(self, *, trial: bool) -> None:
        cache.delete_many([self.k_failures, self.k_open])
        if trial:
            log.info("civil_registry_circuit_closed")

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
        log.warning("civil_registry_circuit_open", cooldown=self.cooldown, after_trial=trial)


class HttpCivilRegistry:
    cache_prefix = "civil-registry"

    def __init__(self, *, url: str, api_key: str, timeout: float, retries: int, rate_per_second: int,
                 breaker_failures: int, breaker_cooldown: float):
        self.url = url
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.rate_per_second = rate_per_second
        self.breaker = _Breaker(prefix=self.cache_prefix, failures=breaker_failures, cooldown=breaker_cooldown,
                                trial_lease=timeout)

    def _take_slot(self) -> bool:
        # A fixed one-second window: cheap, shared, and good enough to stay
        # under a partner's quota (at most twice the rate across a boundary).
        window = f"{self.cache_prefix}:rate:{int(time.time())}"
        cache.add(window, 0, 5)
        try:
            return cache.incr(window) <= self.rate_per_second
        except ValueError:  # the window expired between add and incr
            return True

    def verify(self, request: VerifyRequest) -> VerifyResult:
        trial = self.breaker.admit()
        try:
            return self._verify(request, attempts=1 if trial else self.retries + 1, trial=trial)
        finally:
            if trial:
                self.breaker.end_trial()

    def _verify(self, request: VerifyRequest, *, attempts: int, trial: bool) -> VerifyResult:
        payload = {"nik": request.nik, "kk": request.kk, "name": request.name,
                   "birth_date": request.birth_date.isoformat()}
        headers = {"Authorization": f"Bearer {self.api_key}"}
        problem = ""
        for attempt in range(1, attempts + 1):
            if attempt > 1:
                time.sleep(BACKOFF[min(attempt - 2, len(BACKOFF) - 1)])
            if not self._take_slot():
                log.warning("civil_registry_rate_limited", rate_per_second=self.rate_per_second, attempt=attempt)
                raise RateLimited("local rate limit reached")
            try:
                response = httpx.post(self.url, json=payload, headers=headers, timeout=self.timeout)
            except httpx.HTTPError as exc:  # connect error, timeout, broken read
                problem = type(exc).__name__
                log.info("civil_registry_transient", error=problem, attempt=attempt)
                continue
            status = response.status_code
            if status == 429 or status >= 500:
                problem = f"status {status}"
                log.info("civil_registry_transient", status_code=status, attempt=attempt)
                continue
            # The registry answered: whatever it said, it is up.
            self.breaker.success(trial=trial)
            if status != 200:
                log.error("civil_registry_refused", status_code=status, attempt=attempt)
                raise CivilRegistryError(f"the registry refused the request: status {status}")
            result = self._parse(response)
            log.info("civil_registry_verified", matched=result.matched, reasons=[str(r) for r in result.reasons],
                     attempt=attempt)
            return result
        self.breaker.failure(trial=trial)
        log.warning("civil_registry_unavailable", error=problem, attempts=attempts)
        raise CivilRegistryUnavailable(f"the registry is unavailable: {problem}")

    @staticmethod
    def _parse(response: httpx.Response) -> VerifyResult:
        try:
            body = response.json()
            reasons = tuple(Reason(r) for r in body.get("reasons", []))
            return VerifyResult(matched=body["match"] is True and not reasons, reasons=reasons)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            log.error("civil_registry_unreadable_answer")
            raise CivilRegistryError("the registry answered something unreadable") from exc


def get_civil_registry() -> CivilRegistry:
    return HttpCivilRegistry(
        url=settings.CIVIL_REGISTRY_URL, api_key=settings.CIVIL_REGISTRY_API_KEY,
        timeout=settings.CIVIL_REGISTRY_TIMEOUT, retries=settings.CIVIL_REGISTRY_RETRIES,
        rate_per_second=settings.CIVIL_REGISTRY_RATE_PER_SECOND,
        breaker_failures=settings.CIVIL_REGISTRY_BREAKER_FAILURES,
        breaker_cooldown=settings.CIVIL_REGISTRY_BREAKER_COOLDOWN,
    )
