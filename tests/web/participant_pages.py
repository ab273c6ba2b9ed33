"""Every participant page, in each state a registrant meets, filled with data.

One list for the page budget (tests/web/test_page_weight.py) and for axe
(tests/browser/test_accessibility.py), so the two cannot drift apart.
test_every_participant_url_is_listed fails when the urlconf gains a URL that
is neither here nor in EXCLUDED: a new page must be weighed and checked.

The data is what a busy account looks like, not an empty one: complete
profiles with every field, a history of several waves with "Lulus" and
"Gagal" and their reasons, 50 inbox messages, open, closed and upcoming
waves with published draw commitments.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

PASSWORD = "Sandi-Rahasia-2026"
BANDUNG, SURABAYA = "3273", "3578"


@dataclass(frozen=True)
class Page:
    id: str
    url_name: str
    who: str | None = None  # a key of World.users; None: signed out
    args: Callable[["World"], list] | None = None
    query: str = ""
    # "submit": post the page's form empty, to see the error state;
    # "login_code": sign in with the emailed second step switched on (REG-2);
    # "reauth": enter the password again first (allauth's reauthentication, CRD-1).
    flow: str = ""
    js: bool = False  # the page may load a script (progressive enhancement only)
    status: int = 200  # a page whose answer is a refusal (the neutral "no such certificate" is a 404)


PAGES = [
    # Signed out.
    Page("home", "home"),
    Page("login", "account_login"),
    Page("login-errors", "account_login", flow="submit"),
    Page("login-code", "account_confirm_login_code", who="complete", flow="login_code"),
    Page("signup", "account_signup"),
    Page("signup-errors", "account_signup", flow="submit"),
    Page("verification-sent", "account_email_verification_sent"),
    Page("confirm-email", "account_confirm_email", args=lambda w: [w.confirm_key]),
    Page("inactive", "account_inactive"),
    Page("password-reset", "account_reset_password"),
    Page("password-reset-done", "account_reset_password_done"),
    Page("password-reset-key", "account_reset_password_from_key", args=lambda w: w.reset_args),
    Page("password-reset-key-done", "account_reset_password_from_key_done"),
    Page("waves-public", "waves_public"),
    # Signed in: the account.
    Page("logout", "account_logout", who="complete"),
    # allauth's page asks "remove this address?" with a script; it works without.
    Page("email", "account_email", who="complete", js=True),
    Page("password-change", "account_change_password", who="complete"),
    Page("password-set", "account_set_password", who="no_password"),
    Page("reauthenticate", "account_reauthenticate", who="complete"),
    # The dashboard in every state of REG and WAV.
    Page("dashboard-new", "dashboard", who="new"),
    Page("dashboard-identity-rejected", "dashboard", who="rejected"),
    Page("dashboard-identity-pending", "dashboard", who="at_phone"),
    Page("dashboard-no-wave", "dashboard", who="no_wave"),
    Page("dashboard-open-wave", "dashboard", who="complete"),
    Page("dashboard-joined", "dashboard", who="joined"),
    Page("dashboard-processing", "dashboard", who="processing"),
    Page("dashboard-selecting", "dashboard", who="selecting"),
    Page("dashboard-passed", "dashboard", who="passed"),
    Page("dashboard-failed", "dashboard", who="failed"),
    Page("dashboard-revoked", "dashboard", who="revoked"),
    Page("dashboard-withdrawn", "dashboard", who="withdrawn"),
    # The card (CRD-1..5): credited with the videos to watch (dashboard-passed), the balance still on
    # its way, the videos watched (the payout prompt), and the number itself.
    Page("dashboard-card-waiting", "dashboard", who="card_waiting"),
    Page("dashboard-card-ready", "dashboard", who="history"),
    Page("card-number", "card_number", who="history", flow="reauth"),
    # The inbox: 50 messages, 20 a page.
    Page("inbox", "inbox", who="complete"),
    Page("inbox-page-2", "inbox", who="complete", query="?page=2"),
    Page("inbox-empty", "inbox", who="new"),
    # Registration, each step before and after it is done.
    Page("identity", "registry_identity", who="new"),
    Page("identity-errors", "registry_identity", who="new", flow="submit"),
    Page("identity-rejected", "registry_identity", who="rejected"),
    Page("identity-verified", "registry_identity", who="complete"),
    Page("personal-data", "registry_personal", who="at_personal"),
    Page("personal-data-errors", "registry_personal", who="at_personal", flow="submit"),
    Page("personal-data-filled", "registry_personal", who="complete"),
    Page("phone-code-sent", "registry_phone", who="at_phone"),
    Page("phone-verified", "registry_phone", who="complete"),
    Page("statement", "registry_statement", who="at_statement"),
    Page("statement-accepted", "registry_statement", who="complete"),
    Page("test-intro", "registry_test", who="at_test"),
    Page("test-question", "registry_test", who="in_test", js=True),
    Page("test-finished", "registry_test", who="complete"),
    # Waves.
    Page("waves-join", "waves_join", who="complete", args=lambda w: [w.waves["open"].public_id]),
    Page("waves-history", "waves_history", who="history"),
    Page("waves-history-empty", "waves_history", who="new"),
    # A wave's open results (issue 16): every province, every reason, some counts under 10.
    Page("waves-results", "selection_results", args=lambda w: [w.waves["6"].public_id]),
    # The induction videos (CRD-2); the player needs its script to report progress.
    Page("induction-list", "induction_list", who="passed"),
    Page("induction-video", "induction_video", who="passed", args=lambda w: ["programme"], js=True),
    # Trainings (TRN-3..5): "Riwayat Pelatihan" with a purchase in each state, and the review's two steps.
    Page("training-history", "training_history", who="history"),
    Page("training-history-empty", "training_history", who="passed"),
    Page("training-review", "training_review", who="history", args=lambda w: [w.finished_purchase]),
    Page("training-review-errors", "training_review", who="history", args=lambda w: [w.finished_purchase],
         flow="submit"),
    # Complaints (CMP-1, CMP-2): "Formulir Pengaduan" locked out and signed in, empty and with errors; the
    # email-code page; "Pengaduanku"; a ticket answered both ways with evidence, by account and by emailed link.
    Page("complaint-form", "complaint_form"),
    Page("complaint-form-errors", "complaint_form", flow="submit"),
    Page("complaint-form-participant", "complaint_form", who="history", query="?kategori=certificate"),
    Page("complaint-form-participant-errors", "complaint_form", who="history", flow="submit"),
    Page("complaint-confirm", "complaint_confirm", args=lambda w: [w.pending_complaint]),
    Page("complaint-confirm-errors", "complaint_confirm", args=lambda w: [w.pending_complaint], flow="submit"),
    Page("complaint-list", "complaint_list", who="history"),
    Page("complaint-list-empty", "complaint_list", who="new"),
    Page("complaint-ticket", "complaint_ticket", who="history", args=lambda w: [w.ticket]),
    Page("complaint-ticket-link", "complaint_ticket_link", args=lambda w: [w.ticket_token]),
    # "Cari Pelatihan" (TRN-1), public: everything, a search with no match, a participant within their
    # balance, and a course page with its platforms and reviews.
    Page("training-search", "training_search"),
    Page("training-search-words", "training_search", query="?q=pemasaran&kind=webinar&order=price"),
    Page("training-search-none", "training_search", query="?q=tidakadaapapun&category=nope"),
    Page("training-search-balance", "training_search", who="history", query="?affordable=on"),
    Page("course", "course_detail", args=lambda w: ["PGS-004"]),
    # Certificates anyone can check (TRN-4).
    Page("certificate-check", "certificate_check"),
    Page("certificate-check-unknown", "certificate_check", query="?number=PKJ-2222-3333-4444", status=404),
    Page("certificate", "certificate_detail", args=lambda w: [w.certificate_number]),
    # PRV-5..7 (issue 21): the person's own data, after the password again; a correction request.
    Page("mydata", "mydata", who="history", flow="reauth"),
    Page("mydata-accesses", "mydata_accesses", who="history", flow="reauth"),
    Page("mydata-correction", "mydata_correction", who="complete"),
    Page("mydata-correction-errors", "mydata_correction", who="complete", flow="submit", status=400),
    Page("retention-delete", "retention_delete", who="complete", flow="reauth"),
]

# URL names that are not participant pages, and why. Anything else in the
# urlconf must be in PAGES.
EXCLUDED = {
    "inbox_read": "POST only, redirects to the inbox",
    "inbox_read_all": "POST only, redirects to the inbox",
    "registry_test_start": "POST only, redirects to the test",
    "registry_test_answer": "POST only, redirects to the test",
    "registry_photo": "an image, not a page",
    "waves_rejoin": "POST only, redirects to the dashboard",
    "waves_counts": "operators only",
    "waves_counts_wave": "operators only",
    "selection_results_csv": "a CSV download, not a page",
    "selection_draw_csv": "a CSV download, not a page",
    "selection_report": "operators only",
    "selection_report_run": "operators only, POST only, redirects to the report",
    "selection_report_publish": "operators only, POST only, redirects to the report",
    "induction_progress": "POST only, JSON for the video player",
    "induction_video_file": "a video, not a page",
    "induction_captions_file": "captions (WebVTT), not a page",
    "cards_operators_revoked": "operators only",
    "cards_operators_supplementary": "operators only, POST only, redirects to the revoked places",
    "catalog_operators_partners": "operators only",
    "catalog_operators_listings": "operators only",
    "catalog_operators_listing_approve": "operators only, POST only, redirects to the listings",
    "catalog_operators_listing_reject": "operators only, POST only, redirects to the listings",
    "set_language": "POST only, redirects back",
    "certificate_pdf": "a PDF download, not a page",
    "operator_completions": "operators only",
    "operator_completion": "operators only",
    "backoffice_home": "operators only",
    "mydata_download": "POST only: a file (JSON or PDF), not a page",
    "stats_home": "operators only (statistics)",
    "stats_selection": "operators only (statistics)",
    "stats_trainings": "operators only (statistics)",
    "stats_complaints": "operators only (statistics)",
    "stats_csv": "operators only, a CSV download",
    "desk_queue": "operators only (complaints desk)",
    "desk_ticket": "operators only (complaints desk)",
    "desk_assign": "operators only, POST only, redirects to the ticket",
    "desk_reply": "operators only, POST only, redirects to the ticket",
    "desk_resolve": "operators only, POST only, redirects to the ticket",
    "complaint_placeholder": "the old address of the certificate complaint: redirects to complaint_form",
    "complaint_evidence": "an evidence file (a download), not a page",
    "complaint_link_evidence": "an evidence file (a download), not a page",
    "healthz": "JSON for the load balancer",
    "bench_hello": "bench/ yardstick, off unless BENCH_ENDPOINTS",
    "mfa_index": "operators' second factor (OPS-1)",
    "mfa_authenticate": "operators' second factor (OPS-1)",
    "mfa_reauthenticate": "operators' second factor (OPS-1)",
    "mfa_activate_totp": "operators' second factor (OPS-1)",
    "mfa_deactivate_totp": "operators' second factor (OPS-1)",
    "mfa_view_recovery_codes": "operators' second factor (OPS-1)",
    "mfa_generate_recovery_codes": "operators' second factor (OPS-1)",
    "mfa_download_recovery_codes": "operators' second factor (OPS-1), a text download",
}
EXCLUDED_NAMESPACES = {"admin": "the operators' admin",
                       "partner_api": "the partner API: JSON for partners, tested in tests/partners"}


def url_names() -> set[str]:
    """Every named URL outside the excluded namespaces, from the live urlconf."""
    from django.urls import URLResolver, get_resolver

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace not in EXCLUDED_NAMESPACES:
                    yield from walk(pattern.url_patterns)
            elif pattern.name:
                yield pattern.name

    return set(walk(get_resolver().url_patterns))


@dataclass
class World:
    users: dict = field(default_factory=dict)
    waves: dict = field(default_factory=dict)
    confirm_key: str = ""
    finished_purchase: str = ""
    certificate_number: str = ""
    reset_args: list = field(default_factory=list)
    ticket: str = ""
    ticket_token: str = ""
    pending_complaint: str = ""

    def url(self, page: Page) -> str:
        return reverse(page.url_name, args=page.args(self) if page.args else None) + page.query


REASONS = ["Kuota provinsi sudah terpenuhi (undian)", "NIK tidak terverifikasi",
           "Terdaftar sebagai penerima bantuan sosial lain (PKH)"]
INBOX = [
    ("Hasil Gelombang {n}: Selamat, kamu lolos!",
     "Selamat! Kamu lolos seleksi Gelombang {n} Kartu Prakerja. Buka Dashboard untuk melihat nomor kartu dan "
     "saldo bantuan biaya pelatihan. Tonton tiga video singkat tentang program sebelum membeli pelatihan "
     "pertama. Jangan berikan kode OTP kepada siapa pun, termasuk petugas Prakerja."),
    ("Hasil Gelombang {n}", "Kamu Belum Berhasil di Gelombang {n}. Alasan: Kuota provinsi sudah terpenuhi "
     "(undian). Kamu dapat bergabung kembali di gelombang berikutnya tanpa mengisi data lagi."),
    ("NIK kamu sudah terverifikasi", "Dukcapil sudah mencocokkan NIK, nomor KK dan tanggal lahir kamu."),
    ("Tes Motivasi selesai", "Tes Motivasi kamu sudah selesai dan jawabanmu tersimpan. Hasil tes tidak "
     "menentukan kelulusan seleksi."),
    ("Gelombang {n} sudah dibuka", "Gelombang {n} dibuka sampai Minggu pukul 23.59 WIB. Masuk ke Dashboard "
     "lalu pilih Gabung Gelombang. Seleksi dilakukan setelah gelombang ditutup, bukan berdasarkan urutan."),
]


def build(make_user, make_wave) -> World:
    """Every person and wave the pages above need (the personas of tests/conftest.py)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.models import EmailAddress, EmailConfirmationHMAC
    from allauth.account.utils import user_pk_to_url_str

    from prakerja.accounts.models import User
    from prakerja.notifications.models import Message
    from prakerja.registry.models import TestAttempt
    from prakerja.registry.services import motivation
    from prakerja.waves.models import Application, Wave, WaveKind
    from prakerja.waves.services import application_decide, application_join, waves_close_due
    from prakerja.waves.states import ApplicationStatus

    world = World()
    people = {
        "new": ("Siti Rahmawati", "none"), "rejected": ("Agus Salim Hidayat", "rejected"),
        "at_personal": ("Dewi Lestari Putri", "identity"), "at_phone": ("Bambang Sutrisno", "personal"),
        "at_statement": ("Rina Marlina", "phone"), "at_test": ("Yusuf Maulana", "statement"),
        "in_test": ("Fitri Handayani", "statement"), "complete": ("Siti Nurhaliza Rahmawati", "complete"),
        "no_wave": ("Made Wirawan", "complete"), "joined": ("Andi Pratama", "complete"),
        "processing": ("Nur Aini", "complete"), "selecting": ("Eko Prasetyo", "complete"),
        "passed": ("Wahyu Hidayat", "complete"), "failed": ("Lina Marlina Sari", "complete"),
        "revoked": ("Joko Susilo", "complete"), "withdrawn": ("Putu Ayu Lestari", "complete"),
        "history": ("Ahmad Fauzi Ramadhan", "complete"), "no_password": ("Sri Wahyuni", "none"),
        "forgot": ("Rudi Hartono", "complete"), "card_waiting": ("Dian Sastrowardoyo", "complete"),
    }
    for n, (key, (name, stage)) in enumerate(people.items(), start=1):
        user = make_user(email=f"{key.replace('_', '.')}@example.id", full_name=name)
        _profile(user, n, stage, regency=SURABAYA if key == "no_wave" else BANDUNG)
        world.users[key] = user
    User.objects.filter(pk=world.users["no_password"].pk).update(password="!")  # unusable
    world.users["no_password"].refresh_from_db()  # the session hash derives from the password

    attempt = motivation.test_start(actor=world.users["in_test"])
    for question_id in attempt.question_ids[:2]:
        motivation.test_answer(actor=world.users["in_test"], question_id=question_id, choice_index=1)
    # The normal preset's 25 minutes, so the clock outlasts a slow test run.
    TestAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() + timedelta(minutes=25))

    # REG-1: a fresh signup waiting for its confirmation link.
    unconfirmed = make_user(email="belum.konfirmasi@example.id", full_name="Hendra Gunawan", verified=False)
    world.confirm_key = EmailConfirmationHMAC(EmailAddress.objects.get(user=unconfirmed)).key
    # Someone who never signs in here: a sign-in changes last_login, which voids the link.
    world.reset_args = [user_pk_to_url_str(world.users["forgot"]),
                        default_token_generator.make_token(world.users["forgot"])]

    # Past waves, each opened, joined, closed and decided in turn, as in life.
    def wave_round(number, outcomes, *, announced=True, selecting=True):
        wave = make_wave(number=number, quota=800_000 + number * 1000)
        apps = {key: application_join(actor=world.users[key], wave=wave, consent_version=1) for key in outcomes}
        # Announced waves closed weeks ago, older ones further back; the
        # others closed yesterday and announce in a few days.
        closes = timezone.now() - (timedelta(weeks=20 - number) if announced else timedelta(days=1))
        Wave.objects.filter(pk=wave.pk).update(
            opens_at=closes - timedelta(days=3), closes_at=closes, announce_at=closes + timedelta(days=4),
            results_published_at=closes + timedelta(days=4) if announced else None,
            seed_commitment=hashlib.sha256(f"seed-{number}".encode()).hexdigest())
        waves_close_due()
        if selecting:
            from prakerja.waves.services import wave_start_selection

            wave_start_selection(actor=None, wave=Wave.objects.get(pk=wave.pk))
        for key, outcome in outcomes.items():
            if outcome in ("passed", "failed", "revoked"):
                application_decide(actor="system", application=apps[key], passed=outcome != "failed",
                                   reason="" if outcome != "failed" else REASONS[(number + len(key)) % 3])
        return wave

    world.waves["3"] = wave_round(3, {"history": "failed", "revoked": "failed"})
    world.waves["4"] = wave_round(4, {"history": "failed", "failed": "failed"})
    world.waves["5"] = wave_round(5, {"history": "failed", "revoked": "passed", "withdrawn": "failed"})
    world.waves["6"] = wave_round(6, {"history": "passed", "passed": "passed", "failed": "failed",
                                      "card_waiting": "passed"})
    world.waves["7"] = wave_round(7, {"withdrawn": "joined", "selecting": "joined"}, announced=False)
    world.waves["8"] = wave_round(8, {"processing": "joined"}, announced=False, selecting=False)
    Application.objects.filter(user=world.users["revoked"], status=ApplicationStatus.PASSED).update(
        status="revoked", status_reason="Kepesertaan dicabut: data pekerjaan tidak benar")
    if "withdrawn" in ApplicationStatus.values:  # REG-3: a pending identity the registry later rejected
        Application.objects.filter(user=world.users["withdrawn"], wave=world.waves["7"]).update(
            status="withdrawn", status_reason="NIK tidak terverifikasi oleh Dukcapil")
    world.waves["open"] = make_wave(number=9, opens=-1, closes=3, announce=5, provinces=("31", "32", "33", "36"),
                                    seed_commitment=hashlib.sha256(b"seed-9").hexdigest())
    application_join(actor=world.users["joined"], wave=world.waves["open"], consent_version=1)
    world.waves["10"] = make_wave(number=10, opens=7, closes=10, announce=12, kind=WaveKind.SUPPLEMENTARY)

    _results(world.waves["6"])
    _cards(world)
    _trainings(world)
    _complaints(world)

    _inbox(Message, world.users["complete"], count=50)
    for key in ("history", "passed", "failed"):
        _inbox(Message, world.users[key], count=6)
    return world


def _cards(world) -> None:
    """Wave 6's cards, issued and credited; one balance still on its way; one person with the videos watched."""
    from prakerja.cards.models import Card
    from prakerja.cards.services.issuance import issuance_continue, issuance_schedule
    from prakerja.induction.models import InductionVideo, VideoProgress

    issuance_continue(issuance=issuance_schedule(wave=world.waves["6"]))
    Card.objects.filter(user=world.users["card_waiting"]).update(credited_at=None)
    now = timezone.now()
    for video in InductionVideo.objects.all():
        VideoProgress.objects.create(user=world.users["history"], video=video,
                                     covered_seconds=video.duration_seconds, completed_at=now)


def _trainings(world) -> None:
    """Six purchases for "history", newest first: paid, a report held for long, redeemed, finished twice (one
    reviewed), cancelled: the dashboard's "Pelatihanmu" and "Riwayat Pelatihan" with every state."""
    from datetime import timedelta

    from django.utils import timezone

    from prakerja.cards.models import Card
    from prakerja.catalog.models import Course, Listing
    from prakerja.learning.completions import certificate_issue
    from prakerja.learning.models import Completion, Payment, Review
    from prakerja.partners.models import Partner
    from prakerja.partners.services import partner_create

    for kind, code, name in (("platform", "pages-platform", "Tokopedia"), ("provider", "pages-provider",
                                                                            "Skill Academy by Ruangguru")):
        partner_create(kind=kind, code=code, name=name, actor=None, secret="pages-secret")
    platform, provider = Partner.objects.get(code="pages-platform"), Partner.objects.get(code="pages-provider")
    card = Card.objects.get(user=world.users["history"])
    now = timezone.now()
    states = ["paid", "held", "redeemed", "finished", "reviewed", "cancelled"]
    for n, state in enumerate(states):
        course = Course.objects.create(
            provider=provider, code=f"PGS-{n:03d}", title=f"Teknik Pemasaran Digital untuk UMKM, Tingkat {n + 1}",
            description="Belajar membuat konten, iklan berbayar dan membaca data penjualan.", category="sales",
            kind="webinar", hours=12)
        listing = Listing.objects.create(platform=platform, course=course, price=750_000 - n * 50_000,
                                         status="approved", code=f"PGS-L{n:03d}", decided_at=now)
        paid_at = now - timedelta(days=n * 9 + 1)
        payment = Payment.objects.create(
            platform=platform, listing=listing, card=card, amount=listing.price, platform_order_id=f"INV/PG/{n}",
            platform_user_id="u-pages", buyer_name=card.user.full_name, buyer_email=card.user.email,
            buyer_phone="+6281200000001", status="cancelled" if state == "cancelled" else "paid", otp_hash="0" * 64,
            otp_expires_at=paid_at, voucher_code=f"PGV{n:07d}", redeem_code=f"PGR{n:09d}", paid_at=paid_at,
            redeemed_at=None if state in ("paid", "cancelled") else paid_at + timedelta(hours=2),
            cancelled_at=now if state == "cancelled" else None)
        if state in ("held", "finished", "reviewed"):
            reported = paid_at + timedelta(days=1)
            completion = Completion.objects.create(
                payment=payment, provider=provider, completed_at=reported, reported_at=reported,
                provider_certificate_number=f"SA/2026/{n:05d}", certificate_url="https://lp.example.id/c/1",
                score=88, participant_name=card.user.full_name, participant_email=card.user.email,
                participant_phone="+6281200000001", mismatches=["name"] if state == "held" else [],
                status="held" if state == "held" else "accepted")
            if state != "held":
                certificate_issue(completion, now=reported)
        if state == "finished":
            world.finished_purchase = str(payment.public_id)
            world.certificate_number = payment.certificate.number
        if state == "reviewed":
            Review.objects.create(payment=payment, course=course, user=card.user, stars=4, created_at=now,
                                  text="Materinya runtut dan contohnya dekat dengan usaha saya. " * 8)


def _complaints(world) -> None:
    """Five tickets for "history" in each status, the newest answered both ways with evidence and resolved;
    and a locked-out person's complaint waiting for its emailed code."""
    from prakerja.accounts.services import operator_create
    from prakerja.complaints.services import (
        EvidenceFile,
        pending_complaint_start,
        ticket_link,
        ticket_open,
        ticket_reply_agent,
        ticket_reply_participant,
        ticket_resolve,
    )

    user = world.users["history"]
    agent = operator_create(actor="system", email="agen.pengaduan@prakerja.test", full_name="Agen Pengaduan",
                            roles=["complaints_agent"], password=PASSWORD)
    now = timezone.now()
    subjects = [("purchase", "payment_failed"), ("incentive", "incentive_missing"), ("videos", "progress_not_saved"),
                ("payout_account", "cannot_link"), ("registration", "phone_otp")]
    tickets = [ticket_open(user=user, name=user.full_name, phone="+6281200000001", email=user.email, category=category,
                           subcategory=subcategory, consent=True, now=now - timedelta(days=n * 3),
                           description="Saldo saya terpotong Rp750.000 tetapi pembelian di Tokopedia gagal dan "
                                       "voucher tidak muncul di Riwayat Pelatihan. Mohon dibantu. " * 2)
               for n, (category, subcategory) in enumerate(subjects)]
    first = tickets[0]
    ticket_reply_agent(ticket_id=first.pk, agent=agent, wait_for_participant=True,
                       body="Halo, mohon kirim nomor invoice dari Tokopedia dan tangkapan layar saldo kamu.")
    # Rows only: the page links the files, it does not read them.
    files = [EvidenceFile(file="complaints/pages-invoice.pdf", original_name="invoice-tokopedia.pdf",
                          content_type="application/pdf", size=182_044),
             EvidenceFile(file="complaints/pages-saldo.jpg", original_name="saldo.jpg", content_type="image/jpeg",
                          size=96_120)]
    ticket_reply_participant(ticket_id=first.pk, user=user, body="Nomor invoice INV/20261127/MPL/0001.",
                             evidence=files)
    ticket_resolve(ticket_id=first.pk, agent=agent,
                   body="Saldo Rp750.000 sudah dikembalikan ke Kartu Prakerja kamu. Silakan cek Dashboard.")
    ticket_reply_agent(ticket_id=tickets[1].pk, agent=agent, body="Sedang kami periksa dengan bank penyalur.")
    world.ticket = str(first.public_id)
    world.ticket_token = ticket_link(tickets[1]).rstrip("/").rsplit("/", 1)[1]
    world.pending_complaint = str(pending_complaint_start(email="lupa.sandi@example.id", data={
        "name": "Rudi Hartono", "phone": "+6281299990000", "category": "registration",
        "subcategory": "cannot_sign_in", "description": "Saya lupa kata sandi dan email reset tidak sampai.",
        "consent": True}).public_id)


def _profile(user, n: int, stage: str, *, regency: str) -> None:
    """A profile filled up to ``stage``, every field as a real registrant leaves it."""
    from prakerja.regions.models import Regency
    from prakerja.registry.models import PhoneVerification, Profile, StatementVersion, TestAttempt

    if stage == "none":
        return
    now = timezone.now()
    order = ["rejected", "identity", "personal", "phone", "statement", "complete"]
    reached = order.index(stage)
    fields = {"nik_masked": f"3273********{n:04d}", "nik_index": f"pages-nik-{n}", "kk_index": f"pages-kk-{n}",
              "female": n % 2 == 0, "identity_submitted_at": now - timedelta(days=90)}
    if stage == "rejected":
        fields.update(identity_status="rejected", identity_reasons=["kk_mismatch", "name_mismatch"],
                      identity_checked_at=now - timedelta(days=1))
    elif stage == "personal":  # Dukcapil was unreachable: the step waits, the person goes on
        fields.update(identity_status="pending", identity_next_check_at=now + timedelta(minutes=10))
    else:
        fields.update(identity_status="verified", identity_checked_at=now - timedelta(days=90))
    if reached >= order.index("personal"):
        fields.update(ktp_address="Jl. Merdeka No. 17, RT 003/RW 005, Kel. Citarum, Kec. Bandung Wetan, "
                                  "Kota Bandung, Jawa Barat 40115",
                      domicile_regency=Regency.objects.get(code=regency),
                      domicile_street="Jl. Asia Afrika No. 112, RT 001/RW 002, Kel. Braga",
                      education="sma", employment_status="job_seeker", ktp_photo=f"ktp/{user.public_id}.jpg",
                      selfie=f"selfie/{user.public_id}.jpg", personal_data_at=now - timedelta(days=89))
    if reached >= order.index("phone"):
        fields.update(phone=f"+62812{n:08d}", phone_verified_at=now - timedelta(days=89))
    if reached >= order.index("statement"):
        fields.update(statement_version=StatementVersion.objects.order_by("-version").first(),
                      statement_accepted_at=now - timedelta(days=89))
    if stage == "complete":
        fields.update(completed_at=now - timedelta(days=89))
        TestAttempt.objects.create(user=user, question_ids=list(range(1, 11)), started_at=now - timedelta(days=89),
                                   deadline=now - timedelta(days=89) + timedelta(minutes=1),
                                   submitted_at=now - timedelta(days=89), score=7)
    Profile.objects.update_or_create(user=user, defaults=fields)
    if stage == "personal":  # a code is on its way to the phone (REG-5)
        PhoneVerification.objects.create(user=user, phone=f"+62812{n:08d}", code_hash="0" * 64,
                                         expires_at=now + timedelta(minutes=5), last_sent_at=now)


def _results(wave) -> None:
    """A finished run of ``wave`` with the report a national wave has: every province, every reason."""
    from prakerja.regions.models import Province
    from prakerja.selection.models import SelectionRun
    from prakerja.waves.models import Wave

    seed = "6" * 64
    Wave.objects.filter(pk=wave.pk).update(seed=seed, seed_commitment=hashlib.sha256(seed.encode()).hexdigest(),
                                           seed_revealed_at=timezone.now() - timedelta(weeks=13))
    wave.refresh_from_db()
    provinces, by_province = list(Province.objects.order_by("code")), []
    for n, province in enumerate(provinces):
        applied = 0 if n == 5 else 7 if n == 6 else 40_000 + n * 9_731
        passed = 0 if n == 5 else 3 if n == 6 else applied // 7
        by_province.append({"code": province.code, "name": province.name, "applied": applied,
                            "eligible": applied * 9 // 10, "passed": passed,
                            "quota": passed if province.code in ("31", "32") else None})
    reasons = [("SEL-1", "nik_unverified", 81_204), ("SEL-2", "age", 12_977), ("SEL-2", "list:asn", 4_310),
               ("SEL-2", "list:tni", 2), ("SEL-2", "list:pendidikan-formal", 20_118), ("SEL-3", "past_participant", 9),
               ("SEL-3", "revoked", 0), ("SEL-3", "kk_cap", 3_402), ("SEL-4", "drawn", 800_006),
               ("SEL-4", "not_drawn", 1_204_511)]
    applied = sum(row["applied"] for row in by_province)
    report = {"applied": applied, "withdrawn": 5, "eligible": sum(row["eligible"] for row in by_province),
              "passed": sum(row["passed"] for row in by_province), "quota": wave.national_quota,
              "national_pool": 600_000, "provincial_quotas": {},
              "by_reason": [{"decided_stage": s, "reason_code": c, "count": k} for s, c, k in reasons],
              "by_province": by_province}
    SelectionRun.objects.create(wave=wave, status="done", finished_at=timezone.now() - timedelta(weeks=13),
                                stages_done=["start", "SEL-1", "SEL-2", "SEL-3", "SEL-4", "report"],
                                timings={"start": 1.5, "SEL-1": 2.25, "report": 0.5}, report=report)


def _inbox(Message, user, *, count: int) -> None:  # noqa: N803 - the model, passed in to keep imports lazy
    now = timezone.now()
    rows = []
    for i in range(count):
        subject, body = INBOX[i % len(INBOX)]
        rows.append(Message(idempotency_key=f"pages:{user.public_id}:{i}", channel="inbox", user=user,
                            template="pages", subject=subject.format(n=i % 9 + 1), body=body.format(n=i % 9 + 1),
                            status="sent", sent_at=now - timedelta(hours=i),
                            read_at=None if i % 3 else now - timedelta(hours=i)))
    Message.objects.bulk_create(rows)
    for i in range(count):  # created_at is set on insert; spread the messages over two days
        Message.objects.filter(idempotency_key=f"pages:{user.public_id}:{i}").update(
            created_at=now - timedelta(hours=i))
