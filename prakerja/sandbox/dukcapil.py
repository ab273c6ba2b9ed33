"""The sandbox civil registry: what Dukcapil's verification service answers."""

from datetime import date

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from prakerja.sandbox.faults import fault_response, take_fault
from prakerja.sandbox.models import Person
from prakerja.sandbox.views import _json_body


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@csrf_exempt
@require_POST
def verify(request):
    if request.headers.get("Authorization") != f"Bearer {settings.DUKCAPIL_API_KEY}":
        return JsonResponse({"error": "unauthorized"}, status=401)
    fault = take_fault("dukcapil")
    if fault is not None:
        return fault_response(fault)
    body = _json_body(request)
    try:
        nik, kk, name = (str(body[k]) for k in ("nik", "kk", "name"))
        birth_date = date.fromisoformat(str(body["birth_date"]))
    except (TypeError, KeyError, ValueError):
        return JsonResponse({"error": "nik, kk, name and birth_date (YYYY-MM-DD) are required"}, status=400)
    person = Person.objects.filter(nik=nik).first()
    if person is None:
        return JsonResponse({"match": False, "reasons": ["nik_not_found"]})
    reasons = []
    if person.kk != kk:
        reasons.append("kk_mismatch")
    if not _same_name(person.name, name):
        reasons.append("name_mismatch")
    if person.birth_date != birth_date:
        reasons.append("birth_date_mismatch")
    return JsonResponse({"match": not reasons, "reasons": reasons})


@require_GET
def people(request):
    """A few residents, demo ones first: for demos and tests only."""
    limit = min(int(request.GET.get("limit", 20) or 20), 500)
    demo = list(Person.objects.filter(pk__in=demo_ids())) if request.GET.get("demo", "1") == "1" else []
    rest = list(Person.objects.exclude(pk__in=[p.pk for p in demo]).order_by("pk")[: max(0, limit - len(demo))])
    return JsonResponse([{"nik": p.nik, "kk": p.kk, "name": p.name, "birth_date": p.birth_date.isoformat(),
                          "female": p.female} for p in (demo + rest)[:limit]], safe=False)


def demo_ids() -> list[int]:
    from prakerja.sandbox.population import DEMO_CSV

    niks = [line.split(",")[0] for line in DEMO_CSV.read_text().splitlines()[1:] if line]
    return list(Person.objects.filter(nik__in=niks).values_list("pk", flat=True))
