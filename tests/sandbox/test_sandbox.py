"""The sandbox process itself: SMTP sink, SMS gateway, outbox, injected faults."""

import smtplib
from email.message import EmailMessage

import httpx
import pytest

KEY = {"Authorization": "Bearer sandbox-sms-key"}


@pytest.fixture
def box(sandbox):
    sandbox.clear()
    sandbox.clear_faults()
    return sandbox


def mail(box, to, subject, text, html=None):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "noreply@prakerja.test", to, subject
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
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


def test_outbox_page_escapes_bodies_and_links_urls(box):
    mail(box, "a@example.id", "Tes", "<script>alert(1)</script> buka https://prakerja.test/confirm/abc/")
    page = httpx.get(f"{box.url}/outbox").text
    assert "Sandbox outbox" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert '<a href="https://prakerja.test/confirm/abc/"' in page


def test_clearing(box):
    mail(box, "a@example.id", "x", "y")
    box.clear()
    assert box.outbox() == []
