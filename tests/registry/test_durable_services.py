"""Services that must commit on their own refuse to run inside a caller's transaction (issue 15, item 3).

identity_submit saves before it calls the civil registry; phone_send_code and
phone_verify keep a lock or a wrong-code count while refusing. Inside a
caller's transaction those guarantees would silently go, so they refuse.
Transactional tests: pytest-django's usual test transaction relaxes the check.
"""

import pytest
from django.db import transaction

from prakerja.audit.services import audit_record
from prakerja.registry.models import Profile
from prakerja.registry.services.identity import identity_submit
from prakerja.registry.services.phone import phone_send_code, phone_verify
from tests.registry.conftest import BIRTH, KK, NIK

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_audit_log_refuses_to_record_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_record(actor="system", action="nothing")


@pytest.mark.parametrize("call", [
    lambda user: identity_submit(actor=user, nik=NIK, kk=KK, birth_date=BIRTH, full_name=user.full_name),
    lambda user: phone_send_code(actor=user, phone="0812 3456 7890"),
    lambda user: phone_verify(actor=user, code="123456"),
], ids=["identity_submit", "phone_send_code", "phone_verify"])
def test_services_that_must_commit_on_their_own_refuse_a_callers_transaction(applicant, civil, call):
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        call(applicant)
    assert civil.calls == []
    assert not Profile.objects.exclude(identity_status="not_started").exists()
