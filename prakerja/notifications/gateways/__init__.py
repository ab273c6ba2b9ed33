"""Adapters for the systems that carry messages out: SMTP and an SMS gateway.

Each raises a ``DeliveryError``: ``DeliveryUnavailable`` (a
``TransientError``: a timeout, a 5xx, an open circuit, our own rate limit)
when a retry could help, ``DeliveryRefused`` (a ``PermanentError``: a refused
recipient, a bad key) when it cannot. ``DeliveryError(message,
permanent=...)`` builds the one or the other, and ``.permanent`` reads the
class back, so the outbox and older callers need not know the subclasses.

Each adapter calls out through a ``prakerja.core.outside.Guard`` of its own
(breaker and per-second rate limit shared by all processes). Delivery runs
in a worker, never in a web request, so an adapter waits up to
``SLOT_WAIT`` seconds for a rate slot: a burst (a wave's results) is paced
in the worker instead of bouncing every message back to the queue, where
each bounce would cost an attempt and a growing backoff.
"""

from dataclasses import dataclass

from prakerja.core import outside
from prakerja.core.outside import OutsideError, PermanentError, TransientError

SLOT_WAIT = 2.0


class DeliveryError(OutsideError):
    """A message was not handed over; ``permanent`` says whether a retry could help."""

    def __new__(cls, message: str = "", *args, permanent: bool | None = None):
        if cls is DeliveryError:
            if permanent is None:
                raise TypeError("DeliveryError needs permanent=True or permanent=False")
            cls = DeliveryRefused if permanent else DeliveryUnavailable
        elif permanent is not None and permanent != issubclass(cls, PermanentError):
            raise TypeError(f"{cls.__name__} cannot be permanent={permanent}")
        return super().__new__(cls, message, *args)

    def __init__(self, message: str = "", *args, permanent: bool | None = None):
        super().__init__(message, *args)

    @property
    def permanent(self) -> bool:
        return isinstance(self, PermanentError)


class DeliveryUnavailable(DeliveryError, TransientError):
    """Try again later: the provider is down, slow or busy, or we are holding back."""


class DeliveryRefused(DeliveryError, PermanentError):
    """The provider refused this message for good."""


class DeliveryCircuitOpen(DeliveryUnavailable, outside.CircuitOpen):
    """The provider's breaker is open: no call was made."""


class DeliveryRateLimited(DeliveryUnavailable, outside.RateLimited):
    """Our per-second budget for the provider stayed spent for SLOT_WAIT: no call was made."""


def delivery_guard(name: str, *, rate_per_second: int, breaker_failures: int, breaker_cooldown: float,
                   timeout: float) -> outside.Guard:
    return outside.Guard(
        breaker=outside.CircuitBreaker(name, failures=breaker_failures, cooldown=breaker_cooldown,
                                       trial_lease=timeout),
        rate=outside.RateLimit(name, per_second=rate_per_second),
        circuit_open=DeliveryCircuitOpen, rate_limited=DeliveryRateLimited,
    )


@dataclass(frozen=True)
class Receipt:
    provider_message_id: str = ""
