"""SMS gateway adapter: an HTTP client for a bulk-SMS provider.

Contract (the sandbox implements it; a provider with another shape gets its
own small client class with the same ``send``):
``POST {SMS_GATEWAY_URL}`` with ``Authorization: Bearer <key>`` and JSON
``{"to": "+62...", "text": "...", "sender": "PRAKERJA", "reference": "..."}``;
``200 {"message_id": "..."}`` on acceptance.
"""

from dataclasses import dataclass

import httpx
from django.conf import settings

from prakerja.notifications.gateways import (
    SLOT_WAIT,
    DeliveryRefused,
    DeliveryUnavailable,
    Receipt,
    delivery_guard,
)


@dataclass(frozen=True)
class SmsRequest:
    to: str
    text: str
    reference: str


class HttpSmsGateway:
    name = "sms_gateway"

    def __init__(self, *, url: str, api_key: str, timeout: float, sender: str, rate_per_second: int,
                 breaker_failures: int, breaker_cooldown: float):
        self.url = url
        self.api_key = api_key
        self.timeout = timeout
        self.sender = sender
        self.guard = delivery_guard(self.name, rate_per_second=rate_per_second, breaker_failures=breaker_failures,
                                    breaker_cooldown=breaker_cooldown, timeout=timeout)

    def send(self, sms: SmsRequest) -> Receipt:
        # One attempt per call: the outbox retries with its own, longer, backoff.
        return self.guard.call(lambda attempt: self._send(sms), slot_wait=SLOT_WAIT)

    def _send(self, sms: SmsRequest) -> Receipt:
        try:
            response = httpx.post(
                self.url,
                json={"to": sms.to, "text": sms.text, "sender": self.sender, "reference": sms.reference},
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:  # connect error, timeout, broken read
            raise DeliveryUnavailable(f"sms gateway unreachable: {type(exc).__name__}") from exc
        if response.status_code == 200:
            try:
                return Receipt(str(response.json().get("message_id", "")))
            except ValueError:
                return Receipt("")
        # 429 and 5xx are worth a retry; any other 4xx will fail the same way again.
        if response.status_code == 429 or response.status_code >= 500:
            raise DeliveryUnavailable(f"sms gateway answered {response.status_code}")
        raise DeliveryRefused(f"sms gateway answered {response.status_code}")


def get_sms_gateway() -> HttpSmsGateway:
    return HttpSmsGateway(
        url=settings.SMS_GATEWAY_URL, api_key=settings.SMS_GATEWAY_API_KEY,
        timeout=settings.SMS_GATEWAY_TIMEOUT, sender=settings.SMS_SENDER_ID,
        rate_per_second=settings.SMS_GATEWAY_RATE_PER_SECOND,
        breaker_failures=settings.SMS_GATEWAY_BREAKER_FAILURES,
        breaker_cooldown=settings.SMS_GATEWAY_BREAKER_COOLDOWN,
    )
