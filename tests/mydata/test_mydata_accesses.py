"""PRV-5: "Siapa yang mengakses data saya": every access by an operator, a partner and the person themself,
by role (never the operator's name), with the stated reason."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from prakerja.accounts.roles import ROLES
from prakerja.accounts.services import operator_create
from prakerja.audit.models import AuditEntry
from prakerja.audit.services import SYSTEM
from prakerja.complaints.models import Evidence
from prakerja.complaints.services import evidence_viewed, ticket_open
from prakerja.mydata.selectors import accesses_of
from tests.conftest import PASSWORD, pass_second_factor
from tests.mydata.conftest import reauthenticated
from tests.partners.conftest import start_body

pytestmark = pytest.mark.django_db
REVEAL_REASON = "tiket CMP-1234: NIK ditolak Dukcapil"
PHOTO_REASON = "cocokkan foto KTP dengan swafoto"


def operator(role: str, name: str):
    user = operator_create(actor=SYSTEM, email=f"{role}@prakerja.test", full_name=name, roles=[role],
                           password=PASSWORD)
    return pass_second_factor(Client(), user), user


def role_label(role: str) -> str:
    with translation.override("id"):
        return str(ROLES[role]["name"])


@pytest.fixture
def touched(participant, api, card_number, listing, queued):
    """The participant's data read by a verifier, a complaints agent, a platform partner and the person."""
    profile = participant.profile
    verifier_client, verifier = operator("verifier", "Budi Santoso")
    change = reverse("admin:registry_profile_change", args=[profile.pk])
    assert verifier_client.get(change).status_code == 200
    assert verifier_client.get(change).status_code == 200  # a refresh: still one profile view
    revealed = verifier_client.post(reverse("admin:registry_profile_reveal", args=[profile.pk]),
                                    {"reason": REVEAL_REASON})
    assert revealed.status_code == 200 and participant.nik in revealed.content.decode()
    photo = verifier_client.get(reverse("registry_photo", args=[profile.public_id, "ktp"]), {"reason": PHOTO_REASON})
    assert photo.status_code == 200

    started = api.post("/payments", start_body(card_number, listing))
    assert started.status_code == 201, started.content
    assert api.get(f"/payments/{started.json()['payment_id']}").status_code == 200

    _agent_client, agent = operator("complaints_agent", "Wati Kusuma")
    ticket = ticket_open(user=participant, name=participant.full_name, phone="", email=participant.email,
                         category="other", subcategory="other", description="Saldo saya berkurang.", consent=True)
    evidence = Evidence.objects.create(ticket=ticket, file="x.pdf", original_name="bukti.pdf",
                                       content_type="application/pdf", size=10)
    evidence_viewed(actor=agent, evidence=evidence)

    own = reauthenticated(Client(), participant)
    assert own.post(reverse("mydata_download", args=["json"])).status_code == 200
    return own


def test_every_access_is_listed_by_role_with_its_reason(touched, participant):
    with translation.override("en"):
        accesses = accesses_of(participant)
    whats = [access.what for access in accesses]
    assert whats.count("Profile viewed") == 1  # two page loads, one row
    assert {"Full NIK and KK shown", "KTP photo viewed", "Profile viewed", "Complaint attachment viewed",
            "Card used for a payment", "Payment and card read", "Your data downloaded"} <= set(whats)
    by_what = {access.what: access for access in accesses}
    assert by_what["Full NIK and KK shown"].reason == REVEAL_REASON
    assert by_what["KTP photo viewed"].reason == PHOTO_REASON
    assert by_what["Full NIK and KK shown"].who == "Verifier"
    assert by_what["Complaint attachment viewed"].who == "Complaints agent"
    assert by_what["Payment and card read"].who == "Digital platform: Tokopedia"
    assert by_what["Card used for a payment"].who == "Digital platform: Tokopedia"
    assert by_what["Your data downloaded"].who == "You"
    assert [a.at for a in accesses] == sorted((a.at for a in accesses), reverse=True)


def test_the_page_shows_roles_and_reasons_never_names(touched, participant):
    response = touched.get(reverse("mydata_accesses"))
    page = response.content.decode()
    assert response.status_code == 200 and "<h1>Siapa yang mengakses data saya</h1>" in page
    assert "no-store" in response["Cache-Control"]
    assert role_label("verifier") in page and role_label("complaints_agent") in page
    assert REVEAL_REASON in page and PHOTO_REASON in page and "Tokopedia" in page
    for secret in ("Budi Santoso", "verifier@prakerja.test", "Wati Kusuma", "complaints_agent@prakerja.test"):
        assert secret not in page


def test_another_persons_accesses_are_not_listed(touched, participant, django_user_model):
    stranger = django_user_model.objects.create_user(email="lain@example.id", password=PASSWORD, full_name="Lain")
    assert accesses_of(stranger) == []
    others = {entry.action for entry in AuditEntry.objects.all()} - {"complaint.open"}
    assert others  # the rows exist, they are just not the stranger's


def test_a_profile_view_is_audited_once_per_operator_per_ten_minutes(participant):

    profile = participant.profile
    verifier_client, verifier = operator("verifier", "Budi Santoso")
    change = reverse("admin:registry_profile_change", args=[profile.pk])
    verifier_client.get(change)
    verifier_client.get(change)
    views = AuditEntry.objects.filter(action="registry.profile_view")
    assert views.count() == 1
    entry = views.get()
    assert entry.actor == verifier and entry.target_type == "registry.profile"
    assert entry.target_id == str(profile.public_id)
    # Eleven minutes on, a look is a new row.
    later = timezone.now() + timedelta(minutes=11)
    with mock.patch("django.utils.timezone.now", return_value=later):
        verifier_client.get(change)
    assert views.count() == 2
    # Another operator's look is its own row.
    other_client, _other = operator("auditor", "Ani Auditor")
    assert other_client.get(change).status_code == 200
    assert views.count() == 3
