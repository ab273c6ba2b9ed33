"""CMP-1, CMP-2 done-when: axe finds no WCAG 2.2 AA violation on the complaint pages, on a cheap phone and on a
desktop, in Indonesian: the form (signed out and signed in, empty and with errors), the email-code page (and
its error), "Pengaduanku", and a ticket's page with messages both ways, evidence and the close button (signed
in, and by the emailed link, with a reply's errors). Then the form is sent in the browser, without JavaScript.
"""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from prakerja.complaints.evidence import evidence_check, evidence_store
from prakerja.complaints.models import Ticket
from prakerja.complaints.services import (
    pending_complaint_start,
    ticket_link,
    ticket_open,
    ticket_reply_agent,
    ticket_reply_participant,
    ticket_resolve,
)
from prakerja.registry.models import Profile
from tests.accounts.operators import make_operator
from tests.browser.test_accessibility import describe, sign_in_with_cookie, violations
from tests.complaints.test_complaint_evidence import jpeg_bytes, pdf_bytes, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


@pytest.fixture
def world(make_user, private_storage):
    user = make_user(email="siti.rahmawati@example.id", full_name="Siti Rahmawati")
    Profile.objects.create(user=user, phone="+6281234567890", phone_verified_at=timezone.now())
    agent = make_operator("complaints_agent")
    tickets = []
    for n in range(6):
        tickets.append(ticket_open(
            user=user, name=user.full_name, phone="+6281234567890", email=user.email, category="purchase",
            subcategory="payment_failed", consent=True, now=timezone.now() - timedelta(days=n),
            description="Saldo terpotong Rp750.000 tetapi pembelian di Tokopedia gagal. " * 3))
    ticket = tickets[0]
    files = evidence_store(evidence_check([upload("bukti-bayar.jpg", jpeg_bytes()),
                                           upload("invoice.pdf", pdf_bytes())]))
    ticket_reply_agent(ticket_id=ticket.pk, agent=agent, wait_for_participant=True,
                       body="Mohon kirim nomor invoice dari Tokopedia dan tangkapan layar saldo.")
    ticket_reply_participant(ticket_id=ticket.pk, user=user, body="Nomor invoice INV/2026/11/0001.", evidence=files)
    ticket_resolve(ticket_id=ticket.pk, agent=agent, body="Saldo sudah dikembalikan ke kartu kamu.")
    ticket_reply_agent(ticket_id=tickets[1].pk, agent=agent, body="Sedang kami periksa dengan platform.")
    pending = pending_complaint_start(email="budi.santoso@example.id", data={
        "name": "Budi Santoso", "phone": "+6281298765432", "category": "registration", "subcategory": "cannot_sign_in",
        "description": "Saya lupa kata sandi dan email reset tidak sampai.", "consent": True})
    return {"user": user, "ticket": ticket, "open": tickets[1], "pending": pending,
            "link": urlsplit(ticket_link(tickets[1])).path}


def pages(world):
    """(id, url, signed in, send the first form empty first)."""
    ticket = world["ticket"]
    confirm = reverse("complaint_confirm", args=[world["pending"].public_id])
    return [
        ("form-signed-out", reverse("complaint_form"), False, False),
        ("form-signed-out-errors", reverse("complaint_form"), False, True),
        ("form", reverse("complaint_form") + "?kategori=certificate", True, False),
        ("form-errors", reverse("complaint_form"), True, True),
        ("confirm", confirm, False, False),
        ("confirm-errors", confirm, False, True),
        ("list", reverse("complaint_list"), True, False),
        ("ticket-resolved", reverse("complaint_ticket", args=[ticket.public_id]), True, False),
        ("ticket-link", world["link"], False, False),
        ("ticket-link-errors", world["link"], False, True),
    ]


@pytest.mark.parametrize("viewport", [None, {"width": 1280, "height": 800}], ids=["phone", "desktop"])
def test_the_complaint_pages_pass_axe_at_wcag_22_aa(page, live_server, settings, axe, shot, world, viewport):
    if viewport:
        page.set_viewport_size(viewport)
    report = []
    for page_id, url, signed_in, submit in pages(world):
        page.context.clear_cookies()
        if signed_in:
            sign_in_with_cookie(page, live_server, world["user"], settings)
        response = page.goto(live_server.url + url)
        if submit:
            with page.expect_navigation() as navigation:
                page.locator("main form button[type=submit]").first.click()
            response = navigation.value
            assert page.locator(".errorlist").count() > 0, (page_id, response.status)
        assert response.status == 200, (page_id, response.status)
        found = violations(axe, page)
        if found:
            shot(page, f"axe-complaint-{page_id}-{'desktop' if viewport else 'phone'}")
            report.append(describe(page_id, url, found))
    assert not report, "WCAG 2.2 AA violations (screenshots in test-results/axe-complaint-*.png):\n" + "\n".join(report)


def test_a_complaint_is_sent_from_the_phone_without_javascript(browser, live_server, settings, world):
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, java_script_enabled=False,
                                  locale="id-ID")
    page = context.new_page()
    try:
        sign_in_with_cookie(page, live_server, world["user"], settings)
        page.goto(live_server.url + reverse("complaint_form"))
        assert page.locator("h1").inner_text() == "Formulir Pengaduan"
        page.locator("#id_subcategory").select_option("redeem_code")
        page.locator("#id_description").fill("Kode redeem saya ditolak oleh lembaga pelatihan sejak kemarin.")
        page.locator("#id_evidence").set_input_files([{"name": "layar.png", "mimeType": "image/png",
                                                       "buffer": jpeg_bytes(fmt="PNG")}])
        page.locator("#id_consent").check()
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        ticket = Ticket.objects.get(subcategory="redeem_code")
        assert urlsplit(page.url).path == reverse("complaint_ticket", args=[ticket.public_id])
        assert ticket.number in page.locator("main").inner_text()
        assert ticket.evidence.get().original_name == "layar.jpg"
    finally:
        context.close()


def test_the_pages_fit_a_360px_phone(page, live_server, settings, world):
    for _id, url, signed_in, _submit in pages(world):
        page.context.clear_cookies()
        if signed_in:
            sign_in_with_cookie(page, live_server, world["user"], settings)
        page.goto(live_server.url + url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, url
