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

from prakerja.notifications.gateways import DeliveryError, Receipt


@dataclass(frozen=True)
class SmsRequest:
    to: str
    text: str
    reference: str


class HttpSmsGateway:
    def __init__(self, *, url: str, api_key: str, timeout: float, sender: str):
        self.url = url
        self.api_key = api_key
        self.timeout = timeout
        self.sender = sender

    def send(self, sms: SmsRequest) -> Receipt:
        try:
            response = httpx.post(
                self.url,
                json={"to": sms.to, "text": sms.text, "sender": self.sender, "reference": sms.reference},
                headers={"Authorization": f"Bearer {self.api_key}"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:  # connect error, timeout, broken read
            raise DeliveryError(f"sms gateway unreachable: {type(exc).__name__}", permanent=False) from exc
        if response.status_code == 200:
            try:
                return Receipt(str(response.json().get("message_id", "")))
            except ValueError:
                return Receipt("")
        # 429 and 5xx are worth a retry; any other 4xx will fail the same way again.
        transient = response.status_code == 429 or response.status_code >= 500
        raise DeliveryError(f"sms gateway answered {response.status_code}", permanent=not transient)


def get_sms_gateway() -> HttpSmsGateway:
    return HttpSmsGateway(
        url=settings.SMS_GATEWAY_URL, api_key=settings.SMS_GATEWAY_API_KEY,
        timeout=settings.SMS_GATEWAY_TIMEOUT, sender=settings.SMS_SENDER_ID,
    )
