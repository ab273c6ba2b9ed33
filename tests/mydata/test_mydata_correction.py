"""PRV-7: a request to correct personal data opens a complaint ticket on the right desk (CMP-1)."""

import pytest
from django.urls import reverse

from prakerja.audit.models import AuditEntry
from prakerja.complaints.models import Ticket

pytestmark = pytest.mark.django_db


def test_a_correction_request_opens_a_ticket_and_leads_to_it(client, registrant):
    client.force_login(registrant)
    assert client.get(reverse("mydata_correction")).status_code == 200
    response = client.post(reverse("mydata_correction"), {
        "field": "ktp_address", "wrong": "RT 01 tertulis RT 10", "right": "Jl. Merdeka 1 RT 01 RW 02",
        "consent": "on"})
    ticket = Ticket.objects.get(user=registrant)
    assert response.status_code == 302 and response["Location"] == reverse("complaint_ticket", args=[ticket.public_id])
    assert (ticket.category, ticket.subcategory) == ("identity", "data_correction")
    assert "RT 01 tertulis RT 10" in ticket.description and "Jl. Merdeka 1 RT 01 RW 02" in ticket.description
    assert ticket.email == registrant.email and ticket.consent_at is not None
    assert AuditEntry.objects.get(action="complaint.open").actor == registrant
    assert client.get(response["Location"]).status_code == 200


def test_a_registration_field_goes_to_the_registration_desk(client, registrant):
    client.force_login(registrant)
    client.post(reverse("mydata_correction"), {"field": "education", "wrong": "SMA", "right": "D3",
                                               "consent": "on"})
    assert Ticket.objects.values_list("category", "subcategory").get() == (
        "registration", "data_correction_registration")


@pytest.mark.parametrize("data", [
    {"field": "nik", "wrong": "salah", "right": "benar"},  # no consent
    {"field": "password", "wrong": "salah", "right": "benar", "consent": "on"},  # not a field
    {"field": "nik", "wrong": "", "right": "benar", "consent": "on"},
])
def test_an_incomplete_request_opens_nothing(client, registrant, data):
    client.force_login(registrant)
    assert client.post(reverse("mydata_correction"), data).status_code == 400
    assert not Ticket.objects.exists()


def test_signed_out_cannot_ask(client):
    assert client.post(reverse("mydata_correction"), {}).status_code == 302
    assert not Ticket.objects.exists()
