"""The sandbox's provider desk redeems and completes a training at a live Prakerja, as a provider would.

The main app runs as pytest-django's live server; the desk runs in its own
sandbox process (its own settings and database) pointed at it and signs as
one of the demo providers, whose partner rows the tests create with the demo
secrets ("sandbox-<code>"). Purchases are made through the real API too: by
the sandbox's shop, or by the platform's signed calls (tests/partners). The
tests drive the desk's pages like a browser (httpx, with the CSRF cookie).
"""

# ruff: noqa: F811 - the fixtures imported from tests/cards, tests/partners and tests/sandbox are parameters here
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model

from prakerja.audit.models import AuditEntry
from prakerja.learning.models import Certificate, Completion, Payment
from tests.cards.conftest import announced_wave, card, issue, queued, watched  # noqa: F401
from tests.partners.conftest import api, card_number, listing, make_listing, make_partner, platform, ready_card  # noqa: F401
from tests.partners.test_api_payments import paid, started  # noqa: F401
from tests.sandbox.test_sandbox_shop import Browser, checkout, dead_api_url, order_path, sent_otp, start_shop_sandbox

pytestmark = pytest.mark.django_db(transaction=True)

# The contract's messages, verbatim (docs/partner-api.md), and the project's two additions.
NOT_FOUND = "Kode redeem tidak ditemukan"
WRONG_PROVIDER = "Kode redeem bukan milik lembaga pelatihan yang kamu pilih"
USED = "Kode redeem sudah digunakan"
TRANSACTION_CANCELLED = "Transaksi sudah dibatalkan"
NOT_USED = "Kode redeem belum digunakan: tukarkan dulu sebelum melaporkan pelatihan selesai"
ALREADY_COMPLETED = "Pelatihan ini sudah dilaporkan selesai"
ACCEPTED = "Diterima: sertifikat muncul di Dashboard peserta"
HELD = "Ditahan untuk diperiksa operator"
PROVIDER_NAME = "LPK Nusantara Cendekia"
CATALOGUE = {"platform": "tokopedia", "source": "tests/sandbox/test_sandbox_provider.py", "listings": [
    {"code": f"TKP-{n:05d}", "title": f"Kursus {n}", "provider": PROVIDER_NAME, "category": "Teknologi Informasi",
     "kind": "Webinar", "hours": 8, "price": 750_000, "schedule": "Setiap Senin", "location": "",
     "description": "Belajar."} for n in range(1, 4)]}


@pytest.fixture(scope="module")
def desk_process(live_server, tmp_path_factory):
    process = start_shop_sandbox(tmp_path_factory, "desk", f"{live_server.url}/api/partner/v1", CATALOGUE)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def dead_desk_process(tmp_path_factory):
    process = start_shop_sandbox(tmp_path_factory, "dead-desk", dead_api_url(), CATALOGUE)
    yield process
    process.stop()


@pytest.fixture
def provider(db):
    """The desk's default provider, with the demo data's secret (prakerja/demo/partners.py)."""
    return make_partner("provider", "nusantara-cendekia", secret="sandbox-nusantara-cendekia")


@pytest.fixture
def other_provider(db):
    return make_partner("provider", "widya-karya", secret="sandbox-widya-karya")


@pytest.fixture
def holder(ready_card):
    """The cardholder as the buyer in tests/partners' start_body: Siti Rahma, siti@example.id, +6281234567890."""
    get_user_model().objects.filter(pk=ready_card.user_id).update(full_name="Siti Rahma", email="siti@example.id")
    return ready_card.user


@pytest.fixture
def code(paid, holder):
    return Payment.objects.get(public_id=paid).redeem_code


@pytest.fixture
def desk(desk_process):
    browser = Browser(desk_process.url)
    yield browser
    browser.http.close()


def ask(desk, code: str, aksi: str = "cek"):
    """Type a redeem code at the desk and press "Cek kode redeem" (cek) or "Gunakan kode redeem" (gunakan)."""
    desk.get("/provider/")
    return desk.submit("/provider/kode", token=desk.field("token"), redeem_code=code, aksi=aksi)


def completion_form(desk, code: str | None = None, **overrides) -> dict:
    """The completion form's fields (the one on the page, or a new one for ``code``), the participant typed in."""
    if code is not None:
        desk.get(f"/provider/selesai?kode={code}")
    fields = ("token", "redeem_code", "completed_at", "certificate_number", "certificate_url", "score")
    return {**{name: desk.field(name) for name in fields}, "name": "Siti Rahma", "email": "siti@example.id",
            "phone": "0812 3456 7890", **overrides}


def report(desk, code: str, **overrides):
    return desk.submit("/provider/selesai", **completion_form(desk, code, **overrides))


def switch(desk, provider_code: str):
    desk.get("/provider/")
    return desk.submit("/provider/lembaga", provider=provider_code, next="/provider/")


def test_a_purchase_at_the_shop_is_checked_used_and_completed_at_the_desk(desk_process, desk, provider, platform,
                                                                          listing, card_number, holder, queued):
    # The participant buys at the demo shop (the sandbox, signed as Tokopedia)...
    order = order_path(checkout(desk, listing.code, card_number))
    paid = desk.submit(f"{order}/otp", nonce=desk.field("nonce"), otp=sent_otp())
    assert "Pembayaran berhasil" in paid.text and "Kode redeem ada di Dashboard Kartu Prakerja-mu" in paid.text
    link = re.search(r'href="(/provider/\?kursus=[^"]+)"', paid.text).group(1)
    arrived = desk.get(link)
    assert f"diselenggarakan oleh <strong>{PROVIDER_NAME}</strong>" in arrived.text
    # ...and brings the redeem code from their dashboard to the provider.
    code = Payment.objects.get().redeem_code

    checked = ask(desk, f" {code[:4].lower()}-{code[4:]} ")  # as a person types it
    assert checked.status_code == 200 and "/provider/aksi/" in str(checked.url), checked.text
    assert "Belum digunakan" in checked.text and listing.course.code in checked.text and "S*** R****" in checked.text
    assert Payment.objects.get().redeemed_at is None  # checking uses nothing

    used = desk.submit("/provider/kode", token=desk.field("token"), redeem_code=desk.field("redeem_code"),
                       aksi="gunakan")
    assert used.status_code == 200 and "Sudah digunakan" in used.text, used.text
    assert Payment.objects.get().redeemed_at is not None

    form = desk.get(re.search(r'href="(/provider/selesai\?kode=[^"]+)"', used.text).group(1).replace("&amp;", "&"))
    assert desk.field("redeem_code") == code
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", desk.field("completed_at"))
    number = desk.field("certificate_number")
    assert re.fullmatch(r"LP-\d{4}-\d{6}", number)
    assert desk.field("certificate_url") == f"{desk_process.url}/provider/sertifikat/{number}"
    assert "Nama, email dan nomor HP harus sama dengan akun Kartu Prakerja" in form.text.replace("\n", " ")
    done = desk.submit("/provider/selesai", **completion_form(desk, score="87"))
    assert done.status_code == 200 and ACCEPTED in done.text, done.text
    completion = Completion.objects.get()
    assert (completion.status, completion.provider_certificate_number, completion.score) == ("accepted", number, 87)
    assert completion.completed_at.utcoffset() is not None
    assert Certificate.objects.filter(completion=completion).exists()
    # The desk's default certificate URL is a page of the provider's own.
    own = desk.get(f"/provider/sertifikat/{number}")
    assert own.status_code == 200 and "Siti Rahma" in own.text and listing.course.code in own.text

    history = desk.get("/provider/")
    assert history.text.count(code) == 3 and ACCEPTED in history.text  # checked, used, reported


def test_a_report_with_other_details_is_held_for_an_operator(desk, provider, code):
    assert "Sudah digunakan" in ask(desk, code, "gunakan").text
    held = report(desk, code, name="Siti R.", email="siti.rahma@example.id")
    assert held.status_code == 200 and HELD in held.text, held.text
    completion = Completion.objects.get()
    assert completion.status == "held" and set(completion.mismatches) == {"name", "email"}
    assert not Certificate.objects.exists()


def test_refusals_show_the_contracts_messages_verbatim(desk, provider, other_provider, api, paid, code):
    unknown = ask(desk, "ZZZZ-ZZZZ-ZZZZ")
    assert unknown.status_code == 400 and NOT_FOUND in unknown.text and "redeem_code_not_found" in unknown.text
    assert desk.field("redeem_code") == "ZZZZZZZZZZZZ"  # kept for the correction

    early = report(desk, code)
    assert early.status_code == 400 and NOT_USED in early.text, early.text
    assert desk.field("name") == "Siti Rahma"  # the details stay in the form

    switch(desk, other_provider.code)
    # From the shop's order page, the desk offers to sign as the course's provider.
    assert f"Masuk sebagai {PROVIDER_NAME}</button>" in desk.get("/provider/?kursus=TKP-00001").text
    theirs = ask(desk, code)
    assert theirs.status_code == 400 and WRONG_PROVIDER in theirs.text
    assert "Pilih lembaga penyelenggara" in theirs.text  # the desk's hint
    switch(desk, provider.code)

    assert "Sudah digunakan" in ask(desk, code, "gunakan").text
    twice = ask(desk, code, "gunakan")  # a second form: a new key, so a real second use
    assert twice.status_code == 400 and USED in twice.text and "redeem_code_used" in twice.text

    assert ACCEPTED in report(desk, code).text
    again = report(desk, code)
    assert again.status_code == 400 and ALREADY_COMPLETED in again.text
    assert Completion.objects.count() == 1
    refused = desk.get("/provider/")  # refusals are in the desk's history too
    assert NOT_FOUND in refused.text and USED in refused.text and WRONG_PROVIDER not in refused.text


def test_a_cancelled_purchase(desk, provider, api, paid, code):
    assert api.post(f"/payments/{paid}/cancel", {}).status_code == 200
    assert "Dibatalkan" in ask(desk, code).text
    refused = ask(desk, code, "gunakan")
    assert refused.status_code == 400 and TRANSACTION_CANCELLED in refused.text


def test_a_double_click_is_one_call_and_a_new_form_a_new_key(desk, provider, code):
    desk.get("/provider/")
    form = {"csrfmiddlewaretoken": desk.field("csrfmiddlewaretoken"), "token": desk.field("token"),
            "redeem_code": code, "aksi": "gunakan"}
    first, second = (desk.http.post("/provider/kode", data=form) for _ in range(2))
    # The second click replays the first answer (the same Idempotency-Key): used, not "already used".
    assert "Sudah digunakan" in first.text and "Sudah digunakan" in second.text and USED not in second.text
    assert first.url == second.url
    assert AuditEntry.objects.filter(action="redemption.commit").count() == 1
    assert AuditEntry.objects.filter(data__idempotency_key=f"desk-commit-{form['token']}").count() == 2

    fields = completion_form(desk, code)
    csrf = desk.field("csrfmiddlewaretoken")
    reports = [desk.http.post("/provider/selesai", data={"csrfmiddlewaretoken": csrf, **fields}) for _ in range(2)]
    assert all(ACCEPTED in r.text for r in reports) and reports[0].url == reports[1].url
    assert Completion.objects.count() == 1
    assert completion_form(desk, code)["token"] != fields["token"]  # a new form, a new key


def test_two_clicks_at_the_same_moment_use_the_code_once(postgres_only, desk, provider, code):
    """PostgreSQL only: the live server on SQLite shares one connection between its threads."""
    desk.get("/provider/")
    form = {"csrfmiddlewaretoken": desk.field("csrfmiddlewaretoken"), "token": desk.field("token"),
            "redeem_code": code, "aksi": "gunakan"}
    with ThreadPoolExecutor(2) as pool:
        clicks = list(pool.map(lambda _: desk.http.post("/provider/kode", data=form), range(2)))
    assert all("Sudah digunakan" in c.text and USED not in c.text for c in clicks), [c.text for c in clicks]
    assert AuditEntry.objects.filter(action="redemption.commit").count() == 1


def test_a_refusal_gets_a_new_key_for_the_corrected_form(desk, provider, code):
    desk.get("/provider/")
    token = desk.field("token")
    refused = desk.submit("/provider/kode", token=token, redeem_code="QQQQQQQQQQQQ", aksi="cek")
    assert refused.status_code == 400 and desk.field("token") != token
    corrected = desk.submit("/provider/kode", token=desk.field("token"), redeem_code=code, aksi="cek")
    assert corrected.status_code == 200 and "Belum digunakan" in corrected.text, corrected.text


def test_the_desk_checks_the_form_before_calling(desk, provider, code):
    assert "Sudah digunakan" in ask(desk, code, "gunakan").text
    fields = completion_form(desk, code)
    for wrong, message in (({"completed_at": "2026-11-20 10:00"}, "zona waktu"),
                           ({"completed_at": "2999-01-01T10:00:00+07:00"}, "masa depan"),
                           ({"score": "101"}, "0-100"), ({"certificate_url": "ftp://x.id/c"}, "http(s)"),
                           ({"phone": "12"}, "Nomor HP tidak valid"), ({"redeem_code": "!!"}, "huruf dan angka")):
        refused = desk.submit("/provider/selesai", **{**fields, **wrong})
        assert refused.status_code == 400 and message in refused.text, (wrong, refused.text)
    assert not Completion.objects.exists()
    assert ask(desk, "").status_code == 400


def test_the_demo_participants_fill_the_form(desk, provider):
    desk.get("/provider/selesai?kode=ABCD&peserta=u-10001")
    assert (desk.field("name"), desk.field("email"), desk.field("phone")) == (
        "Rina Kartika", "rina@prakerja.test", "+6281200000098")
    assert desk.field("redeem_code") == "ABCD"


def test_unknown_pages_of_the_desk(desk, provider):
    assert desk.get("/provider/aksi/" + "0" * 32).status_code == 404
    assert desk.get("/provider/sertifikat/LP-2026-000000").status_code == 404
    assert desk.http.get("/provider/kode").status_code == 405


def test_the_api_being_down_is_a_clear_message_and_the_retry_keeps_its_key(dead_desk_process):
    desk = Browser(dead_desk_process.url)
    desk.get("/provider/")
    token = desk.field("token")
    down = desk.submit("/provider/kode", token=token, redeem_code="7K3MQ9XD2HFA", aksi="gunakan")
    assert down.status_code == 503 and "tidak dapat dihubungi" in down.text and "Traceback" not in down.text
    assert desk.field("token") == token and desk.field("redeem_code") == "7K3MQ9XD2HFA"

    fields = completion_form(desk, "7K3MQ9XD2HFA", name="Rina Kartika")
    down = desk.submit("/provider/selesai", **fields)
    assert down.status_code == 503 and "tidak dapat dihubungi" in down.text
    assert (desk.field("token"), desk.field("name")) == (fields["token"], "Rina Kartika")
    assert "Belum ada aktivitas" in desk.get("/provider/").text  # nothing was answered, nothing recorded
    desk.http.close()
