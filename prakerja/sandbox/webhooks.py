"""The demo platforms' webhook endpoint: what a platform's receiver does with our signed POSTs.

``POST /webhooks/<code>`` checks the request as docs/partner-api.md says a
platform should: the client code is its own, the timestamp is within 300 s,
and the signature verifies under the secret the demo data gave that platform
(``sandbox-secret`` for tokopedia, ``sandbox-<code>`` for the others). A
good webhook lands in the outbox (channel ``webhook``, addressed to the
platform's code): like an email or an SMS, it is something the platform sent
to the outside world, so it needs no table of its own. ``X-Webhook-Id``
drops a repeat, as a real receiver should. ``GET /webhooks`` lists them.
Faults injected for target ``webhook`` answer instead (retry tests).
"""

import hmac
import json
import time

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from prakerja.partners import signing
from prakerja.sandbox.faults import fault_response, take_fault
from prakerja.sandbox.models import OutboxMessage

TOLERANCE = 300
CHANNEL = "webhook"


def demo_secret(code: str) -> str:
    return "sandbox-secret" if code == "tokopedia" else f"sandbox-{code}"  # noqa: S105 - demo data's secrets


def _refused(reason: str) -> JsonResponse:
    return JsonResponse({"error": {"code": "unauthorized", "message": reason}}, status=401)


@csrf_exempt
@require_POST
def receive(request, code: str):
    if request.headers.get("X-Client-Code") != code:
        return _refused("X-Client-Code is not this platform's code")
    timestamp = request.headers.get("X-Timestamp", "")
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE:
        return _refused("X-Timestamp is missing or more than 300 s away")
    expected = signing.signature(demo_secret(code), client_code=code, timestamp=timestamp, method="POST",
                                 path=request.path, body=request.body)
    if not hmac.compare_digest(expected, request.headers.get("X-Signature", "")):
        return _refused("bad signature")
    fault = take_fault(CHANNEL)
    if fault is not None:
        return fault_response(fault)
    webhook_id = request.headers.get("X-Webhook-Id", "").strip()[:64]
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"error": {"code": "invalid_request", "message": "body is not JSON"}}, status=400)
    event = payload.get("event", "") if isinstance(payload, dict) else ""
    subject = f"{event} {webhook_id}".strip()
    if webhook_id and OutboxMessage.objects.filter(channel=CHANNEL, to=code, subject=subject).exists():
        return JsonResponse({"received": webhook_id, "duplicate": True})
    OutboxMessage.objects.create(channel=CHANNEL, to=code, subject=subject,
                                 body=json.dumps(payload, ensure_ascii=False, indent=2))
    return JsonResponse({"received": webhook_id, "duplicate": False})


@require_GET
def received(request):
    webhooks = OutboxMessage.objects.filter(channel=CHANNEL)[:200]
    return render(request, "sandbox/webhooks.html", {"webhooks": webhooks})


urlpatterns = [
    path("webhooks", received, name="sandbox_webhooks"),
    path("webhooks/<slug:code>", receive),
]
