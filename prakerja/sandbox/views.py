import uuid

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prakerja.sandbox.dukcapil import demo_people
from prakerja.sandbox.faults import fault_response, take_fault
from prakerja.sandbox.http import json_body
from prakerja.sandbox.models import Fault, OutboxMessage

FAULT_MODES = {"500", "503", "429", "400", "timeout"}


def _messages(request):
    to = request.GET.get("to", "").strip()
    queryset = OutboxMessage.objects.all()
    if to:
        queryset = queryset.filter(to__iexact=to)
    return to, queryset[:200]


@require_GET
def index(request):
    return render(request, "sandbox/index.html", {"demo": demo_people()})


@require_http_methods(["GET", "DELETE"])
@csrf_exempt
def outbox(request):
    if request.method == "DELETE":
        OutboxMessage.objects.all().delete()
        return HttpResponse(status=204)
    to, messages = _messages(request)
    return render(request, "sandbox/outbox.html", {"to": to, "messages": messages})


@require_GET
def outbox_json(request):
    _to, messages = _messages(request)
    return JsonResponse([m.as_dict() for m in messages], safe=False)


@csrf_exempt
@require_POST
def sms_send(request):
    """The SMS gateway: what a bulk-SMS provider's send endpoint does."""
    if request.headers.get("Authorization") != f"Bearer {settings.SMS_API_KEY}":
        return JsonResponse({"error": "unauthorized"}, status=401)
    fault = take_fault("sms")
    if fault is not None:
        return fault_response(fault)
    body = json_body(request)
    if not body or not isinstance(body.get("to"), str) or not isinstance(body.get("text"), str):
        return JsonResponse({"error": "to and text are required"}, status=400)
    OutboxMessage.objects.create(channel="sms", to=body["to"].strip(), body=body["text"])
    return JsonResponse({"message_id": str(uuid.uuid4())})


@csrf_exempt
@require_http_methods(["GET", "POST", "DELETE"])
def faults(request):
    if request.method == "GET":  # what is still waiting: lets a test prove a call was not made
        waiting = Fault.objects.filter(remaining__gt=0).order_by("pk")
        if request.GET.get("target"):
            waiting = waiting.filter(target=request.GET["target"])
        return JsonResponse([{"id": f.pk, "target": f.target, "mode": f.mode, "remaining": f.remaining}
                             for f in waiting], safe=False)
    if request.method == "DELETE":
        Fault.objects.all().delete()
        return HttpResponse(status=204)
    body = json_body(request) or {}
    mode, target = str(body.get("mode", "")), body.get("target")
    if mode not in FAULT_MODES or not isinstance(target, str):
        return JsonResponse({"error": f"target and mode ({', '.join(sorted(FAULT_MODES))}) are required"},
                            status=400)
    try:
        remaining, delay = int(body.get("count", 1)), float(body.get("delay", 10))
    except (TypeError, ValueError):
        return JsonResponse({"error": "count must be an integer and delay a number"}, status=400)
    fault = Fault.objects.create(target=target, mode=mode, remaining=max(remaining, 0), delay=delay)
    return JsonResponse({"id": fault.pk}, status=201)
