import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

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


@pytest.mark.parametrize("operation", ["update", "delete", "delete all"])
def test_the_log_is_append_only_in_the_database(operator, operation):
    with transaction.atomic():
        audit_record(actor=operator, action="x", reason="first")
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        if operation == "update":
            AuditEntry.objects.filter(action="x").update(reason="rewritten")
        elif operation == "delete":
            AuditEntry.objects.filter(action="x").delete()
        else:  # SQLite's stand-in for TRUNCATE
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_auditentry")
    assert AuditEntry.objects.get(action="x").reason == "first"


@pytest.mark.postgres
# Committed rows, as an attacker would meet them: inside the test transaction
# PostgreSQL refuses TRUNCATE for the pending foreign-key checks, before any
# trigger. One test for all three forms: each transactional test costs a flush.
@pytest.mark.django_db(transaction=True)
def test_truncate_is_refused(operator, postgres_only):
    with transaction.atomic():
        audit_record(actor=operator, action="x", reason="first")
    for statement in ["TRUNCATE audit_auditentry", "TRUNCATE audit_auditentry RESTART IDENTITY CASCADE",
                      "TRUNCATE accounts_user CASCADE"]:  # the last reaches the log through its actor key
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.filter(action="x").count() == 1


def test_system_and_partner_actors(applicant):
    with transaction.atomic():
        system = audit_record(actor=None, action="wave.close")
        partner = audit_record(actor="partner:tokopedia", action="payment.confirm", target=applicant)
    assert system.actor_label == "system" and system.actor is None
    assert partner.actor_label == "partner:tokopedia"


@pytest.mark.django_db(transaction=True)
def test_the_log_is_append_only_again_after_a_flush(operator):
    from django.core.management import call_command

    from prakerja.audit.triggers import allow_flush

    allow_flush(connection)  # as the transactional tests' teardown does
    call_command("flush", interactive=False, verbosity=0)
    with transaction.atomic():
        audit_record(actor=None, action="x", reason="after flush")
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AuditEntry.objects.filter(action="x").delete()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditentry")
    assert AuditEntry.objects.filter(action="x").exists()


def test_a_participant_is_logged_by_public_id_never_by_email(applicant):
    """PRV: audit rows are kept for good; a participant's email would outlive their anonymised account."""
    from django.db import transaction

    from prakerja.audit.services import audit_record

    with transaction.atomic():
        entry = audit_record(actor=applicant, action="review.submit")
    assert entry.actor == applicant and entry.actor_label == f"participant:{applicant.public_id}"
    assert applicant.email not in entry.actor_label
