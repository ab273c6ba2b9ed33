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
from prakerja.learning.models import Completion, Payment
from prakerja.mydata.selectors import accesses_of
from tests.cards.conftest import cards  # noqa: F401
from tests.conftest import PASSWORD, pass_second_factor
from tests.learning.trainings import purchase
from tests.mydata.conftest import reauthenticated
from tests.partners.conftest import PartnerClient, start_body
from tests.partners.test_payment_flow import sent_otp

pytestmark = pytest.mark.django_db
REVEAL_REASON = "tiket CMP-1234: NIK ditolak Dukcapil"
PHOTO_REASON = "cocokkan foto KTP dengan swafoto"
# The operators, by name and email: none of these may reach the participant's page.
OPERATORS = {"verifier": "Budi Santoso", "complaints_agent": "Wati Kusuma", "partner_manager": "Rudi Hartono",
             "auditor": "Ani Auditor"}

# What the participant reads (English labels), who did it, and how often, after ``touched``.
EXPECTED = {
    "Profile viewed": ("Verifier", 1),  # two page loads, one look
    "Full NIK and KK shown": ("Verifier", 1),
    "KTP photo viewed": ("Verifier", 1),
    "Complaint attachment viewed": ("Complaints agent", 1),
    "Complaint read on the complaints desk": ("Complaints agent", 1),  # two page loads, one look
    "Complaint record opened in the administration": ("Complaints agent", 1),
    "Card used for a payment": ("Digital platform: Tokopedia", 1),
    "Payment confirmed": ("Digital platform: Tokopedia", 1),
    "Payment and card read": ("Digital platform: Tokopedia", 1),
    "Redeem code checked by the training provider": ("Training provider: Skillnesia", 1),
    "Redeem code used: training started": ("Training provider: Skillnesia", 1),
    "Redeem code used: training started (refused)": ("Training provider: Skillnesia", 1),  # used twice
    "Training completion reported, with your name, email and phone": ("Training provider: Skillnesia", 1),
    "Completion report checked against your name, email and phone": ("Partner manager", 1),  # two loads
    "Completion report viewed (your name, email and phone hidden)": ("Auditor", 1),
    "Purchase record viewed (buyer's name, email and phone hidden)": ("Partner manager", 1),
    "Completion report record viewed (name, email and phone hidden)": ("Partner manager", 1),
    "Your data downloaded": ("You", 1),
}


def operator(role: str, name: str | None = None):
    user = operator_create(actor=SYSTEM, email=f"{role}@prakerja.test", full_name=name or OPERATORS[role],
                           roles=[role], password=PASSWORD)
    return pass_second_factor(Client(), user), user


def role_label(role: str) -> str:
    with translation.override("id"):
        return str(ROLES[role]["name"])


def completion_body(code: str, **participant) -> dict:
    return {"redeem_code": code, "completed_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            "certificate_number": "LP-2026-000123", "certificate_url": "https://lp.example.id/c/LP-2026-000123",
            "score": 87, "participant": {"name": "Orang Lain", "email": "lain@example.id", "phone": "081299990000",
                                         **participant}}


@pytest.fixture
def touched(participant, api, client, provider, card_number, listing, queued):
    """The participant's data read by a verifier, a complaints agent, a partner manager, an auditor, a platform,
    a training provider and the person: each kind of access the page lists."""
    profile = participant.profile
    verifier_client, verifier = operator("verifier")
    change = reverse("admin:registry_profile_change", args=[profile.pk])
    assert verifier_client.get(change).status_code == 200
    assert verifier_client.get(change).status_code == 200  # a refresh: still one profile view
    revealed = verifier_client.post(reverse("admin:registry_profile_reveal", args=[profile.pk]),
                                    {"reason": REVEAL_REASON})
    assert revealed.status_code == 200 and participant.nik in revealed.content.decode()
    photo = verifier_client.get(reverse("registry_photo", args=[profile.public_id, "ktp"]), {"reason": PHOTO_REASON})
    assert photo.status_code == 200

    # A platform: a payment started, read and confirmed.
    started = api.post("/payments", start_body(card_number, listing))
    assert started.status_code == 201, started.content
    payment_id = started.json()["payment_id"]
    assert api.get(f"/payments/{payment_id}").status_code == 200
    assert api.post(f"/payments/{payment_id}/confirm", {"otp": sent_otp(payment_id)}).status_code == 200
    payment = Payment.objects.get(public_id=payment_id)

    # A training provider: the code checked, used (and used again: refused), the training reported (held:
    # the name, email and phone differ from the account's).
    lp = PartnerClient(client, provider.code)
    assert lp.post("/redemptions/status", {"redeem_code": payment.redeem_code}).status_code == 200
    assert lp.post("/redemptions/commit", {"redeem_code": payment.redeem_code}).status_code == 200
    assert lp.post("/redemptions/commit", {"redeem_code": payment.redeem_code}).status_code == 409
    reported = lp.post("/completions", completion_body(payment.redeem_code))
    assert reported.status_code == 202 and reported.json()["status"] == "held_for_review", reported.content
    completion = Completion.objects.get(payment=payment)

    # The partner manager compares the report with the account (twice: one look), and opens the purchase and
    # the report in the admin; an auditor reads the report, masked.
    manager_client, _manager = operator("partner_manager")
    review = reverse("operator_completion", args=[completion.public_id])
    for _load in range(2):
        page = manager_client.get(review)
        assert page.status_code == 200 and participant.full_name in page.content.decode()
    assert manager_client.get(reverse("admin:learning_payment_change", args=[payment.pk])).status_code == 200
    assert manager_client.get(reverse("admin:learning_completion_change", args=[completion.pk])).status_code == 200
    auditor_client, _auditor = operator("auditor")
    page = auditor_client.get(review)
    assert page.status_code == 200 and participant.full_name not in page.content.decode()

    # A complaints agent: the ticket on the desk (twice: one look) and in the admin, and its attachment.
    agent_client, agent = operator("complaints_agent")
    ticket = ticket_open(user=participant, name=participant.full_name, phone="", email=participant.email,
                         category="other", subcategory="other", description="Saldo saya berkurang.", consent=True)
    for _load in range(2):
        page = agent_client.get(reverse("desk_ticket", args=[ticket.public_id]))
        assert page.status_code == 200 and "Saldo saya berkurang." in page.content.decode()
    assert agent_client.get(reverse("admin:complaints_ticket_change", args=[ticket.pk])).status_code == 200
    evidence = Evidence.objects.create(ticket=ticket, file="x.pdf", original_name="bukti.pdf",
                                       content_type="application/pdf", size=10)
    evidence_viewed(actor=agent, evidence=evidence)

    # The participant: their own ticket (not an access by anyone else: no row) and a download of their data.
    own = reauthenticated(Client(), participant)
    assert own.get(reverse("complaint_ticket", args=[ticket.public_id])).status_code == 200
    assert own.post(reverse("mydata_download", args=["json"])).status_code == 200
    return own


def test_every_access_is_listed_once_by_role_with_its_reason(touched, participant):
    with translation.override("en"):
        accesses = accesses_of(participant)
    listed = {}
    for access in accesses:
        listed.setdefault(access.what, []).append(access.who)
    assert {what: (whos[0], len(whos)) for what, whos in listed.items()} == EXPECTED
    by_what = {access.what: access for access in accesses}
    assert by_what["Full NIK and KK shown"].reason == REVEAL_REASON
    assert by_what["KTP photo viewed"].reason == PHOTO_REASON
    assert {access.reason for access in accesses} == {REVEAL_REASON, PHOTO_REASON, ""}
    assert [a.at for a in accesses] == sorted((a.at for a in accesses), reverse=True)


def test_the_page_shows_roles_and_reasons_never_names(touched, participant):
    response = touched.get(reverse("mydata_accesses"))
    page = response.content.decode()
    assert response.status_code == 200 and "<h1>Siapa yang mengakses data saya</h1>" in page
    assert "no-store" in response["Cache-Control"]
    for role in OPERATORS:
        assert role_label(role) in page, role
    assert REVEAL_REASON in page and PHOTO_REASON in page and "Tokopedia" in page and "Skillnesia" in page
    for role, name in OPERATORS.items():
        assert name not in page and f"{role}@prakerja.test" not in page


def test_another_persons_accesses_are_not_listed(touched, participant, cards, listing,  # noqa: F811
                                                 django_user_model):
    stranger = django_user_model.objects.create_user(email="lain@example.id", password=PASSWORD, full_name="Lain")
    assert accesses_of(stranger) == []
    others = {entry.action for entry in AuditEntry.objects.all()} - {"complaint.open"}
    assert others  # the rows exist, they are just not the stranger's
    # Another card holder whose purchase an operator reads: theirs, not the participant's.
    neighbour = next(card for card in cards if card.user_id != participant.pk)
    held = Completion.objects.get(payment=purchase(neighbour, listing, state="held"))
    before = accesses_of(participant)
    manager = Client()
    pass_second_factor(manager, django_user_model.objects.get(email="partner_manager@prakerja.test"))
    assert manager.get(reverse("operator_completion", args=[held.public_id])).status_code == 200
    assert manager.get(reverse("admin:learning_payment_change", args=[held.payment.pk])).status_code == 200
    assert accesses_of(participant) == before
    with translation.override("en"):
        assert [(a.who, a.what) for a in accesses_of(neighbour.user)] == [
            ("Partner manager", "Purchase record viewed (buyer's name, email and phone hidden)"),
            ("Partner manager", "Completion report checked against your name, email and phone")]


def test_an_operators_look_at_a_purchase_is_listed_once_per_ten_minutes(participant, ready_card, listing):
    """Admin pages of a purchase, its completion report and its certificate; the held-report review."""
    finished = purchase(ready_card, listing, state="finished")
    completion = Completion.objects.get(payment=finished)
    certificate = completion.certificate
    manager_client, _manager = operator("partner_manager")
    pages = [reverse("admin:learning_payment_change", args=[finished.pk]),
             reverse("admin:learning_completion_change", args=[completion.pk]),
             reverse("admin:learning_certificate_change", args=[certificate.pk]),
             reverse("operator_completion", args=[completion.public_id])]

    def look():
        for url in pages:
            response = manager_client.get(url)
            assert response.status_code == 200, url

    look()
    look()  # within ten minutes: the same looks
    rows = AuditEntry.objects.filter(action__startswith="learning.")
    assert sorted(rows.values_list("action", flat=True)) == [
        "learning.certificate_view", "learning.completion_review", "learning.completion_view", "learning.payment_view"]
    assert {row.data["payment"] for row in rows} == {str(finished.public_id)}
    assert certificate.participant_name in manager_client.get(pages[2]).content.decode()  # why it is a read
    with translation.override("en"):
        whats = [access.what for access in accesses_of(participant)]
    assert sorted(whats) == ["Certificate record viewed",
                             "Completion report checked against your name, email and phone",
                             "Completion report record viewed (name, email and phone hidden)",
                             "Purchase record viewed (buyer's name, email and phone hidden)"]
    later = timezone.now() + timedelta(minutes=11)
    with mock.patch("django.utils.timezone.now", return_value=later):
        look()
    assert rows.all().count() == 8  # a new look each, eleven minutes on


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
