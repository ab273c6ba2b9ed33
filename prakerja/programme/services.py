from datetime import date

from django.db import transaction

from prakerja.audit.services import audit_record
from prakerja.programme.models import Programme, Switches

# What operators may change. ``is_active`` moves only through
# programme_activate (the one-active rule), and ``preset`` names the row.
EDITABLE_FIELDS = (
    "name", "training_balance", "post_training_incentive_amount", "post_training_incentive_count",
    "post_training_incentive_interval_months", "survey_incentive_amount", "survey_count", "survey_payment_days",
    "first_purchase_deadline_days", "min_age", "max_age", "exclude_social_assistance", "max_recipients_per_kk",
    "test_duration_seconds", "test_question_count", "selfie_with_ktp", "balance_expires_on",
)


def _lock_all() -> list[Programme]:
    # Always every row in primary-key order, so two activations never deadlock.
    return list(Programme.objects.select_for_update().order_by("pk"))


def _for_audit(value):
    return value.isoformat() if isinstance(value, date) else value


@transaction.atomic
def programme_activate(*, actor, programme: Programme) -> Programme:
    """Make ``programme`` the active period; the previous one is deactivated."""
    rows = _lock_all()
    target = next((p for p in rows if p.pk == programme.pk), None)
    if target is None:
        raise Programme.DoesNotExist(f"no programme period {programme.pk}")
    previous = next((p for p in rows if p.is_active), None)
    if previous is not None and previous.pk == target.pk:
        return target
    # Deactivate first: the partial unique index is checked per statement.
    Programme.objects.filter(is_active=True).update(is_active=False)
    Programme.objects.filter(pk=target.pk).update(is_active=True)
    target.is_active = True
    audit_record(actor=actor, action="programme.activate", target=target,
                 data={"previous": previous.preset if previous else None, "now": target.preset})
    return target


@transaction.atomic
def programme_update(*, actor, programme: Programme, changes: dict) -> Programme:
    """Change a period's rules; the audit row keeps each old and new value.

    A change to the active period applies to what happens next (the next
    card credited, the next test started); nothing already done is redone.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    changed = {name: (getattr(locked, name), value) for name, value in changes.items()
               if getattr(locked, name) != value}
    if not changed:
        return locked
    for name, (_old, new) in changed.items():
        setattr(locked, name, new)
    locked.save(update_fields=list(changed))
    audit_record(actor=actor, action="programme.update", target=locked,
                 data={name: [_for_audit(old), _for_audit(new)] for name, (old, new) in changed.items()})
    return locked


@transaction.atomic
def switches_set(*, actor, signups_open: bool, joins_open: bool, reason: str) -> Switches:
    """Open or close new accounts and wave joins between programme years (WAV-1)."""
    switches = Switches.objects.select_for_update().get_or_create(pk=1)[0]
    switches.signups_open, switches.joins_open = signups_open, joins_open
    switches.save(update_fields=["signups_open", "joins_open", "updated_at"])
    audit_record(actor=actor, action="switches.set", reason=reason,
                 data={"signups_open": signups_open, "joins_open": joins_open})
    return switches
