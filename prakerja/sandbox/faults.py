import time

from django.db import transaction
from django.db.models import F
from django.http import JsonResponse

from prakerja.sandbox.models import Fault


def take_fault(target: str) -> Fault | None:
    """Consume one injected failure for ``target``, if any (atomic across threads)."""
    with transaction.atomic():
        fault = Fault.objects.filter(target=target, remaining__gt=0).order_by("pk").first()
        if fault is None:
            return None
        Fault.objects.filter(pk=fault.pk).update(remaining=F("remaining") - 1)
        return fault


def fault_response(fault: Fault) -> JsonResponse:
    if fault.mode == "timeout":
        time.sleep(fault.delay)  # longer than the client waits
        return JsonResponse({"error": "timeout"}, status=500)
    status = int(fault.mode)
    return JsonResponse({"error": f"injected {status}"}, status=status)
