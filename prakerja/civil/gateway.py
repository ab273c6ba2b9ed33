"""The civil registry (Dukcapil) adapter (REG-3, SEL-1).

``verify`` asks whether a NIK, KK number, name and birth date belong
together. A ministry API answers tens of requests a second, not thousands,
and is sometimes down, so the client:

- retries a transient failure a few times with a short pause;
- limits itself to CIVIL_REGISTRY_RATE_PER_SECOND calls in each second;
- opens a circuit breaker after CIVIL_REGISTRY_BREAKER_FAILURES transient
  failures in a row and does not call out at all for the cooldown, then lets
  one trial call through.

Limiter and breaker live in the Django cache, which is Redis in production,
so every web and worker process shares them. Callers treat
``CivilRegistryUnavailable`` as "try again later" (the identity stays
pending); nothing here waits for capacity.

Contract (the sandbox implements it): ``POST {url}`` with a bearer key and
``{"nik", "kk", "name", "birth_date": "YYYY-MM-DD"}``; ``200 {"match": bool,
"reasons": [...]}``.
"""

import time
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import httpx
import structlog
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

log = structlog.get_logger(__name__)


class Reason(StrEnum):
    NIK_NOT_FOUND = "nik_not_found"
    KK_MISMATCH = "kk_mismatch"
    NAME_MISMATCH = "name_mismatch"
    BIRTH_DATE_MISMATCH = "birth_date_mismatch"


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


@dataclass(frozen=True)
class VerifyResult:
    matched: bool
    reasons: tuple[Reason, ...]


class CivilRegistryUnavailable(Exception):
    """Transient: timeout, network error, 5xx or 429, open circuit, local rate limit."""


class CivilRegistryError(Exception):
    """Permanent: the registry refused the request itself (bad key, bad request)."""


class HttpCivilRegistry:
    cache_prefix = "civil-registry"

    def __init__(self, *, url: str, api_key: str, timeout: float, retries: int, rate_per_second: int,
                 breaker_failures: int, breaker_cooldown: int):
        self.url = url
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.rate_per_second = rate_per_second
        self.breaker_failures = breaker_failures
        self.breaker_cooldown = breaker_cooldown

    # --- circuit breaker and rate limit (shared through the cache) ----------
    def _key(self, name: str) -> str:
        return f"{self.cache_prefix}:{name}"

    def _circuit_open(self) -> bool:
        return cache.get(self._key("open")) is not None

    def _record_failure(self) -> None:
        cache.add(self._key("failures"), 0, self.breaker_cooldown * 10)
        try:
            failures = cache.incr(self._key("failures"))
        except ValueError:  # evicted between add and incr
            failures = 1
        if failures >= self.breaker_failures:
            cache.set(self._key("open"), 1, self.breaker_cooldown)
            cache.delete(self._key("failures"))
            log.warning("civil_registry_circuit_open", cooldown=self.breaker_cooldown)

    def _record_success(self) -> None:
        cache.delete_many([self._key("failures"), self._key("open")])

    def _take_slot(self) -> bool:
        window = self._key(f"rate:{int(time.time())}")
        cache.add(window, 0, 5)
        try:
            return cache.incr(window) <= self.rate_per_second
        except ValueError:
            return True

    # --- the call ------------------------------------------------------------------
    def verify(self, request: VerifyRequest) -> VerifyResult:
        if self._circuit_open():
            raise CivilRegistryUnavailable("circuit open")
        payload = {"nik": request.nik, "kk": request.kk, "name": request.name,
                   "birth_date": request.birth_date.isoformat()}
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(min(0.2 * 2 ** (attempt - 1), 1.0))
            if not self._take_slot():
                raise CivilRegistryUnavailable("local rate limit reached")
            try:
                response = httpx.post(self.url, json=payload, timeout=self.timeout,
                                      headers={"Authorization": f"Bearer {self.api_key}"})
            except httpx.HTTPError as exc:
                last = exc
                log.info("civil_registry_transient", error=type(exc).__name__, attempt=attempt + 1)
                continue
            if response.status_code == 429 or response.status_code >= 500:
                last = CivilRegistryUnavailable(f"status {response.status_code}")
                log.info("civil_registry_transient", status=response.status_code, attempt=attempt + 1)
                continue
            if response.status_code != 200:
                raise CivilRegistryError(f"the registry refused the request: {response.status_code}")
            self._record_success()
            return self._parse(response)
        self._record_failure()
        raise CivilRegistryUnavailable(str(last))

    @staticmethod
    def _parse(response: httpx.Response) -> VerifyResult:
        try:
            body = response.json()
            reasons = tuple(Reason(r) for r in body.get("reasons", []))
            return VerifyResult(matched=bool(body["match"]) and not reasons, reasons=reasons)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CivilRegistryError("the registry answered something unreadable") from exc


def get_civil_registry() -> HttpCivilRegistry:
    return HttpCivilRegistry(
        url=settings.CIVIL_REGISTRY_URL, api_key=settings.CIVIL_REGISTRY_API_KEY,
        timeout=settings.CIVIL_REGISTRY_TIMEOUT, retries=settings.CIVIL_REGISTRY_RETRIES,
        rate_per_second=settings.CIVIL_REGISTRY_RATE_PER_SECOND,
        breaker_failures=settings.CIVIL_REGISTRY_BREAKER_FAILURES,
        breaker_cooldown=settings.CIVIL_REGISTRY_BREAKER_COOLDOWN,
    )
