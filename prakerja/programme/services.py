from django.db import transaction

from prakerja.audit.services import audit_record
from prakerja.programme.models import Programme


@transaction.atomic(durable=True)
def programme_activate(*, actor, programme: Programme) -> Programme:
    """Make ``programme`` the active period; the previous one is deactivated."""
    rows = list(Programme.objects.select_for_update().order_by("pk"))
    previous = next((p for p in rows if p.is_active), None)
    if previous is not None and previous.pk == programme.pk:
        return previous
    Programme.objects.filter(is_active=True).update(is_active=False)
    Programme.objects.filter(pk=programme.pk).update(is_active=True)
    audit_record(actor=actor, action="programme.activate", target=programme,
                 data={"previous": previous.preset if previous else None, "now": programme.preset})
    programme.refresh_from_db()
    return programme
