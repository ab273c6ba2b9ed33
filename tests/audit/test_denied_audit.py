"""Issue 20: an operator refused a page (403) leaves an audit row; a flood of refusals is capped."""

import pytest

from prakerja.audit.middleware import DENIED_AUDITS_PER_MINUTE
from prakerja.audit.models import AuditEntry
from tests.accounts.operators import sign_in

QUEUE = "/operators/trainings/completions/"  # needs learning.view_completion; the verifier lacks it


def denied():
    return AuditEntry.objects.filter(action="operator.denied")


def test_a_refused_operator_is_audited(client, db):
    verifier = sign_in(client, "verifier")
    response = client.get(QUEUE + "?status=held&q=3273010101950001")
    assert response.status_code == 403
    entry = denied().get()
    assert entry.actor_id == verifier.pk
    assert entry.data == {"path": QUEUE, "method": "GET"}  # never the query string


def test_a_refused_admin_page_is_audited(client, db):
    sign_in(client, "finance")
    assert client.get("/admin/registry/profile/").status_code == 403
    assert denied().count() == 1


def test_an_allowed_page_writes_nothing(client, db):
    sign_in(client, "partner_manager")
    assert client.get(QUEUE).status_code == 200
    assert not denied().exists()


def test_a_participant_refused_is_not_an_operator_action(client, applicant):
    client.force_login(applicant)
    assert client.get(QUEUE).status_code == 403
    assert not denied().exists()


@pytest.mark.django_db(transaction=True)
def test_a_flood_of_refusals_fills_the_log_only_up_to_the_cap(client):
    sign_in(client, "verifier")
    for _ in range(DENIED_AUDITS_PER_MINUTE.limit + 5):
        assert client.get(QUEUE).status_code == 403
    assert denied().count() == DENIED_AUDITS_PER_MINUTE.limit
