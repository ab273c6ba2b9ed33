from typing import Any

from django.db import models, transaction

from prakerja.audit.models import AuditEntry

SYSTEM = "system"


def _actor_fields(actor) -> tuple[Any, str]:
    if actor is None or actor == SYSTEM:
        return None, SYSTEM
    if isinstance(actor, str):  # a partner, "partner:<client code>"
        return None, actor
    return actor, actor.email


def audit_record(*, actor, action: str, target: models.Model | None = None, reason: str = "",
                 data: dict | None = None) -> AuditEntry:
    """Write one audit row in the caller's transaction.

    Must be called inside the transaction of the change it records, so the
    change and its audit row commit or roll back together (STYLE.md 2).
    ``data`` must not hold personal data in clear (mask NIK, phone).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    user, label = _actor_fields(actor)
    target_type = target_id = target_label = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(getattr(target, "public_id", None) or target.pk)
        target_label = str(target)[:200]
    return AuditEntry.objects.create(
        actor=user, actor_label=label[:200], action=action, target_type=target_type,
        target_id=target_id, target_label=target_label, reason=reason, data=data or {},
    )
