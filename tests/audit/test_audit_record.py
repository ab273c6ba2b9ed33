import pytest
from django.db import DatabaseError, IntegrityError, transaction

from prakerja.audit.models import AuditEntry
from prakerja.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_records_who_what_why_in_the_callers_transaction(operator, applicant):
    with transaction.atomic():
        entry = audit_record(actor=operator, action="applicant.suspend", target=applicant,
                             reason="double account", data={"from": "active", "to": "suspended"})
    assert entry.actor == operator and entry.actor_label == operator.email
    assert entry.target_type == "accounts.user" and entry.target_id == str(applicant.public_id)
    assert entry.reason == "double account"


def test_rolls_back_with_the_change(operator, applicant):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=operator, action="x", target=applicant)
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == before


def test_refuses_to_run_outside_a_transaction(operator, django_db_blocker, transactional_db):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor=operator, action="x")


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_the_log_is_append_only_in_the_database(operator, operation):
    with transaction.atomic():
        audit_record(actor=operator, action="x", reason="first")
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        if operation == "update":
            AuditEntry.objects.filter(action="x").update(reason="rewritten")
        else:
            AuditEntry.objects.filter(action="x").delete()
    assert AuditEntry.objects.get(action="x").reason == "first"


def test_system_and_partner_actors(applicant):
    with transaction.atomic():
        system = audit_record(actor=None, action="wave.close")
        partner = audit_record(actor="partner:tokopedia", action="payment.confirm", target=applicant)
    assert system.actor_label == "system" and system.actor is None
    assert partner.actor_label == "partner:tokopedia"


@pytest.mark.django_db(transaction=True)
def test_the_log_is_append_only_again_after_a_flush(operator):
    from django.core.management import call_command
    from django.db import connection

    from prakerja.audit.triggers import SQLITE_ALLOW_DELETE

    if connection.vendor == "sqlite":  # SQLite flushes with DELETE: tests lift the trigger first
        with connection.cursor() as cursor:
            cursor.execute(SQLITE_ALLOW_DELETE)
    call_command("flush", interactive=False, verbosity=0)
    with transaction.atomic():
        audit_record(actor=None, action="x", reason="after flush")
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AuditEntry.objects.filter(action="x").delete()
