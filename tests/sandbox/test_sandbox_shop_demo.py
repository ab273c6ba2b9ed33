"""Issue 18, done when: a purchase through the sandbox shop works from a fresh ``make run``, with demo data alone.

``load_demo`` as ``make run`` loads it, the shop as ``make run`` starts it (its shipped catalogue, the demo
Tokopedia's public secret, no settings of the test's), and Rina, the demo participant who passed: she
watches the three videos, reveals her number, and buys the shop's first training with the OTP she is sent.
"""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from prakerja.cards.models import Card
from prakerja.learning.models import Payment
from prakerja.registry.crypto import decrypt
from prakerja.sandbox.testing import start_sandbox
from tests.sandbox.test_sandbox_shop import Browser, order_path, sent_otp

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_shop(live_server, tmp_path, monkeypatch):
    call_command("load_demo", verbosity=0)
    monkeypatch.setenv("SANDBOX_SHOP_API_URL", f"{live_server.url}/api/partner/v1")
    monkeypatch.setenv("SANDBOX_FAMILIES", "0")
    process = start_sandbox(tmp_path / "sandbox.sqlite3")
    yield process
    process.stop()


def test_the_demo_participant_buys_the_shops_first_training_with_demo_data_alone(demo_shop, monkeypatch):
    from prakerja.induction.models import InductionVideo, VideoProgress

    monkeypatch.setattr("prakerja.notifications.tasks.deliver_message", lambda message_id: None)  # OTP kept
    card = Card.objects.select_related("user", "account").get(user__email="rina@prakerja.test")
    now = timezone.now()
    for video in InductionVideo.objects.all():  # what watching them leaves behind
        VideoProgress.objects.update_or_create(user=card.user, video=video, defaults={
            "covered_seconds": video.duration_seconds, "paced_at": now, "completed_at": now, "last_report_at": now})
    browser = Browser(demo_shop.url)
    shop = browser.get("/shop/")
    first = re.search(r'href="/shop/kursus/(TKP-\d{5})"', shop.text).group(1)
    assert "Rina Kartika" in shop.text  # the demo shopper bound to her card
    browser.get(f"/shop/kursus/{first}")
    started = browser.submit(f"/shop/kursus/{first}", token=browser.field("token"),
                             card_number=decrypt(card.number_encrypted), name="Rina Kartika",
                             email="rina@prakerja.test", phone="+6281200000098")
    assert "Kode OTP dikirim" in started.text, started.text
    order = order_path(started)
    paid = browser.submit(f"{order}/otp", nonce=browser.field("nonce"), otp=sent_otp())
    assert "Pembayaran berhasil" in paid.text, paid.text
    payment = Payment.objects.get(card=card)
    card.account.refresh_from_db()
    assert payment.status == "paid" and card.account.balance == 1_000_000 - payment.amount
    browser.http.close()
