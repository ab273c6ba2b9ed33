"""PRV-8: the audit log is append-only and outlives a participant's data, so no row may name them.

A row's target label is ``str(target)``; for an account that is the email
(``User.__str__``). A participant's account is labelled by public ID, as a
participant actor already is; an operator's keeps the email (who was given
or lost access is what the log is for).
"""

from django.db import transaction

from prakerja.audit.services import audit_record
from tests.accounts.operators import make_operator


def record(**kwargs):
    with transaction.atomic():
        return audit_record(action="test.label", **kwargs)


def test_a_participant_target_is_labelled_by_public_id(applicant):
    entry = record(actor="system", target=applicant)
    assert entry.target_label == f"participant:{applicant.public_id}"
    assert applicant.email not in entry.target_label + entry.actor_label
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(applicant.public_id))


def test_a_participant_acting_on_themselves_leaves_no_email(applicant):
    entry = record(actor=applicant, target=applicant)  # as mydata.export does (PRV-6)
    assert entry.actor_label == entry.target_label == f"participant:{applicant.public_id}"


def test_an_operator_target_keeps_the_email(db):
    operator = make_operator("finance")
    assert record(actor="system", target=operator).target_label == operator.email


def test_other_targets_keep_their_own_label(applicant):
    from django.utils import timezone

    from prakerja.retention.models import DeletionRequest

    now = timezone.now()
    request = DeletionRequest.objects.create(user=applicant, requested_at=now, checked_at=now, status="done")
    assert record(actor="system", target=request).target_label == str(request)
