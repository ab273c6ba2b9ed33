"""PRV-5: an operator's read of a person's data is an audit row the person sees ("Siapa yang mengakses data saya").

A page that shows someone's personal data to an operator calls ``audit_read``
(or, for a Django admin change page, uses ``ReadAuditedAdmin``). A refresh,
or going back and forth between a record and its parts, is one look, not
many rows: one row per operator, per action, per record, per ``READ_QUIET``.
A typed reason (a NIK reveal, a photo) is a deliberate act and is recorded
every time with ``audit_record`` instead.
"""

from datetime import timedelta

from django.db import models, transaction
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.audit.services import audit_record

READ_QUIET = timedelta(minutes=10)


def audit_read(*, actor, action: str, target: models.Model, data: dict | None = None,
               quiet: timedelta = READ_QUIET) -> AuditEntry | None:
    """Record that ``actor`` (an operator) read ``target``, unless they did within ``quiet``; the new row or None.

    A look already on record costs one indexed query (target, time) and no
    transaction; a new one is written in its own (a savepoint inside the
    caller's). Two requests racing the same look may both write: two rows
    for one look, never none.
    """
    target_id = str(getattr(target, "public_id", None) or target.pk)  # as audit_record names it
    recent = AuditEntry.objects.filter(target_type=target._meta.label_lower, target_id=target_id, action=action,
                                       actor=actor, created_at__gte=timezone.now() - quiet)
    if recent.exists():
        return None
    with transaction.atomic():
        return audit_record(actor=actor, action=action, target=target, data=data)


class ReadAuditedAdmin:
    """A ModelAdmin mixin: opening a record's change page is an audited read of a person's data (PRV-5).

    Set ``read_action``; ``read_data(obj)`` adds the row's details (such as
    the purchase it belongs to, so the person's list finds it).
    """

    read_action = ""

    def read_data(self, obj) -> dict:
        return {}

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = (getattr(response, "context_data", None) or {}).get("original")
            if obj is None:
                obj = self.get_object(request, object_id)
            if obj is not None:
                audit_read(actor=request.user, action=self.read_action, target=obj, data=self.read_data(obj))
        return response
