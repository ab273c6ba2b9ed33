"""Request parsing shared by the sandbox's endpoints (outbox, SMS gateway, Dukcapil)."""

import json


def json_body(request) -> dict | None:
    """The request's JSON object, or None when the body is not one."""
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
