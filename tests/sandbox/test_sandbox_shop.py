"""The sandbox's demo shop buys a training from a live Prakerja, as a platform would: over HTTP, signed.

The main app runs as pytest-django's live server; the shop runs in its own
sandbox process (its own settings and database) pointed at it, with a
catalogue file of its own naming the test's listings. The tests drive the
shop's pages like a shopper's browser (httpx, with the CSRF cookie) and read
the OTP where the platform stored the SMS (no SMS gateway runs here).
"""

# ruff: noqa: F811 - the fixtures imported from tests/cards and tests/partners are parameters here
import json
import re
import socket
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from prakerja.learning.models import Payment
from prakerja.notifications.models import Message
from prakerja.sandbox.testing import start_sandbox
from tests.cards.conftest import announced_wave, card, issue, queued, watched  # noqa: F401
from tests.partners.conftest import card_number, listing, make_listing, platform, provider, ready_card  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

PRICE = 750_000
CATALOGUE = {"platform": "tokopedia", "source": "tests/sandbox/test_sandbox_shop.py", "listings": [
    {"code": f"TKP-{n:05d}", "title": f"Kursus {n}", "provider": "Skillnesia", "category": "Penjualan dan Pemasaran",
     "kind": "Webinar", "hours": 8, "price": PRICE, "schedule": "Setiap Senin", "location": "",
     "description": "Belajar."} for n in range(1, 4)]}


def start_shop_sandbox(tmp_path_factory, name: str, api_url: str, listings: dict = CATALOGUE):
    """A sandbox process whose shop (and provider desk) calls ``api_url``, selling ``listings``."""
    folder = tmp_path_factory.mktemp(name)
    catalogue = folder / "catalogue.json"
    catalogue.write_text(json.dumps(listings), encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SANDBOX_SHOP_API_URL", api_url)
        env.setenv("SANDBOX_SHOP_CATALOGUE", str(catalogue))
        env.setenv("SANDBOX_SHOP_API_TIMEOUT", "5")
        env.setenv("SANDBOX_FAMILIES", "0")  # no civil registry needed: the shop only
        return start_sandbox(folder / "sandbox.sqlite3")


def dead_api_url() -> str:
    with socket.socket() as probe:  # a port nobody listens on: the API is down
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/partner/v1"


@pytest.fixture(scope="module")
def shop_process(live_server, tmp_path_factory):
    process = start_shop_sandbox(tmp_path_factory, "shop", f"{live_server.url}/api/partner/v1")
    yield process
    process.stop()


@pytest.fixture(scope="module")
def dead_shop_process(tmp_path_factory):
    process = start_shop_sandbox(tmp_path_factory, "dead-shop", dead_api_url())
    yield process
    process.stop()


class Browser:
    """A shopper's browser: cookies kept, redirects followed, the CSRF token taken from the page shown."""

    def __init__(self, base_url: str):
        self.http = httpx.Client(base_url=base_url, follow_redirects=True, timeout=30)
        self.page = ""

    def get(self, path: str) -> httpx.Response:
        response = self.http.get(path)
        self.page = response.text
        return response

    def field(self, name: str) -> str:
        tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', self.page).group(0)
        return re.search(r'value="([^"]*)"', tag).group(1)

    def submit(self, path: str, **data) -> httpx.Response:
        response = self.http.post(path, data={"csrfmiddlewaretoken": self.field("csrfmiddlewaretoken"), **data})
        self.page = response.text
        return response


@pytest.fixture
def browser(shop_process):
    shopper = Browser(shop_process.url)
    yield shopper
    shopper.http.close()


def checkout(browser, code: str, card: str, **overrides) -> httpx.Response:
    browser.get(f"/shop/kursus/{code}")
    form = {"token": browser.field("token"), "card_number": card, "name": "Siti Rahma", "email": "siti@example.id",
            "phone": "081234567890", **overrides}
    return browser.submit(f"/shop/kursus/{code}", **form)


def sent_otp() -> str:
    message = Message.objects.filter(template="payment_otp").order_by("-id").first()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def order_path(response: httpx.Response) -> str:
    return re.search(r"/shop/pesanan/[0-9a-f]{32}", str(response.url)).group(0)


def test_a_shopper_buys_a_training_then_cancels_it(browser, ready_card, card_number, listing, queued):
    before = ready_card.account.balance
    catalogue = browser.get("/shop/")
    assert catalogue.status_code == 200 and "Kursus 1" in catalogue.text and "Rp750.000" in catalogue.text

    browser.get(f"/shop/kursus/{listing.code}")
    form = {"token": browser.field("token"), "card_number": " ".join(re.findall("....", card_number)),
            "name": "Siti Rahma", "email": "siti@example.id", "phone": "081234567890"}
    csrf = browser.field("csrfmiddlewaretoken")
    started = browser.submit(f"/shop/kursus/{listing.code}", **form)
    assert started.status_code == 200 and "Kode OTP dikirim" in started.text, started.text
    assert 'href="/outbox"' in started.text
    order = order_path(started)
    # A double click (the same form sent again): the same order, one payment, one OTP.
    again = browser.http.post(f"/shop/kursus/{listing.code}", data={"csrfmiddlewaretoken": csrf, **form})
    assert order_path(again) == order
    payment = Payment.objects.get()
    assert (payment.platform_order_id, payment.platform_user_id) == (
        re.search(r"INV/\d{8}/[0-9A-F]{10}", started.text).group(0), "u-10001")
    assert Message.objects.filter(template="payment_otp").count() == 1

    otp = sent_otp()
    wrong = "000000" if otp != "000000" else "111111"
    browser.get(order)
    refused = browser.submit(f"{order}/otp", nonce=browser.field("nonce"), otp=wrong)
    assert refused.status_code == 400
    assert "Kode OTP salah." in refused.text and "Sisa percobaan: 2" in refused.text and "Traceback" not in refused.text

    paid = browser.submit(f"{order}/otp", nonce=browser.field("nonce"), otp=otp)
    payment.refresh_from_db()
    assert paid.status_code == 200 and "Pembayaran berhasil" in paid.text, paid.text
    assert payment.status == "paid" and payment.voucher_code in paid.text
    ready_card.account.refresh_from_db()
    assert ready_card.account.balance == before - PRICE

    mine = browser.get("/shop/pesanan")
    assert listing.course.title in mine.text and "Lunas" in mine.text

    browser.get(order)
    cancelled = browser.submit(f"{order}/batal")
    assert cancelled.status_code == 200 and "Pesanan dibatalkan" in cancelled.text, cancelled.text
    assert "Saldo Rp750.000 dikembalikan" in cancelled.text
    payment.refresh_from_db()
    ready_card.account.refresh_from_db()
    assert payment.status == "cancelled" and ready_card.account.balance == before
    # The order page asks Prakerja for the state again: still cancelled, nothing left to do.
    shown = browser.get(order)
    assert "Dibatalkan" in shown.text and "Batalkan pesanan" not in shown.text and "Konfirmasi" not in shown.text


def test_a_double_click_pays_once(postgres_only, browser, ready_card, card_number, listing, queued):
    """Two submissions of one checkout form at the same moment: one order, one key, one payment, one OTP.

    PostgreSQL only: the live server on SQLite shares one connection between its threads.
    """
    browser.get(f"/shop/kursus/{listing.code}")
    form = {"csrfmiddlewaretoken": browser.field("csrfmiddlewaretoken"), "token": browser.field("token"),
            "card_number": card_number, "name": "Siti Rahma", "email": "siti@example.id", "phone": "081234567890"}
    with ThreadPoolExecutor(2) as pool:
        clicks = list(pool.map(lambda _: browser.http.post(f"/shop/kursus/{listing.code}", data=form), range(2)))
    assert {c.status_code for c in clicks} == {200} and len({order_path(c) for c in clicks}) == 1
    assert Payment.objects.count() == 1 and Message.objects.filter(template="payment_otp").count() == 1
    order = order_path(clicks[0])
    browser.get(order)
    nonce, otp = browser.field("nonce"), sent_otp()
    with ThreadPoolExecutor(2) as pool:
        confirms = list(pool.map(lambda _: browser.http.post(f"{order}/otp", data={
            "csrfmiddlewaretoken": browser.field("csrfmiddlewaretoken"), "nonce": nonce, "otp": otp}), range(2)))
    assert all("Pembayaran berhasil" in c.text for c in confirms), [c.text for c in confirms]
    ready_card.account.refresh_from_db()
    assert ready_card.account.balance == ready_card.programme.training_balance - PRICE


def test_insufficient_balance_is_shown_in_indonesian(browser, ready_card, card_number, platform, make_listing,
                                                      queued):
    expensive = make_listing(platform, price=ready_card.account.balance + 1_000)
    refused = checkout(browser, expensive.code, card_number)
    assert refused.status_code == 400 and "Saldo tidak mencukupi" in refused.text, refused.text
    assert "insufficient_balance" in refused.text and "Traceback" not in refused.text
    first_token = re.search(r"token=([0-9a-f]{32})", str(refused.request.content)).group(1)
    assert browser.field("token") != first_token  # a corrected retry is a new order with a new key
    assert browser.field("card_number") == card_number
    assert not Payment.objects.exists()


def test_an_unknown_card_and_a_malformed_one(browser, ready_card, listing, queued):
    refused = checkout(browser, listing.code, "5000000000000001")
    assert refused.status_code == 400 and "Nomor kartu tidak ditemukan." in refused.text
    local = checkout(browser, listing.code, "12345")
    assert local.status_code == 400 and "16 angka" in local.text  # refused by the shop, never sent
    assert not Payment.objects.exists()


def test_a_card_whose_induction_videos_are_not_watched_is_refused_with_a_hint(browser, card, listing, queued):
    from prakerja.registry import crypto

    refused = checkout(browser, listing.code, crypto.decrypt(card.number_encrypted))
    assert refused.status_code == 400 and "card_inactive" in refused.text
    assert "3 video pengenalan" in refused.text  # the shop says what to do about it


def test_three_wrong_otps_fail_the_payment(browser, ready_card, card_number, listing, queued):
    order = order_path(checkout(browser, listing.code, card_number))
    wrong = "000000" if sent_otp() != "000000" else "111111"
    for left in (2, 1):
        refused = browser.submit(f"{order}/otp", nonce=browser.field("nonce"), otp=wrong)
        assert f"Sisa percobaan: {left}" in refused.text
    failed = browser.submit(f"{order}/otp", nonce=browser.field("nonce"), otp=wrong)
    assert failed.status_code == 400 and "payment_failed" in failed.text and "Gagal" in failed.text
    assert 'name="otp"' not in failed.text
    assert Payment.objects.get().status == "failed"


def test_the_api_being_down_is_a_clear_message_and_the_retry_keeps_its_key(dead_shop_process):
    browser = Browser(dead_shop_process.url)
    down = checkout(browser, "TKP-00001", "5000000000000001")
    assert down.status_code == 503 and "tidak dapat dihubungi" in down.text and "Traceback" not in down.text
    sent = re.search(r"token=([0-9a-f]{32})", str(down.request.content)).group(1)
    assert browser.field("token") == sent  # pressing the button again reuses the order's Idempotency-Key
    browser.http.close()


@pytest.mark.parametrize("path", ["/shop/", "/shop/pesanan"])
def test_a_new_browser_switches_shopper_on_the_first_page_it_opens(browser, path):
    """The header's "Masuk sebagai" form posts with a CSRF token: the page that shows it sets the cookie."""
    browser.get(path)
    picker = re.search(r'<select id="user_id".*?</select>', browser.page, re.S).group(0)
    shoppers = re.findall(r'<option value="([^"]+)"', picker)
    assert len(shoppers) > 1
    response = browser.submit("/shop/akun", user_id=shoppers[-1], next=path)
    assert response.status_code == 200 and f'<option value="{shoppers[-1]}" selected>' in response.text


def test_a_forged_switch_without_the_pages_token_is_still_refused(browser):
    """Setting the cookie on every page does not open the form to another site: its token is still required."""
    browser.get("/shop/")
    assert browser.http.cookies.get("csrftoken")
    picker = re.search(r'<select id="user_id".*?</select>', browser.page, re.S).group(0)
    other = re.findall(r'<option value="([^"]+)"', picker)[-1]
    forged = browser.http.post("/shop/akun", data={"user_id": other, "next": "/shop/"})
    assert forged.status_code == 403
    assert f'<option value="{other}" selected>' not in browser.get("/shop/").text
