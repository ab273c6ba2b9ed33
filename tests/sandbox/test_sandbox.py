"""The sandbox process itself: SMTP sink, SMS gateway, outbox, injected faults."""

import signal
import smtplib
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

import httpx
import pytest

from prakerja.sandbox.testing import start_sandbox

KEY = {"Authorization": "Bearer sandbox-sms-key"}


@pytest.fixture
def box(sandbox):
    sandbox.clear()
    sandbox.clear_faults()
    return sandbox


def mail(box, to, subject, text=None, html=None):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "noreply@prakerja.test", to, subject
    if text is not None:
        message.set_content(text)
        if html:
            message.add_alternative(html, subtype="html")
    else:
        message.set_content(html, subtype="html")
    with smtplib.SMTP("127.0.0.1", box.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)


def test_email_lands_in_the_outbox_decoded(box):
    mail(box, "Siti@Example.id", "Konfirmasi alamat email — Prakerja", "Halo Siti, klik tautan ini.",
         html="<p>Halo <b>Siti</b></p>")
    [received] = box.outbox(to="siti@example.id")
    assert received["channel"] == "email" and received["to"] == "siti@example.id"
    assert received["subject"] == "Konfirmasi alamat email — Prakerja"
    assert received["body"] == "Halo Siti, klik tautan ini."
    assert received["sent_at"].endswith("+00:00")


def test_an_html_only_email_is_read_as_text(box):
    mail(box, "budi@example.id", "Pengumuman kelulusan Gelombang 7 — Anda lolos ✓",
         html="<p>Selamat, <b>Budi</b> &amp; keluarga!</p>")
    [received] = box.outbox(to="budi@example.id")
    assert received["subject"] == "Pengumuman kelulusan Gelombang 7 — Anda lolos ✓"
    assert received["body"] == "Selamat, Budi & keluarga!"


def test_an_email_to_several_people_lands_once_for_each(box):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "noreply@prakerja.test", "a@example.id", "Rapat"
    message.set_content("Besok jam 9.")
    with smtplib.SMTP("127.0.0.1", box.smtp_port, timeout=10) as smtp:
        smtp.send_message(message, to_addrs=["a@example.id", "B@Example.id"])
    assert sorted(m["to"] for m in box.outbox()) == ["a@example.id", "b@example.id"]


def test_sms_gateway_accepts_with_the_key_only(box):
    ok = httpx.post(f"{box.url}/sms/send", json={"to": "+6281234567890", "text": "Kode OTP 123456"}, headers=KEY)
    assert ok.status_code == 200 and ok.json()["message_id"]
    assert httpx.post(f"{box.url}/sms/send", json={"to": "+62812", "text": "x"}).status_code == 401
    bad = httpx.post(f"{box.url}/sms/send", content=b"not json", headers=KEY)
    assert bad.status_code == 400
    assert httpx.post(f"{box.url}/sms/send", json={"to": "+62812"}, headers=KEY).status_code == 400
    [sms] = box.outbox(to="+6281234567890")
    assert sms["channel"] == "sms" and sms["body"] == "Kode OTP 123456"


def test_outbox_is_newest_first_and_filtered(box):
    for i in range(3):
        httpx.post(f"{box.url}/sms/send", json={"to": "+6281111111111", "text": f"pesan {i}"}, headers=KEY)
    httpx.post(f"{box.url}/sms/send", json={"to": "+6282222222222", "text": "lain"}, headers=KEY)
    assert [m["body"] for m in box.outbox(to="+6281111111111")] == ["pesan 2", "pesan 1", "pesan 0"]
    assert len(box.outbox()) == 4


def test_injected_faults(box):
    box.fault("sms", "500", count=2)
    send = lambda: httpx.post(f"{box.url}/sms/send", json={"to": "+6281", "text": "x"}, headers=KEY)  # noqa: E731
    assert [send().status_code for _ in range(3)] == [500, 500, 200]
    box.fault("sms", "400")
    assert send().status_code == 400
    box.fault("sms", "timeout", delay=2)
    with pytest.raises(httpx.TimeoutException):
        httpx.post(f"{box.url}/sms/send", json={"to": "+6281", "text": "x"}, headers=KEY, timeout=0.5)
    box.clear_faults()
    assert send().status_code == 200


def test_a_fault_fails_exactly_count_calls_under_concurrency(box):
    # The web server is threaded: two requests must never take the same failure.
    box.fault("sms", "500", count=3)
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(lambda i: httpx.post(f"{box.url}/sms/send", json={"to": "+6281", "text": str(i)},
                                                   headers=KEY, timeout=10).status_code, range(8)))
    assert sorted(codes) == [200] * 5 + [500] * 3
    assert len(box.outbox(to="+6281")) == 5


def test_outbox_page_escapes_bodies_and_links_urls(box):
    mail(box, "a@example.id", "Tes", "<script>alert(1)</script> buka https://prakerja.test/confirm/abc/")
    page = httpx.get(f"{box.url}/outbox").text
    assert "Sandbox outbox" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert '<a href="https://prakerja.test/confirm/abc/"' in page


def test_outbox_page_filters_and_shows_times_in_wib(box):
    httpx.post(f"{box.url}/sms/send", json={"to": "+6281111111111", "text": "untuk satu"}, headers=KEY)
    httpx.post(f"{box.url}/sms/send", json={"to": "+6282222222222", "text": "untuk dua"}, headers=KEY)
    [sms] = box.outbox(to="+6281111111111")
    page = httpx.get(f"{box.url}/outbox", params={"to": "+6281111111111"}).text
    assert "untuk satu" in page and "untuk dua" not in page
    wib = datetime.fromisoformat(sms["sent_at"]).astimezone(ZoneInfo("Asia/Jakarta"))
    assert f"{wib:%H:%M:%S} WIB" in page


def test_the_index_page_names_the_endpoints(box):
    page = httpx.get(f"{box.url}/").text
    assert 'href="/outbox"' in page and "/sms/send" in page and "/control/faults" in page


def test_clearing(box):
    mail(box, "a@example.id", "x", "y")
    box.clear()
    assert box.outbox() == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_process_stops_cleanly_on_a_signal(tmp_path, signum):
    own = start_sandbox(tmp_path / "sandbox.sqlite3")
    own.process.send_signal(signum)
    assert own.process.wait(timeout=10) == 0


def test_a_sandbox_that_cannot_start_reports_why(tmp_path):
    with pytest.raises(RuntimeError, match="unable to open database file"):
        start_sandbox(tmp_path)  # a directory, not a database file
