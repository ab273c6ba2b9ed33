"""The sandbox civil registry: what Dukcapil's verification service answers.

``POST /dukcapil/verify`` with a bearer key and ``{"nik", "kk", "name",
"birth_date": "YYYY-MM-DD"}`` answers ``{"match": bool, "reasons": [...]}``
from the synthetic population (``population.py``). Injected faults with the
target ``dukcapil`` come first, like the SMS gateway's.
"""

import hmac
from datetime import date

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from prakerja.sandbox.faults import fault_response, take_fault
from prakerja.sandbox.http import json_body
from prakerja.sandbox.models import Person
from prakerja.sandbox.population import demo_niks

FIELDS = ("nik", "kk", "name", "birth_date")


def _same_name(a: str, b: str) -> bool:
    # The registry's spelling wins, but not its case or spacing.
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@csrf_exempt
@require_POST
def verify(request):
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {settings.DUKCAPIL_API_KEY}".encode()):
        return JsonResponse({"error": "unauthorized"}, status=401)
    fault = take_fault("dukcapil")
    if fault is not None:
        return fault_response(fault)
    body = json_body(request)
    if body is None or not all(isinstance(body.get(k), str) and body[k].strip() for k in FIELDS):
        return JsonResponse({"error": "nik, kk, name and birth_date (YYYY-MM-DD) are required strings"}, status=400)
    try:
        birth_date = date.fromisoformat(body["birth_date"])
    except ValueError:
        return JsonResponse({"error": "birth_date must be YYYY-MM-DD"}, status=400)
    person = Person.objects.filter(nik=body["nik"].strip()).first()
    if person is None:
        return JsonResponse({"match": False, "reasons": ["nik_not_found"]})
    reasons = []
    if person.kk != body["kk"].strip():
        reasons.append("kk_mismatch")
    if not _same_name(person.name, body["name"]):
        reasons.append("name_mismatch")
    if person.birth_date != birth_date:
        reasons.append("birth_date_mismatch")
    return JsonResponse({"match": not reasons, "reasons": reasons})


@require_GET
def people(request):
    """A few residents, the demo ones first: a sandbox-only helper for demos and tests."""
    try:
        limit = min(max(int(request.GET.get("limit") or 20), 1), 500)
    except ValueError:
        return JsonResponse({"error": "limit must be a number"}, status=400)
    demo = list(demo_people())
    rest = Person.objects.exclude(pk__in=[p.pk for p in demo]).order_by("pk")[: max(0, limit - len(demo))]
    return JsonResponse([p.as_dict() for p in [*demo, *rest][:limit]], safe=False)


def demo_people():
    order = {nik: i for i, nik in enumerate(demo_niks())}
    return sorted(Person.objects.filter(nik__in=list(order)), key=lambda p: order[p.nik])
