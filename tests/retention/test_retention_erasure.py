"""PRV-8: anonymising a participant who lived the whole programme leaves nothing that names them, and loses
nothing the law keeps.

A crafted person passed a wave, got a card, spent it all on a training
(paid, redeemed, completed, certified, reviewed), filed a complaint (answered,
with evidence files, closed), started another while locked out, downloaded
their data, and was sent messages on every channel. Then they are
anonymised: by a deletion request done at once, or by the nightly job
after the request waited for an open complaint, and, for a registrant who
never passed, by the job's ``never_selected`` rule.

Afterwards every text column of every model is searched for anything that
named them (``leaks``): the test of the rule and of every future model. The
same search before the erasure must find them in each place they were, so a
blind search cannot pass. What accounting and the law keep (ledger, audit
log, payments, cards, certificates) is compared row for row.
"""

import io
import json
import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.audit.models import AuditEntry
from prakerja.cards import numbers
from prakerja.cards.models import Card
from prakerja.complaints import services as complaints
from prakerja.complaints.models import Evidence, PendingComplaint, Ticket, TicketMessage
from prakerja.learning import services as payments
from prakerja.learning.certificates import pdf_key
from prakerja.learning.completions import completion_report
from prakerja.learning.models import CardBinding, Certificate, Completion, Payment, Review
from prakerja.learning.redemptions import redemption_commit
from prakerja.learning.reviews import review_submit
from prakerja.ledger.models import Account, Posting, Transaction
from prakerja.mydata.services import mydata_export
from prakerja.notifications import services as notifications
from prakerja.notifications.models import Message
from prakerja.registry import crypto
from prakerja.registry.models import PhoneVerification, Profile
from prakerja.registry.nik import mask
from prakerja.registry.photos import store_photo
from prakerja.retention.models import Erasure
from prakerja.retention.services import ANONYMOUS_NAME, PSEUDONYM_DOMAIN, deletion_request, retention_run
from prakerja.waves.models import Application
from tests.accounts.operators import make_operator
from tests.learning.conftest import (  # noqa: F401
    announced_wave,
    card,
    issue,
    make_listing,
    platform,
    provider,
    watched,
)
from tests.selection.test_run import person

NAME = "Ratna Kusumawardhani"
EMAIL = "ratna.kusumawardhani@example.id"
PHONE = "+6281399887766"
NIK = "3273015507950042"
KK = "3273012304080007"
ADDRESS = "Jl. Melati Wangi No. 17, Cibeunying"
STREET = "Gg. Kenanga 4, Sukaluyu"
SHOPPER = "shopper-ratna-77"
# Searched case-insensitively in every text column: the name and its rarer half, the email and its local part,
# the phone without its country code (so 0813..., +62813... and 62813... all match), the numbers in clear.
PERSONAL = [NAME, "Kusumawardhani", EMAIL, "ratna.kusumawardhani", PHONE.removeprefix("+62"), NIK, KK,
            mask(NIK), ADDRESS, "Melati Wangi", STREET, SHOPPER]
# Outside the platform: the sandbox stands in for the civil registry, the SMS gateway, the shops (its own process).
OUTSIDE = {"sandbox"}


def leaks(needles) -> set[str]:
    """Every "app.Model.field" whose value, in any row, holds one of ``needles`` (any case).

    Walks every model Django knows (ours, allauth's, the admin's, the auto-created many-to-many tables) and
    every text column: Char, Text, Email, Slug, URL, File and JSON fields, JSON as its text.
    """
    needles = [needle.lower() for needle in needles if needle]
    found = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in OUTSIDE or model._meta.proxy:
            continue
        columns = [field.attname for field in model._meta.concrete_fields
                   if isinstance(field, models.CharField | models.TextField | models.JSONField | models.FileField)]
        if not columns:
            continue
        for row in model._default_manager.values_list(*columns).iterator():
            for column, value in zip(columns, row, strict=True):
                if value in (None, "", [], {}):
                    continue
                text = (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)).lower()
                if any(needle in text for needle in needles):
                    found.add(f"{model._meta.label}.{column}")
    return found


def evidence_file(name: str, data: bytes = b"%PDF-1.4 bukti") -> complaints.EvidenceFile:
    stored = storages["private"].save("complaints/test.pdf", ContentFile(data))
    return complaints.EvidenceFile(file=stored, original_name=name, content_type="application/pdf", size=len(data))


@pytest.fixture
def outbox(monkeypatch):
    """Messages stay queued (no SMS gateway here); ``deliver_emails`` then sends the emails (locmem)."""
    monkeypatch.setattr(notifications, "_enqueue", lambda ids: None)

    def deliver_emails():
        for pk in Message.objects.filter(channel="email", status="queued").values_list("pk", flat=True):
            assert notifications.message_deliver(message_id=pk) == "sent"

    return deliver_emails


@pytest.fixture
def life(db, private_storage, card, platform, provider, make_listing, watched, outbox):  # noqa: F811
    """The person of this module's docstring, through the services the platform uses; returns what to check."""
    user = card.user
    User.objects.filter(pk=user.pk).update(email=EMAIL, full_name=NAME)
    user.refresh_from_db()
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    EmailAddress.objects.create(user=user, email="Ratna.K@kantor.example.id", verified=False, primary=False)
    photos = [store_photo(b"ktp"), store_photo(b"selfie")]
    Profile.objects.filter(user=user).update(
        nik_encrypted=crypto.encrypt(NIK), nik_index=crypto.blind_index("nik", NIK), nik_masked=mask(NIK),
        kk_encrypted=crypto.encrypt(KK), kk_index=crypto.blind_index("kk", KK), ktp_address=ADDRESS,
        domicile_street=STREET, phone=PHONE, phone_verified_at=timezone.now(), ktp_photo=photos[0],
        selfie=photos[1], identity_reasons=[f"Nama di Dukcapil: {NAME.upper()}"])
    PhoneVerification.objects.create(user=user, phone=PHONE, code_hash="0" * 64, expires_at=timezone.now(),
                                     last_sent_at=timezone.now(), verified_at=timezone.now())
    Authenticator.objects.create(user=user, type="totp", data={"secret": "not-a-real-secret"})
    agent = make_operator("complaints_agent")
    LogEntry.objects.create(user=agent, content_type=ContentType.objects.get_for_model(User),
                            object_id=str(user.pk), object_repr=str(user), action_flag=CHANGE, change_message="[]")
    watched(user)
    number = crypto.decrypt(card.number_encrypted)

    # TRN-2..5: the whole balance on one training, redeemed, completed, certified, reviewed.
    listing = make_listing(platform, price=card.account.balance)
    started = payments.payment_start(platform=platform, card_number=number, listing_code=listing.code,
                                     platform_order_id="INV/2026/0077", platform_user_id=SHOPPER,
                                     buyer={"name": NAME, "email": EMAIL, "phone": "081399887766"})
    otp = re.search(r"\b(\d{6})\b", Message.objects.get(template="payment_otp").body).group(1)
    payment = payments.payment_confirm(platform=platform, payment_id=started.public_id, otp=otp)
    redemption_commit(provider=provider, code=payment.redeem_code)
    completion = completion_report(
        provider=provider, code=payment.redeem_code, completed_at=timezone.now(), certificate_number="LP-77",
        certificate_url="https://lp.example.id/c/77", score=88,
        participant={"name": NAME.upper(), "email": EMAIL, "phone": "6281399887766"})
    assert completion.status == "accepted"
    review_submit(user=user, payment_id=payment.public_id, stars=4,
                  text=f"Terima kasih, saya {NAME}, materinya jelas sekali.")
    certificate = Certificate.objects.get(payment=payment)
    cache.set(pdf_key(certificate.number, "id"), b"%PDF with the name", 600)

    # CMP-1..3: a complaint with evidence, answered, replied to with more evidence, resolved, closed.
    ticket = complaints.ticket_open(
        user=user, name=NAME, phone=PHONE, email=EMAIL, category="registration", subcategory="cannot_sign_in",
        description=f"Saya {NAME}, NIK {NIK}, tidak bisa masuk.", consent=True,
        evidence=[evidence_file(f"KTP {NAME}.pdf")])
    complaints.ticket_reply_agent(ticket_id=ticket.pk, agent=agent, body=f"Halo Bu {NAME}, kirim tangkapan layar.",
                                  wait_for_participant=True)
    complaints.ticket_reply_participant(ticket_id=ticket.pk, user=user, body=f"Ini, nomor saya {PHONE}.",
                                        evidence=[evidence_file("layar-kusumawardhani.pdf")])
    complaints.ticket_resolve(ticket_id=ticket.pk, agent=agent, body=f"Sudah kami buka, Bu {NAME}.")
    complaints.ticket_close_by_participant(ticket_id=ticket.pk, user=user)
    # CMP-1, locked out: a complaint started with the email (another case), its code never typed.
    pending = complaints.pending_complaint_start(
        email=EMAIL.upper(), evidence=[evidence_file("surat-ratna-kusumawardhani.pdf")],
        data={"name": NAME, "phone": PHONE, "category": "registration", "subcategory": "cannot_sign_in",
              "description": f"Akun {EMAIL} terkunci.", "consent": True})
    mydata_export(actor=user, fmt="json")  # PRV-6: an audit row whose target is the account
    outbox()  # the emails go out; the SMS (the payment's OTP) stays queued

    card.refresh_from_db()
    assert card.account.balance == 0 and Ticket.objects.get(pk=ticket.pk).status == "closed"
    files = [*photos, *Evidence.objects.values_list("file", flat=True)]
    assert len(files) == 5 and all(storages["private"].exists(name) for name in files)
    return {"user": user, "card": card, "number": number, "payment": payment, "certificate": certificate,
            "ticket": ticket, "pending": pending, "files": files,
            "indexes": [crypto.blind_index("nik", NIK), crypto.blind_index("kk", KK), numbers.index_of(number)]}


def kept():
    """What accounting and the law keep, row for row (compared before and after)."""
    return {
        "transactions": list(Transaction.objects.order_by("pk").values()),
        "postings": list(Posting.objects.order_by("pk").values()),
        "accounts": list(Account.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values()),
        "payments": list(Payment.objects.order_by("pk").values(
            "public_id", "platform", "listing", "card", "amount", "platform_order_id", "status", "voucher_code",
            "redeem_code", "paid_at", "redeemed_at", "cancelled_at", "created_at", "otp_hash")),
        "cards": list(Card.objects.order_by("pk").values(
            "public_id", "user", "application", "account", "last4", "status", "issued_at", "credited_at",
            "first_purchase_at", "ended_at")),
        "completions": list(Completion.objects.order_by("pk").values(
            "public_id", "payment", "provider", "completed_at", "reported_at", "provider_certificate_number",
            "certificate_url", "score", "mismatches", "status")),
        "certificates": list(Certificate.objects.order_by("pk").values(
            "number", "completion", "payment", "course_title", "provider_name", "completed_on", "issued_at")),
        "reviews": list(Review.objects.order_by("pk").values("payment", "course", "user", "stars", "created_at")),
        "tickets": list(Ticket.objects.order_by("pk").values(
            "number", "user", "source", "category", "subcategory", "status", "consent_at", "created_at",
            "first_response_at", "resolved_at", "closed_at")),
        "ticket_messages": list(TicketMessage.objects.order_by("pk").values("ticket", "author", "agent", "created_at")),
        "applications": list(Application.objects.order_by("pk").values("user", "wave", "status", "decided_at")),
    }


def where_they_were(life):
    """The places the search must find the person before the erasure (a blind search cannot pass)."""
    return {
        "accounts.User.email", "accounts.User.full_name", "account.EmailAddress.email",
        "registry.Profile.nik_masked", "registry.Profile.ktp_address", "registry.Profile.domicile_street",
        "registry.Profile.phone", "registry.Profile.identity_reasons", "registry.PhoneVerification.phone",
        "learning.Payment.buyer_name", "learning.Payment.buyer_email", "learning.Payment.buyer_phone",
        "learning.Payment.platform_user_id", "learning.CardBinding.platform_user_id",
        "learning.Completion.participant_name", "learning.Completion.participant_email",
        "learning.Completion.participant_phone", "learning.Certificate.participant_name", "learning.Review.text",
        "complaints.Ticket.name", "complaints.Ticket.email", "complaints.Ticket.phone",
        "complaints.Ticket.description", "complaints.TicketMessage.body", "complaints.Evidence.original_name",
        "complaints.PendingComplaint.email", "complaints.PendingComplaint.data",
        "notifications.Message.to_address", "notifications.Message.body", "notifications.Message.idempotency_key",
        "admin.LogEntry.object_repr",
    }


def pseudonyms(prefix, public_id, suffix=""):
    # A UUID cast to text: with hyphens on PostgreSQL, 32 hex digits on SQLite (how each stores it).
    return {f"{prefix}{public_id}{suffix}", f"{prefix}{public_id.hex}{suffix}"}


def assert_erased(life, before):
    user, old_card, payment = life["user"], life["card"], life["payment"]
    # Nothing names the person anywhere: not in clear, not by a blind index.
    assert leaks(PERSONAL + life["indexes"] + [life["number"]]) == set()
    assert not any(storages["private"].exists(name) for name in life["files"])

    # Kept by law and accounting, unchanged: every ledger row and balance, every audit row, the money's rows.
    after = kept()
    assert after["audit"][:len(before["audit"])] == before["audit"]  # the log only grew (the erasure's own rows)
    assert {row["action"] for row in after["audit"][len(before["audit"]):]} <= {
        "retention.deletion_requested", "retention.apply"}
    for name in ("transactions", "postings", "accounts", "payments", "cards", "completions", "certificates",
                 "reviews", "tickets", "ticket_messages", "applications"):
        assert after[name] == before[name], name
    out = io.StringIO()
    call_command("ledger_check", stdout=out)
    assert "clean" in out.getvalue()
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "audit log intact" in out.getvalue()

    # What stays is what statistics and the law need; what named the person is blank or a pseudonym.
    user = User.objects.get(pk=user.pk)
    assert user.email in pseudonyms("anon-", user.public_id, f"@{PSEUDONYM_DOMAIN}") and not user.is_active
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not PhoneVerification.objects.filter(user=user).exists()
    paid = Payment.objects.get(pk=payment.pk)
    assert (paid.buyer_name, paid.buyer_email, paid.buyer_phone, paid.platform_user_id) == ("", "", "", "")
    assert paid.amount == before["payments"][0]["amount"] > 0 and paid.status == "paid" and paid.redeemed_at
    assert CardBinding.objects.get(card=old_card).platform_user_id == ""
    completion = Completion.objects.get(payment=payment)
    assert (completion.participant_name, completion.participant_email, completion.participant_phone) == ("", "", "")
    assert completion.status == "accepted" and completion.score == 88
    certificate = Certificate.objects.get(payment=payment)
    assert certificate.participant_name == ANONYMOUS_NAME and certificate.number == life["certificate"].number
    assert cache.get(pdf_key(certificate.number, "id")) is None  # the cached PDF had the name
    review = Review.objects.get(payment=payment)
    assert review.text == "" and review.stars == 4  # the course's rating stays true
    kept_card = Card.objects.get(pk=old_card.pk)
    assert kept_card.number_encrypted == "" and kept_card.number_index in pseudonyms("erased:", kept_card.public_id)
    assert (kept_card.last4, kept_card.account_id, kept_card.status) == (old_card.last4, old_card.account_id, "active")
    ticket = Ticket.objects.get(pk=life["ticket"].pk)
    assert (ticket.name, ticket.phone, ticket.description, ticket.email) == ("", "", "", f"anon@{PSEUDONYM_DOMAIN}")
    assert set(TicketMessage.objects.filter(ticket=ticket).values_list("body", flat=True)) == {""}
    evidence = Evidence.objects.filter(ticket=ticket)
    assert evidence.count() == 2 and set(evidence.values_list("file", "original_name")) == {("", "")}
    from prakerja.complaints.views import _ticket_evidence

    assert _ticket_evidence(evidence.first().public_id) is None  # a download is a 404, not a 500 on a blank file
    assert not PendingComplaint.objects.filter(pk=life["pending"].pk).exists()
    assert not Evidence.objects.filter(pending_id=life["pending"].pk).exists()
    messages = Message.objects.filter(user=user)
    assert messages.filter(status="sent").exists()  # inbox and email rows stay: when, which template
    assert set(messages.values_list("to_address", "subject", "body", "html_body")) == {("", "", "", "")}
    assert set(messages.filter(channel="sms").values_list("status", flat=True)) == {"failed"}  # never sent now
    code = Message.objects.get(template="complaint_code")
    assert code.user_id is None and code.to_address == ""
    assert code.idempotency_key in pseudonyms("erased:", code.public_id)  # the key held the address
    assert LogEntry.objects.get(object_id=str(user.pk)).object_repr == "anonymised"


def assert_certificate_page(client, life):
    """The public check still answers "genuine", with no name on it (TRN-4)."""
    response = client.get(reverse("certificate_detail", args=[life["certificate"].number]))
    assert response.status_code == 200
    page = response.content.decode()
    assert ANONYMOUS_NAME not in page and "Kusumawardhani" not in page
    assert "Nama dihapus atas permintaan peserta" in page or "Name removed at the participant's request" in page


def test_the_search_finds_the_person_everywhere_before(life):
    # The search bites: each place that named them is found (the audit log and the ledger are not among them).
    found = leaks(PERSONAL + life["indexes"] + [life["number"]])
    assert where_they_were(life) <= found
    assert not {place for place in found if place.startswith(("audit.", "ledger."))}


def test_a_deletion_request_erases_at_once(life, client, django_capture_on_commit_callbacks):
    before = kept()
    with django_capture_on_commit_callbacks(execute=True):
        request = deletion_request(user=life["user"])
    assert request.status == "done" and Erasure.objects.get(user=life["user"]).rule == "request"
    assert_erased(life, before)
    assert_certificate_page(client, life)
    # A partner that still has the old number finds no card (CRD: the blind index matches nothing now).
    with pytest.raises(payments.PaymentError) as refused:
        payments.payment_start(platform=life["payment"].platform, card_number=life["number"],
                               listing_code=life["payment"].listing.code, platform_order_id="INV/2",
                               platform_user_id="x", buyer={"name": "x", "email": "x@example.id", "phone": "0"})
    assert refused.value.code == "card_not_found"


def test_the_job_erases_a_request_once_its_hold_ends(life, client, django_capture_on_commit_callbacks):
    user = life["user"]
    agent = make_operator("complaints_agent", email="agen2@prakerja.test")
    open_ticket = complaints.ticket_open(
        user=user, name=NAME, phone=PHONE, email=EMAIL, category="registration", subcategory="cannot_sign_in",
        description=f"Tolong hapus data saya, {NAME}.", consent=True)
    request = deletion_request(user=user)
    assert request.status == "postponed" and request.reasons == ["open_complaint"]
    complaints.ticket_resolve(ticket_id=open_ticket.pk, agent=agent, body=f"Baik, Bu {NAME}.")
    before = kept()

    dry = retention_run(dry_run=True)
    assert dry["requests"] == {"eligible": 1, "apply": 1, "postponed": {
        "open_complaint": 0, "balance": 0, "active_application": 0}}
    assert not Erasure.objects.exists() and kept() == before  # the dry-run changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        done = retention_run(dry_run=False)
    assert done == dry
    request.refresh_from_db()
    assert request.status == "done" and Erasure.objects.get(user=user).rule == "request"
    assert Ticket.objects.get(pk=open_ticket.pk).description == ""
    assert_erased(life, before)
    assert_certificate_page(client, life)


@pytest.fixture
def never_selected(db, private_storage, make_wave, outbox):
    """A registrant who failed a wave two and a half years ago, with a closed complaint, a locked-out one,
    messages, a verified phone and photos: the nightly job's ``never_selected`` rule (no card, no money)."""
    wave = make_wave(number=3, opens=-930, closes=-920, announce=-910)
    application = person(wave=wave, status="failed", nik=NIK)
    user = application.user
    User.objects.filter(pk=user.pk).update(email=EMAIL, full_name=NAME,
                                           date_joined=timezone.now() - timedelta(days=930))
    user.refresh_from_db()
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    photos = [store_photo(b"ktp"), store_photo(b"selfie")]
    Profile.objects.filter(user=user).update(
        nik_encrypted=crypto.encrypt(NIK), nik_masked=mask(NIK), kk_encrypted=crypto.encrypt(KK),
        kk_index=crypto.blind_index("kk", KK), ktp_address=ADDRESS, domicile_street=STREET, phone=PHONE,
        phone_verified_at=timezone.now(), ktp_photo=photos[0], selfie=photos[1])
    PhoneVerification.objects.create(user=user, phone=PHONE, code_hash="0" * 64, expires_at=timezone.now(),
                                     last_sent_at=timezone.now(), verified_at=timezone.now())
    agent = make_operator("complaints_agent")
    ticket = complaints.ticket_open(
        user=user, name=NAME, phone=PHONE, email=EMAIL, category="registration", subcategory="cannot_sign_in",
        description=f"Saya {NAME} tidak lolos, kenapa?", consent=True, evidence=[evidence_file(f"{NAME}.pdf")])
    complaints.ticket_resolve(ticket_id=ticket.pk, agent=agent, body=f"Bu {NAME}, kuota sudah penuh.")
    # Filed while locked out, before the account existed, and closed since: tied to the email only.
    unlinked = complaints.ticket_open(
        user=None, name=NAME, phone=PHONE, email=EMAIL.upper(), category="registration",
        subcategory="cannot_sign_in", description=f"Email {EMAIL} tidak bisa daftar.", consent=True)
    Ticket.objects.filter(pk=unlinked.pk).update(status="closed", closed_at=timezone.now())
    complaints.pending_complaint_start(
        email=EMAIL, evidence=[evidence_file("surat.pdf")],
        data={"name": NAME, "phone": PHONE, "category": "registration", "subcategory": "cannot_sign_in",
              "description": "Terkunci.", "consent": True})
    mydata_export(actor=user, fmt="json")
    outbox()
    files = [*photos, *Evidence.objects.values_list("file", flat=True)]
    return {"user": user, "ticket": ticket, "unlinked": unlinked, "files": files,
            "indexes": [crypto.blind_index("nik", NIK), crypto.blind_index("kk", KK)]}


def test_the_job_erases_a_registrant_never_selected(never_selected, django_capture_on_commit_callbacks):
    user = never_selected["user"]
    needles = PERSONAL + never_selected["indexes"]
    assert {"complaints.Ticket.email", "complaints.Evidence.original_name", "notifications.Message.to_address",
            "complaints.PendingComplaint.data", "registry.Profile.nik_index"} <= leaks(needles)
    before = kept()
    dry = retention_run(dry_run=True)
    assert dry["never_selected"]["apply"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        done = retention_run(dry_run=False)
    assert done == dry
    assert Erasure.objects.get(user=user).rule == "never_selected"
    assert leaks(needles) == set()
    assert not any(storages["private"].exists(name) for name in never_selected["files"])
    after = kept()
    assert after["audit"][:len(before["audit"])] == before["audit"]
    for name in ("tickets", "ticket_messages", "applications"):
        assert after[name] == before[name], name
    unlinked = Ticket.objects.get(pk=never_selected["unlinked"].pk)
    assert (unlinked.name, unlinked.description, unlinked.status) == ("", "", "closed")
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "audit log intact" in out.getvalue()


def test_an_open_ticket_filed_without_the_account_is_left_to_the_desk(never_selected):
    # Not tied to the account and still being worked on: the desk finishes it; only closed ones are anonymised.
    Ticket.objects.filter(pk=never_selected["unlinked"].pk).update(status="in_progress", closed_at=None)
    retention_run(dry_run=False)
    assert Erasure.objects.filter(user=never_selected["user"]).exists()
    assert Ticket.objects.get(pk=never_selected["unlinked"].pk).name == NAME
