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

Retries, limiter and breaker are ``prakerja.core.outside.Guard``; their
state lives in the Django cache, which is Redis in production, so every web
and worker process shares them. Callers treat ``CivilRegistryUnavailable``
(a ``TransientError``) as "try again later" (the identity stays pending);
nothing here waits for capacity. ``CivilRegistryError`` is a
``PermanentError``.

No NIK, KK, name or birth date is ever logged or put in an exception
message: only outcomes, status codes and attempt numbers (PRV).

Contract (the sandbox implements it): ``POST {url}`` with
``Authorization: Bearer <key>`` and ``{"nik", "kk", "name", "birth_date":
"YYYY-MM-DD"}``; ``200 {"match": bool, "reasons": [...]}``. 429 and 5xx are
transient; any other 4xx means this side is misconfigured (permanent).
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

import httpx
import structlog
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from prakerja.core import outside
from prakerja.core.outside import PermanentError, TransientError

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


class CivilRegistryUnavailable(TransientError):
    """Transient: timeout, network error, 5xx or 429, open circuit, local rate limit. Try again later."""


class CircuitOpen(CivilRegistryUnavailable, outside.CircuitOpen):
    """The breaker is open (or its one trial call is in flight): no call was made."""


class RateLimited(CivilRegistryUnavailable, outside.RateLimited):
    """This platform's own per-second budget for the registry is used up: no call was made."""


class CivilRegistryError(PermanentError):
    """Permanent: the registry refused the request itself (bad key, bad request, unreadable answer)."""


class CivilRegistry(Protocol):
    def verify(self, request: VerifyRequest) -> VerifyResult: ...


class HttpCivilRegistry:
    name = "civil_registry"

    def __init__(self, *, url: str, api_key: str, timeout: float, retries: int, rate_per_second: int,
                 breaker_failures: int, breaker_cooldown: float):
        self.url = url
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.guard = outside.Guard(
            breaker=outside.CircuitBreaker(self.name, failures=breaker_failures, cooldown=breaker_cooldown,
                                           trial_lease=timeout),
            rate=outside.RateLimit(self.name, per_second=rate_per_second),
            circuit_open=CircuitOpen, rate_limited=RateLimited,
        )

    def verify(self, request: VerifyRequest) -> VerifyResult:
        payload = {"nik": request.nik, "kk": request.kk, "name": request.name,
                   "birth_date": request.birth_date.isoformat()}
        # No slot_wait: a web request may be waiting, and the caller keeps
        # the identity pending and rechecks later anyway.
        return self.guard.call(lambda attempt: self._attempt(payload, attempt), retries=self.retries,
                               backoff=BACKOFF)

    def _attempt(self, payload: dict, attempt: int) -> VerifyResult:
        try:
            response = httpx.post(self.url, json=payload, headers={"Authorization": f"Bearer {self.api_key}"},
                                  timeout=self.timeout)
        except httpx.HTTPError as exc:  # connect error, timeout, broken read
            log.info("civil_registry_transient", error=type(exc).__name__, attempt=attempt)
            raise CivilRegistryUnavailable(f"the registry is unavailable: {type(exc).__name__}") from exc
        status = response.status_code
        if status == 429 or status >= 500:
            log.info("civil_registry_transient", status_code=status, attempt=attempt)
            raise CivilRegistryUnavailable(f"the registry is unavailable: status {status}")
        if status != 200:
            log.error("civil_registry_refused", status_code=status, attempt=attempt)
            raise CivilRegistryError(f"the registry refused the request: status {status}")
        result = self._parse(response)
        log.info("civil_registry_verified", matched=result.matched, reasons=[str(r) for r in result.reasons],
                 attempt=attempt)
        return result

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
