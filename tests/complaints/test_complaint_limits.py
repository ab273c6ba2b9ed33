"""CMP-1, a complaint flood: complaints are limited per account, per email address and per client address;
the client is the one our own proxy vouches for, so a forged X-Forwarded-For buys no fresh budget. Over a
limit the answer is 429 with when to try again, the text typed comes back, and nothing is sent or decoded.
"""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from prakerja.complaints import views
from prakerja.complaints.models import Evidence, PendingComplaint, Ticket
from prakerja.notifications.models import Message
from tests.complaints.test_complaint_evidence import jpeg_bytes

pytestmark = pytest.mark.django_db

FORM = reverse("complaint_form")
DESCRIPTION = "Email konfirmasi pendaftaran tidak pernah sampai ke kotak masuk saya."


def fields(**overrides) -> dict:
    return {"name": "Budi Santoso", "phone": "0812 3456 7890", "email": "budi@example.id",
            "subcategory": "no_confirmation_email", "description": DESCRIPTION, "consent": "on", **overrides}


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def refused_politely(response):
    assert response.status_code == 429
    assert response["Retry-After"]
    page = response.content.decode()
    assert re.search(r"You have sent too many complaints\. Try again after (\d{1,2} \w+ \d{4}, )?\d\d:\d\d WIB\.", page)
    assert DESCRIPTION in page  # what was typed comes back


def test_per_account(english, participant, make_user, settings):
    settings.COMPLAINTS_PER_ACCOUNT_PER_DAY = 2
    english.force_login(participant)
    statuses = [english.post(FORM, fields()).status_code for _ in range(2)]
    response = english.post(FORM, fields())
    assert statuses == [302, 302]
    refused_politely(response)
    assert Ticket.objects.count() == 2
    english.force_login(make_user(email="lain@example.id", full_name="Orang Lain"))  # another account, same client
    assert english.post(FORM, fields()).status_code == 302


def test_per_email_address_whatever_the_client_or_its_case(english, settings):
    settings.COMPLAINTS_PER_EMAIL_PER_DAY = 2
    for n, email in enumerate(["budi@example.id", "Budi@Example.ID"]):
        assert english.post(FORM, fields(email=email), REMOTE_ADDR=f"198.51.100.{n}").status_code == 302
    refused_politely(english.post(FORM, fields(email="BUDI@example.id"), REMOTE_ADDR="198.51.100.9"))
    assert PendingComplaint.objects.count() == 2
    assert Message.objects.filter(template="complaint_code").count() == 2  # no third code mailed to the address
    assert english.post(FORM, fields(email="ani@example.id"), REMOTE_ADDR="198.51.100.9").status_code == 302


def test_per_email_counts_a_signed_in_account_too(english, participant, settings):
    settings.COMPLAINTS_PER_EMAIL_PER_DAY = 1
    english.post(FORM, fields(email=participant.email), REMOTE_ADDR="198.51.100.1")  # locked out, same address
    english.force_login(participant)
    refused_politely(english.post(FORM, fields(), REMOTE_ADDR="198.51.100.2"))


def test_per_client(english, settings):
    settings.COMPLAINTS_PER_CLIENT_PER_HOUR = 2
    for n in range(2):
        assert english.post(FORM, fields(email=f"orang{n}@example.id")).status_code == 302
    refused_politely(english.post(FORM, fields(email="orang9@example.id")))
    assert english.post(FORM, fields(email="orang9@example.id"), REMOTE_ADDR="198.51.100.7").status_code == 302


def test_a_forged_forwarded_for_does_not_escape_the_client_limit(english, settings):
    """Behind one proxy of ours the client is the address the proxy appended, not what the client wrote."""
    settings.TRUSTED_PROXY_COUNT = 1
    settings.COMPLAINTS_PER_CLIENT_PER_HOUR = 2
    statuses = [english.post(FORM, fields(email=f"bot{n}@example.id"), REMOTE_ADDR="10.0.0.2",
                             HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9").status_code for n in range(4)]
    assert statuses == [302, 302, 429, 429]
    other = english.post(FORM, fields(email="warga@example.id"), REMOTE_ADDR="10.0.0.2",
                         HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 302  # another person behind the same proxy has their own count


def test_over_the_limit_nothing_is_decoded_or_kept(english, settings, monkeypatch):
    settings.COMPLAINTS_PER_CLIENT_PER_HOUR = 1
    english.post(FORM, fields(email="a@example.id"))
    decoded = []
    monkeypatch.setattr(views.evidence_files, "evidence_check", lambda files: decoded.append(files) or [])
    response = english.post(FORM, fields(email="b@example.id", evidence=[
        SimpleUploadedFile("bukti.jpg", jpeg_bytes(), content_type="image/jpeg")]))
    assert response.status_code == 429 and decoded == []
    assert not Evidence.objects.exists() and PendingComplaint.objects.count() == 1


def test_a_refused_form_is_not_counted(english, settings):
    settings.COMPLAINTS_PER_CLIENT_PER_HOUR = 1
    for _ in range(3):
        assert english.post(FORM, fields(consent="")).status_code == 200  # invalid: nothing to count
    assert english.post(FORM, fields()).status_code == 302
