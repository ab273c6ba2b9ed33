"""PRV-5: an operator's look at a complaint (the desk's page, the admin's) is a read of the complainant's data, audited
once per operator per ticket per ten minutes and listed for the person by role; the person's own look is not."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from prakerja.audit.models import AuditEntry
from prakerja.mydata.selectors import accesses_of
from tests.accounts.operators import sign_in

pytestmark = pytest.mark.django_db
DESCRIPTION = "Saya tidak bisa masuk ke akun saya sejak kemarin sore."


def desk_views(ticket):
    return AuditEntry.objects.filter(action="complaint.desk_view", target_type="complaints.ticket",
                                     target_id=str(ticket.public_id))


def test_each_operators_look_at_a_ticket_is_one_row_per_ten_minutes(participant, make_ticket):
    ticket = make_ticket(participant)
    agent_client, auditor_client = Client(), Client()
    agent = sign_in(agent_client, "complaints_agent")
    auditor = sign_in(auditor_client, "auditor")
    page = reverse("desk_ticket", args=[ticket.public_id])
    for _load in range(2):  # a refresh is the same look
        response = agent_client.get(page)
        assert response.status_code == 200 and DESCRIPTION in response.content.decode()
    # The agent takes the ticket and sends an empty reply: the page again, the same look (PRV-5 still one row).
    assert agent_client.post(reverse("desk_assign", args=[ticket.public_id]), {"me": "1"}).status_code == 302
    assert agent_client.post(reverse("desk_reply", args=[ticket.public_id]), {"reply-body": ""}).status_code == 400
    assert [(row.actor, row.data) for row in desk_views(ticket)] == [(agent, {"contacts": "shown"})]
    # The auditor's look is their own row, with the contact details masked.
    assert auditor_client.get(page).status_code == 200
    assert auditor_client.get(page).status_code == 200
    assert [(row.actor, row.data) for row in desk_views(ticket).order_by("id")] == [
        (agent, {"contacts": "shown"}), (auditor, {"contacts": "masked"})]
    # Eleven minutes on, a look is a new row: the agent working the ticket is still reading the person's data.
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(minutes=11)):
        assert agent_client.get(page).status_code == 200
    assert desk_views(ticket).filter(actor=agent).count() == 2
    with translation.override("en"):
        listed = [(access.who, access.what) for access in accesses_of(participant)]
    assert listed == [("Complaints agent", "Complaint read on the complaints desk"),
                      ("Auditor", "Complaint read on the complaints desk"),
                      ("Complaints agent", "Complaint read on the complaints desk")]


def test_the_admin_page_of_a_ticket_is_a_look_too(participant, make_ticket):
    ticket = make_ticket(participant)
    agent_client = Client()
    agent = sign_in(agent_client, "complaints_agent")
    change = reverse("admin:complaints_ticket_change", args=[ticket.pk])
    assert agent_client.get(change).status_code == 200
    assert agent_client.get(change).status_code == 200
    rows = AuditEntry.objects.filter(action="complaint.admin_view")
    assert [(row.actor, row.target_id) for row in rows] == [(agent, str(ticket.public_id))]
    with translation.override("en"):
        assert [(a.who, a.what) for a in accesses_of(participant)] == [
            ("Complaints agent", "Complaint record opened in the administration")]


def test_the_persons_own_look_at_their_ticket_is_not_an_access(client, participant, make_ticket):
    ticket = make_ticket(participant)
    client.force_login(participant)
    response = client.get(reverse("complaint_ticket", args=[ticket.public_id]))
    assert response.status_code == 200 and DESCRIPTION in response.content.decode()
    assert not AuditEntry.objects.filter(action__in=["complaint.desk_view", "complaint.admin_view"]).exists()
    assert accesses_of(participant) == []


def test_another_persons_ticket_is_not_listed(participant, make_ticket, make_user):
    other = make_user(email="budi@example.id", full_name="Budi")
    theirs = make_ticket(other)
    agent_client = Client()
    sign_in(agent_client, "complaints_agent")
    assert agent_client.get(reverse("desk_ticket", args=[theirs.public_id])).status_code == 200
    assert accesses_of(participant) == []
    assert len(accesses_of(other)) == 1
