"""The partner API's signature (docs/partner-api.md): the same for requests to us and webhooks from us."""

import hashlib
import hmac


def signature(secret: str, *, client_code: str, timestamp: str, method: str, path: str, body: bytes) -> str:
    """Lowercase hex of HMAC-SHA256(secret, client_code + timestamp + METHOD + path + body)."""
    message = f"{client_code}{timestamp}{method.upper()}{path}".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def headers(secret: str, *, client_code: str, timestamp: int, method: str, path: str, body: bytes) -> dict:
    return {"X-Client-Code": client_code, "X-Timestamp": str(timestamp),
            "X-Signature": signature(secret, client_code=client_code, timestamp=str(timestamp), method=method,
                                     path=path, body=body)}
