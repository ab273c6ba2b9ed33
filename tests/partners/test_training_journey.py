"""Issue 19, end to end over HTTP with real signatures: find a course, buy it, redeem it, finish it, check the
certificate publicly, review it.

A live server; the platform and the provider sign every call themselves
(tests/partners/test_api_live.py's Partner, from the contract's words); the
participant's pages are fetched over the same socket with their session.
"""

import re
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from prakerja.learning.models import Review
from tests.partners.conftest import make_partner, start_body
from tests.partners.test_api_live import Partner
from tests.partners.test_payment_flow import sent_otp

pytestmark = pytest.mark.django_db(transaction=True)


class Browser:
    """A participant's pages over the live server's socket, with a session made by the test client."""

    def __init__(self, base_url: str, user=None):
        self.base_url, self.cookie = base_url, ""
        if user is not None:
            client = Client()
            client.force_login(user)
            self.cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())

    def get(self, path: str) -> tuple[int, str]:
        request = urllib.request.Request(self.base_url + path, headers={"Cookie": self.cookie,
                                                                        "Accept-Language": "id"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the live server)
                return response.status, response.read().decode()
        except urllib.error.HTTPError as refusal:
            return refusal.code, refusal.read().decode()


def test_from_the_search_to_a_verified_certificate_and_a_review(live_server, platform, provider, listing,
                                                                ready_card, card_number, queued):
    user = ready_card.user
    get_user_model().objects.filter(pk=user.pk).update(full_name="Siti Rahma", email="siti@example.id")
    user.refresh_from_db()
    anyone, siti = Browser(live_server.url), Browser(live_server.url, user)
    course = listing.course

    # 1. Cari Pelatihan: the course is found by a word of its title, whatever the case, and its page
    #    compares the platforms.
    status, page = anyone.get("/trainings/?q=" + course.title.split()[0].upper())
    assert status == 200 and f"/trainings/courses/{course.code}/" in page
    status, page = anyone.get(f"/trainings/courses/{course.code}/")
    assert status == 200 and listing.code in page and platform.name in page

    # 2. The platform sells it: start, the OTP by SMS, confirm. The redeem code shows on the dashboard.
    shop = Partner(live_server.url, platform.code)
    status, started, _ = shop.call("POST", "/payments", start_body(card_number, listing), key="order-1")
    assert status == 201, started
    payment_id = started["payment_id"]
    status, paid, _ = shop.call("POST", f"/payments/{payment_id}/confirm", {"otp": sent_otp(payment_id)})
    assert status == 200 and paid["status"] == "paid", paid
    status, page = siti.get("/dashboard/")
    code = re.search(r'class="code" translate="no">([A-Z0-9]{12})<', page).group(1)

    # 3. The provider checks and uses the redeem code, then reports the completion.
    desk = Partner(live_server.url, provider.code)
    status, found, _ = desk.call("POST", "/redemptions/status", {"redeem_code": code})
    assert status == 200 and found["status"] == "unused" and found["participant_name"] == "S*** R****"
    assert desk.call("POST", "/redemptions/commit", {"redeem_code": code})[0] == 200
    report = {"redeem_code": code, "completed_at": "2026-11-20T10:00:00+07:00", "certificate_number": "LP-1",
              "certificate_url": "https://lp.example.id/c/1", "score": 90,
              "participant": {"name": "SITI RAHMA", "email": "siti@example.id", "phone": "0812-3456-7890"}}
    status, completion, _ = desk.call("POST", "/completions", report, key="done-1")
    assert status == 202 and completion["status"] == "accepted", completion

    # 4. The certificate is on the dashboard at once, and anyone can verify it.
    status, page = siti.get("/dashboard/")
    number = re.search(r'/certificates/(PKJ-[A-Z0-9-]{14})/', page).group(1)
    assert ">selesai<" in page and "Beri Ulasan" in page
    status, public = anyone.get(f"/certificates/{number}/")
    assert status == 200 and "Siti Rahma" in public and course.title in public
    assert "siti@example.id" not in public and "3456" not in public  # nothing else personal
    status, _page = anyone.get("/certificates/?" + urllib.parse.urlencode({"number": number.lower().replace("-", " ")}))
    assert status == 200  # followed the redirect to the certificate
    assert anyone.get("/certificates/PKJ-2222-3333-4444/")[0] == 404

    # 5. The review, and it shows on the course page without a name.
    client = Client()
    client.force_login(user)
    review_path = re.search(r'href="(/trainings/mine/[0-9a-f-]{36}/review/)"', page).group(1)
    text = "Pelatihan yang sangat praktis, langsung saya pakai di toko."
    assert client.post(review_path, {"step": "text", "stars": "5", "text": text}).status_code == 302
    assert Review.objects.get().stars == 5
    status, page = anyone.get(f"/trainings/courses/{course.code}/")
    assert text in page and "Siti" not in page


def test_another_provider_cannot_touch_the_code(live_server, platform, listing, ready_card, card_number, queued):
    shop = Partner(live_server.url, platform.code)
    payment_id = shop.call("POST", "/payments", start_body(card_number, listing))[1]["payment_id"]
    shop.call("POST", f"/payments/{payment_id}/confirm", {"otp": sent_otp(payment_id)})
    from prakerja.learning.models import Payment

    code = Payment.objects.get(public_id=payment_id).redeem_code
    other = make_partner("provider", "kelasku")
    status, refused, _ = Partner(live_server.url, other.code).call("POST", "/redemptions/commit",
                                                                   {"redeem_code": code})
    assert status == 403 and refused["error"]["message"] == "Kode redeem bukan milik lembaga pelatihan yang kamu pilih"
