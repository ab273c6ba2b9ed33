"""CMP-1: "Formulir Pengaduan" for a signed-in participant: prefilled contact, sub-categories grouped by
category without JavaScript, the checks and their messages beside the fields, the ticket number at once,
and the certificate category only after TRN-4's seven business days (CMP-2), with the day it opens shown.
"""

import re
from datetime import timedelta

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone, translation

from prakerja.complaints.categories import SUBCATEGORIES
from prakerja.complaints.models import Source, Ticket, TicketStatus
from prakerja.learning.completions import certificate_window
from prakerja.notifications.models import Message
from tests.complaints.conftest import PHONE
from tests.learning.conftest import announced_wave, card, issue, watched  # noqa: F401
from tests.learning.trainings import purchase
from tests.partners.conftest import listing, make_listing, platform, provider, ready_card  # noqa: F401

pytestmark = pytest.mark.django_db

FORM = reverse("complaint_form")


def fields(**overrides) -> dict:
    return {"name": "Siti Rahmawati", "phone": "0812 3456 7890", "subcategory": "cannot_sign_in",
            "description": "Saya tidak bisa masuk ke akun saya sejak kemarin sore.", "consent": "on", **overrides}


@pytest.fixture
def signed_in(client, participant):
    client.force_login(participant)
    client.cookies["django_language"] = "en"
    return client


def test_the_form_is_prefilled_from_the_account(signed_in, participant):
    page = signed_in.get(FORM).content.decode()
    assert "<h1>Complaint form</h1>" in page
    assert 'value="Siti Rahmawati"' in page and f'value="{PHONE}"' in page  # the verified phone (REG-5)
    assert participant.email in page and 'name="email"' not in page  # the account's own address, not editable
    assert 'enctype="multipart/form-data"' in page and 'type="file" name="evidence"' in page and "multiple" in page


def test_the_form_is_in_indonesian_by_default(client, participant):
    client.force_login(participant)
    assert "<h1>Formulir Pengaduan</h1>" in client.get(FORM).content.decode()


def test_sub_categories_are_grouped_by_category_without_javascript(signed_in):
    page = signed_in.get(FORM).content.decode()
    groups = re.findall(r'<optgroup label="([^"]+)">', page)
    assert groups == ["Registration", "NIK/KK verification", "Wave and selection", "Induction videos",
                      "Training purchase", "Certificate", "Incentive", "Payout account", "Other"]
    assert "completion_held" not in page and "incentive_held" not in page  # the system's own, never offered
    assert "<script" not in page


@pytest.mark.parametrize(("query", "chosen"), [
    ("certificate", "certificate_missing"), ("incentive", "incentive_missing"), ("redeem_code", "redeem_code"),
    ("nonsense", None), ("completion_held", None)])
def test_a_category_in_the_address_is_preselected(signed_in, query, chosen):
    page = signed_in.get(FORM, {"kategori": query}).content.decode()
    select = re.search(r'<select name="subcategory".*?</select>', page, re.S).group(0)
    selected = re.findall(r'<option value="([^"]*)" selected>', select)
    assert selected == ([chosen] if chosen else [""])


def test_a_complaint_opens_a_ticket_with_a_number_and_tells_the_participant(signed_in, participant):
    response = signed_in.post(FORM, fields(phone="081298765432"))
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("complaint_ticket",
                                                                          args=[ticket.public_id])
    assert re.fullmatch(r"PGD-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", ticket.number)
    assert (ticket.user, ticket.source, ticket.status) == (participant, Source.PARTICIPANT, TicketStatus.RECEIVED)
    assert (ticket.category, ticket.subcategory) == ("registration", "cannot_sign_in")
    assert (ticket.name, ticket.phone, ticket.email) == ("Siti Rahmawati", "+6281298765432", participant.email)
    assert ticket.consent_at is not None
    page = signed_in.get(response["Location"]).content.decode()
    assert f"Your ticket number is {ticket.number}" in page
    told = Message.objects.filter(template="complaint_received", user=participant)
    assert sorted(told.values_list("channel", flat=True)) == ["email", "inbox"]
    assert all(ticket.number in m.body for m in told)


def test_an_empty_form_says_what_is_missing_beside_each_field(signed_in):
    response = signed_in.post(FORM, {})
    page = response.content.decode()
    assert response.status_code == 200 and not Ticket.objects.exists()
    for field, message in [("name", "Write your full name."),
                           ("phone", "Enter a mobile number such as 0812 3456 7890."),
                           ("subcategory", "Choose a category and a sub-category from the list."),
                           ("description", "Describe what happened."),
                           ("consent", "Tick the consent box to send the complaint.")]:
        assert f'id="id_{field}_error"' in page and message in page, field
        tag = re.search(rf'<(?:input|select|textarea)[^>]*name="{field}"[^>]*>', page).group(0)
        assert f"id_{field}_error" in tag and 'aria-invalid="true"' in tag, field


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"consent": ""}, "consent", "Tick the consent box to send the complaint."),
    ({"subcategory": "completion_held"}, "subcategory", "Choose a category and a sub-category from the list."),
    ({"subcategory": "registration"}, "subcategory", "Choose a category and a sub-category from the list."),
    ({"phone": "021 555 1234"}, "phone", "Enter an Indonesian mobile number such as 0812 3456 7890."),
    ({"phone": "halo"}, "phone", "Enter a mobile number such as 0812 3456 7890."),
    ({"name": "Siti 123"}, "name", "Write your full name, letters only."),
    ({"description": "tolong"}, "description", "Describe what happened in at least 20 characters."),
    ({"description": "x" * 4001}, "description", "A message has at most 4000 characters."),
])
def test_bad_input_is_refused_beside_its_field(signed_in, overrides, field, message):
    response = signed_in.post(FORM, fields(**overrides))
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert response.context["form"].errors[field] == [message]


def test_the_category_follows_the_sub_category(signed_in, settings):
    settings.COMPLAINTS_PER_ACCOUNT_PER_DAY = settings.COMPLAINTS_PER_EMAIL_PER_DAY = 20
    for category, choices in SUBCATEGORIES.items():
        signed_in.post(FORM, fields(subcategory=choices[-1][0]))
        if category == "certificate":
            continue  # refused without a finished training: below
        assert Ticket.objects.filter(category=category, subcategory=choices[-1][0]).exists(), category


# --- the certificate category (CMP-2, TRN-4) ----------------------------------------------------------

def test_a_certificate_complaint_without_any_training_is_refused(signed_in):
    page = signed_in.get(FORM, {"kategori": "certificate"}).content.decode()
    assert "we found none without a certificate on this account" in page
    response = signed_in.post(FORM, fields(subcategory="certificate_missing"))
    assert response.context["form"].errors["subcategory"] == [
        "A certificate complaint is about a training you have redeemed and finished; we found none without a "
        "certificate on this account."]
    assert not Ticket.objects.exists()


def test_a_certificate_complaint_within_seven_business_days_is_refused_with_the_day_it_opens(
        client, ready_card, listing):  # noqa: F811
    reported_at = timezone.now() - timedelta(days=1)
    purchase(ready_card, listing, state="held", reported_at=reported_at)
    client.force_login(ready_card.user)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        day = date_filter(certificate_window(reported_at).complaint_from, "j F Y")
    note = f"A certificate can take up to 7 business days to appear. You can file a certificate complaint from {day}."
    page = client.get(FORM, {"kategori": "certificate"}).content.decode()
    assert note in page
    assert re.search(r'<select name="subcategory"[^>]*aria-describedby="id_subcategory_helptext"', page)
    response = client.post(FORM, fields(subcategory="certificate_missing"))
    assert response.context["form"].errors["subcategory"] == [note]
    assert not Ticket.objects.exists()
    # Other categories are not held back by the window.
    assert client.post(FORM, fields(subcategory="redeem_code")).status_code == 302


def test_a_certificate_complaint_after_seven_business_days_is_accepted(client, ready_card, listing):  # noqa: F811
    purchase(ready_card, listing, state="held", reported_at=timezone.now() - timedelta(days=30))
    client.force_login(ready_card.user)
    client.cookies["django_language"] = "en"
    page = client.get(FORM, {"kategori": "certificate"}).content.decode()
    assert "You can file a certificate complaint from" not in page
    response = client.post(FORM, fields(subcategory="certificate_missing"))
    assert response.status_code == 302
    assert Ticket.objects.get().category == "certificate"


def test_a_redeemed_training_without_a_report_counts_from_the_redemption(client, ready_card, listing):  # noqa: F811
    purchase(ready_card, listing, state="redeemed", paid_at=timezone.now() - timedelta(hours=3))
    client.force_login(ready_card.user)
    client.cookies["django_language"] = "en"
    assert client.post(FORM, fields(subcategory="certificate_missing")).status_code == 200
    assert not Ticket.objects.exists()


def test_the_old_complaint_link_leads_here_with_the_certificate_chosen(signed_in):
    response = signed_in.get(reverse("complaint_placeholder"), follow=True)
    assert response.redirect_chain == [(FORM + "?kategori=certificate", 302)]
    assert '<option value="certificate_missing" selected>' in response.content.decode()
