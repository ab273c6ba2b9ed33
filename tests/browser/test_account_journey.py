"""Done-when of issue 2, in a real browser: sign up, confirm from the sandbox
outbox, log in with "Ingat Saya", see the dashboard and the bell, switch to
English, log out."""

import re
import time

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
EMAIL = "rina@example.id"
PASSWORD = "Sandi-Rahasia-2026"


def wait_for_mail(sandbox, to, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        mails = [m for m in sandbox.outbox(to=to) if m["channel"] == "email"]
        if mails:
            return mails
        time.sleep(0.2)
    raise AssertionError(f"no email for {to} in the sandbox outbox")


def test_signup_confirm_login_dashboard_logout(page, live_server, sandbox_mail, shot):
    page.goto(f"{live_server.url}/accounts/signup/")
    assert page.locator("h1").inner_text() == "Daftar"

    # Bad input first: mismatched passwords and no statement.
    page.get_by_label("Nama Lengkap").fill("Rina Kartika")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Kata Sandi", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi Kata Sandi").fill("Sandi-Lain-2026")
    page.get_by_role("button", name="Daftar").click()
    expect(page.locator(".errorlist").first).to_be_visible()
    expect(page.get_by_text("Centang pernyataan ini untuk melanjutkan.")).to_be_visible()
    shot(page, "signup-errors-id")

    page.get_by_label("Kata Sandi", exact=True).fill(PASSWORD)
    page.get_by_label("Ulangi Kata Sandi").fill(PASSWORD)
    page.locator("#id_statement").check()
    page.get_by_role("button", name="Daftar").click()
    page.wait_for_url("**/accounts/confirm-email/")
    shot(page, "verification-sent-id")

    mail = wait_for_mail(sandbox_mail, EMAIL)[0]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail["body"]).group(0)
    page.goto(link)
    page.get_by_role("button", name=re.compile("Konfirmasi")).click()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Kata Sandi", exact=True).fill(PASSWORD)
    page.get_by_label("Ingat Saya").check()
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_test_id("unread-count").inner_text() == "1"  # the welcome message
    shot(page, "dashboard-id")
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert session["expires"] - time.time() > 29 * 24 * 3600  # "Ingat Saya": 30 days

    page.locator("a.bell").click()
    expect(page.get_by_text("Selamat datang di Prakerja")).to_be_visible()

    page.select_option("#language", "en")
    page.get_by_role("button", name="Ubah").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    shot(page, "inbox-en")
    page.get_by_role("button", name="Sign out").click()
    page.goto(f"{live_server.url}/dashboard/")
    assert "/accounts/login/" in page.url


def test_login_without_remember_me_is_a_browser_session(page, live_server, make_user):
    user = make_user(email="budi@example.id")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Kata Sandi", exact=True).fill("salah")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_text("kata sandi yang anda masukkan tidak benar")).to_be_visible()
    page.get_by_label("Kata Sandi", exact=True).fill("Sandi-Rahasia-2026")
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url("**/dashboard/")
    session = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    assert session["expires"] == -1  # ends with the browser
