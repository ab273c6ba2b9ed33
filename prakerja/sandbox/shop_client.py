"""The sandbox's adapter to the Prakerja partner API (docs/partner-api.md), as a partner writes one.

The demo shop calls it as the platform Tokopedia; the provider desk
(provider.py) as one of the demo training providers, with that provider's
client code and secret. Signed with the partner's own secret over plain
HTTP; nothing here touches the platform's database. Three outcomes per call: the answer's JSON, an
``ApiError`` carrying the contract's error body (its Indonesian ``message``
is for the shopper), or ``ApiUnreachable`` when no usable answer came back
(connection refused, timeout, a 5xx without the contract's body): the call
may or may not have happened, so the caller retries with the same
Idempotency-Key.
"""

import json
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from django.conf import settings

from prakerja.partners import signing


@dataclass
class ApiError(Exception):
    """A refusal in the contract's shape: ``{"error": {"code", "message", ...}}``."""

    status: int
    code: str
    message: str
    extra: dict = field(default_factory=dict)

    def __str__(self):
        return f"{self.status} {self.code}: {self.message}"


class ApiUnreachable(Exception):
    """No answer we can read; worth a retry with the same Idempotency-Key."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.reason, self.status = reason, status


class PartnerApi:
    def __init__(self, *, base_url: str, client_code: str, secret: str, timeout: float = 10.0,
                 transport: httpx.BaseTransport | None = None):
        self.base_url, self.client_code, self.secret = base_url.rstrip("/"), client_code, secret
        self.timeout, self.transport = timeout, transport

    @classmethod
    def from_settings(cls) -> "PartnerApi":
        return cls(base_url=settings.SHOP_API_URL, client_code=settings.SHOP_CLIENT_CODE,
                   secret=settings.SHOP_SECRET, timeout=settings.SHOP_API_TIMEOUT)

    @classmethod
    def as_partner(cls, client_code: str, secret: str) -> "PartnerApi":
        """Another partner (a training provider at the desk) calling the same API."""
        return cls(base_url=settings.SHOP_API_URL, client_code=client_code, secret=secret,
                   timeout=settings.SHOP_API_TIMEOUT)

    def call(self, method: str, path: str, payload: dict | None = None, *, key: str | None = None) -> dict:
        url = self.base_url + path
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        # The signature covers the path as the server sees it: the base URL's own prefix included.
        headers = signing.headers(self.secret, client_code=self.client_code, timestamp=int(time.time()),
                                  method=method, path=urlsplit(url).path, body=body)
        headers["Accept"] = "application/json"
        if method == "POST":
            headers["Content-Type"] = "application/json"
            headers["Idempotency-Key"] = key or ""
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                response = client.request(method, url, content=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise ApiUnreachable("timeout") from exc
        except httpx.HTTPError as exc:
            raise ApiUnreachable("connection") from exc
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if response.is_success:
            if not isinstance(answer, dict):
                raise ApiUnreachable("unreadable answer", response.status_code)
            return answer
        error = answer.get("error") if isinstance(answer, dict) else None
        if not isinstance(error, dict) or not isinstance(error.get("code"), str):
            raise ApiUnreachable("answer without the contract's error body", response.status_code)
        extra = {k: v for k, v in error.items() if k not in ("code", "message")}
        raise ApiError(response.status_code, error["code"], str(error.get("message") or error["code"]), extra)

    def start_payment(self, *, card_number: str, listing_code: str, order_number: str, user_id: str,
                      buyer: dict, key: str) -> dict:
        return self.call("POST", "/payments", {
            "card_number": card_number, "listing_code": listing_code, "platform_order_id": order_number,
            "platform_user_id": user_id, "buyer": buyer}, key=key)

    def confirm(self, payment_id: str, *, otp: str, key: str) -> dict:
        return self.call("POST", f"/payments/{payment_id}/confirm", {"otp": otp}, key=key)

    def cancel(self, payment_id: str, *, key: str) -> dict:
        return self.call("POST", f"/payments/{payment_id}/cancel", {}, key=key)

    def payment(self, payment_id: str) -> dict:
        return self.call("GET", f"/payments/{payment_id}")

    # --- provider endpoints ---

    def redemption_status(self, redeem_code: str, *, key: str) -> dict:
        return self.call("POST", "/redemptions/status", {"redeem_code": redeem_code}, key=key)

    def redemption_commit(self, redeem_code: str, *, key: str) -> dict:
        return self.call("POST", "/redemptions/commit", {"redeem_code": redeem_code}, key=key)

    def report_completion(self, *, redeem_code: str, completed_at: str, certificate_number: str,
                          certificate_url: str, score: int | None, participant: dict, key: str) -> dict:
        return self.call("POST", "/completions", {
            "redeem_code": redeem_code, "completed_at": completed_at, "certificate_number": certificate_number,
            "certificate_url": certificate_url, "score": score, "participant": participant}, key=key)
