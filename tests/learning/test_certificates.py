"""Certificates anyone can verify (TRN-4): the public check, the certificate page and its QR code.

The attacker's side: a number that is not a certificate (malformed, unknown)
gets one neutral answer; lookups are limited per client address, also behind
the load balancer with a forged X-Forwarded-For; the page shows nothing
personal but the name.
"""

import re
from datetime import date, timedelta

import pytest
import qrcode
from django.urls import reverse
from django.utils import timezone

from prakerja.core.ratelimit import Limit
from prakerja.learning import certificates
from prakerja.learning.certificates import certificate_url, normalise_certificate_number, qr_svg
from prakerja.learning.models import Certificate, Completion
from prakerja.registry import crypto
from tests.learning.test_history import purchase

NUMBER = "PKJ-7K3M-Q9XD-2HFA"
UNKNOWN = "PKJ-7K3M-Q9XD-2HFB"  # well formed, never issued
NEUTRAL = "No certificate with this number."
SITE = "https://prakerja.example.id"


def make_certificate(card, listing, *, number=NUMBER, name=None) -> Certificate:
    """A finished training with its certificate, written with the ORM as certificate_issue leaves it."""
    payment = purchase(card, listing, redeemed=True)
    now = timezone.now()
    completion = Completion.objects.create(
        payment=payment, provider=listing.course.provider, completed_at=now - timedelta(days=2), reported_at=now,
        provider_certificate_number="SKN/2026/004417", certificate_url="https://skillnesia.example/c/4417",
        score=87, participant_name=payment.buyer_name, participant_email=payment.buyer_email,
        participant_phone=payment.buyer_phone, status="accepted")
    return Certificate.objects.create(
        number=number, completion=completion, payment=payment, participant_name=name or card.user.full_name,
        course_title=listing.course.title, provider_name=listing.course.provider.name,
        completed_on=date(2026, 11, 20), issued_at=now)


@pytest.fixture
def certificate(ready_card, listing, settings):
    settings.SITE_URL = SITE
    return make_certificate(ready_card, listing)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def detail_url(number: str) -> str:
    return reverse("certificate_detail", args=[number])


def check(client, number: str, **extra):
    return client.get(reverse("certificate_check"), {"number": number}, **extra)


# --- the number ------------------------------------------------------------------------------

@pytest.mark.parametrize("raw", [
    "PKJ-7K3M-Q9XD-2HFA", "pkj-7k3m-q9xd-2hfa", "PKJ7K3MQ9XD2HFA", "pkj 7k3m q9xd 2hfa", "  PKJ-7K3M Q9XD-2hfa  ",
    "PKJ\u20137K3M\u2013Q9XD\u20132HFA",  # en dashes, as a PDF viewer copies them
    "PKJ-7K3M-\nQ9XD-2HFA",
])
def test_a_number_is_read_however_it_was_typed(raw):
    assert normalise_certificate_number(raw) == NUMBER


@pytest.mark.parametrize("raw", [
    None, "", "PKJ", "PKJ-7K3M-Q9XD", "PKJ-7K3M-Q9XD-2HFA-2HFA", "XYZ-7K3M-Q9XD-2HFA",
    "PKJ-7K3M-Q9XD-2HF0",  # 0, 1, O, I, L are not in the alphabet
    "PKJ-7K3M-Q9XD-2HFO", "PKJ-1K3M-Q9XD-2HFA", "PKJ_7K3M_Q9XD_2HFA", "PKJ-7K3M-Q9XD-2HFA\x00",
    "https://prakerja.example.id/certificates/PKJ-7K3M-Q9XD-2HFA/", "PKJ-7K3M-Q9XD-2HFÄ", "PKJ-" + "A" * 5000,
])
def test_anything_else_is_not_a_number(raw):
    assert normalise_certificate_number(raw) is None


def test_the_link_is_the_public_site_address(settings):
    settings.SITE_URL = SITE
    assert certificate_url(NUMBER) == f"{SITE}/certificates/{NUMBER}/"


# --- the public check ----------------------------------------------------------------------------

def test_the_check_page_explains_itself_to_employers(english, db):
    response = english.get(reverse("certificate_check"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Check a Kartu Prakerja certificate" in page and "Employers" in page
    assert 'name="number"' in page and 'method="get"' in page
    assert NEUTRAL not in page


@pytest.mark.parametrize("typed", [NUMBER, "pkj7k3mq9xd2hfa", "pkj 7k3m q9xd 2hfa"])
def test_a_number_that_exists_leads_to_its_page(english, certificate, typed):
    response = check(english, typed)
    assert response.status_code == 302 and response["Location"] == detail_url(NUMBER)


@pytest.mark.parametrize("typed", [UNKNOWN, "PKJ-7K3M", "hello", "PKJ-0000-0000-0000"])
def test_a_number_that_does_not_exist_gets_the_neutral_answer(english, certificate, typed):
    response = check(english, typed)
    assert response.status_code == 404
    assert NEUTRAL in response.content.decode()
    assert response.headers["Cache-Control"].startswith("max-age=0")  # it may be issued a minute later
    assert "no-store" in response.headers["Cache-Control"]


def test_unknown_and_malformed_answers_say_the_same(english, certificate):
    """No hint: whatever the number, the answer differs only by the number typed, echoed in the form."""
    unknown, malformed = check(english, UNKNOWN), check(english, "PKJ-12")
    assert unknown.status_code == malformed.status_code == 404
    assert dict(unknown.headers) == dict(malformed.headers) | {"Content-Length": unknown["Content-Length"]}
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", unknown.content.decode().replace(UNKNOWN, "#")) == strip.sub(
        "", malformed.content.decode().replace("PKJ-12", "#"))


def test_the_check_is_a_get_form(english, certificate):
    assert english.post(reverse("certificate_check"), {"number": NUMBER}).status_code == 405
    assert english.head(reverse("certificate_check"), {"number": NUMBER}).status_code == 302


def test_the_typed_text_is_escaped(english, db):
    page = check(english, '"><script>alert(1)</script>').content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


# --- the certificate page --------------------------------------------------------------------------

def test_the_page_says_genuine_and_shows_the_facts(english, certificate):
    response = english.get(detail_url(NUMBER))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Genuine certificate" in page
    issued = timezone.localtime(certificate.issued_at)  # shown in WIB
    for fact in (NUMBER, certificate.course_title, certificate.provider_name, certificate.participant_name,
                 "20 November 2026", f"{issued.day} {issued:%B %Y}"):
        assert fact in page
    assert f'href="{reverse("certificate_pdf", args=[NUMBER])}"' in page


def test_the_page_shows_no_other_personal_data(english, certificate, ready_card):
    user = ready_card.user
    page = english.get(detail_url(NUMBER)).content.decode()
    payment, completion = certificate.payment, certificate.completion
    personal = [
        user.email, payment.buyer_email, completion.participant_email,  # the same address, three copies
        "6281234567890", "081234567890", "0812-3456-7890",  # the phone, however written
        crypto.decrypt(ready_card.number_encrypted), crypto.decrypt(ready_card.number_encrypted)[-8:],
        payment.voucher_code, payment.redeem_code, str(payment.public_id), str(completion.public_id),
        completion.provider_certificate_number, completion.certificate_url, "1995",  # the birth year
    ]
    text = page.replace(qr_svg(certificate_url(NUMBER)), "")  # the QR's path is digits
    for value in personal:
        assert value not in text, value
    assert not re.search(r"\b87\b", text)  # the score
    assert "Dashboard" not in text  # an anonymous visitor: nobody's header


def test_the_qr_code_is_drawn_from_the_verification_link(english, certificate):
    page = english.get(detail_url(NUMBER)).content.decode()
    url = f"{SITE}/certificates/{NUMBER}/"
    assert certificate_url(NUMBER) == url
    assert f'<a href="{url}" translate="no">{url}</a>' in page
    assert qr_svg(url) in page
    assert "<svg" in page and "style=" not in qr_svg(url)  # the CSP allows no inline style


def test_the_qr_code_holds_exactly_that_link(certificate):
    """qrcode has no decoder: the SVG's dark modules are those of a QR code of the URL, and of no other."""
    url = certificate_url(NUMBER)

    def modules(data):
        code = qrcode.QRCode(border=4)
        code.add_data(data)
        code.make(fit=True)
        return {(x, y) for y, row in enumerate(code.get_matrix()) for x, dark in enumerate(row) if dark}

    drawn = {(int(x), int(y)) for x, y in re.findall(r"M(\d+),(\d+)H", qr_svg(url))}
    assert drawn == modules(url)
    assert drawn != modules(certificate_url(UNKNOWN))


@pytest.mark.parametrize("number", [UNKNOWN, "PKJ-12", "nonsense"])
def test_no_page_for_a_number_that_is_not_a_certificate(english, certificate, number):
    response = english.get(detail_url(number))
    assert response.status_code == 404
    assert NEUTRAL in response.content.decode() and "Genuine" not in response.content.decode()


def test_a_number_typed_into_the_address_bar_goes_to_the_one_address(english, certificate):
    response = english.get(detail_url("pkj7k3mq9xd2hfa"))
    assert response.status_code == 301 and response["Location"] == detail_url(NUMBER)


def test_the_page_is_cached_briefly_by_the_browser_only_and_not_indexed(english, certificate):
    response = english.get(detail_url(NUMBER))
    cache_control = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert cache_control == {"private", "max-age=300"}
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_the_page_is_one_query(client, certificate, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert client.get(detail_url(NUMBER)).status_code == 200


def test_the_page_speaks_both_languages(client, certificate):
    indonesian = client.get(detail_url(NUMBER)).content.decode()
    client.cookies["django_language"] = "en"
    english = client.get(detail_url(NUMBER)).content.decode()
    assert '<html lang="id">' in indonesian and '<html lang="en">' in english
    assert "Genuine certificate" in english and 'name="language"' in indonesian


def test_a_signed_in_participant_sees_the_same_facts(client, certificate, ready_card):
    client.force_login(ready_card.user)
    client.cookies["django_language"] = "en"
    page = client.get(detail_url(NUMBER)).content.decode()
    assert "Genuine certificate" in page and ready_card.user.email not in page


# --- walking the numbers ------------------------------------------------------------------------------

@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setattr(certificates, "CHECKS", Limit("certificate-checks", 3, 60))


def test_lookups_are_limited_per_client(english, certificate, three_a_minute):
    for number in ("PKJ-2222-2222-2222", "PKJ-3333-3333-3333", "x"):
        assert check(english, number).status_code == 404
    response = check(english, NUMBER)  # counted before the lookup: a hit is refused too, no oracle
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode() and response.headers["Retry-After"]
    assert english.get(detail_url(NUMBER)).status_code == 429  # the page is a lookup too
    assert check(english, NUMBER, REMOTE_ADDR="198.51.100.7").status_code == 302  # someone else


def test_an_empty_form_is_not_counted(english, db, three_a_minute):
    for _ in range(5):
        assert english.get(reverse("certificate_check")).status_code == 200


def test_a_forged_forwarded_for_does_not_escape_the_limit(english, certificate, three_a_minute, settings):
    """Behind one proxy of ours, the client is the address our proxy appended, not what the client wrote."""
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [check(english, UNKNOWN, REMOTE_ADDR="10.0.0.2",
                      HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9").status_code for n in range(5)]
    assert statuses == [404, 404, 404, 429, 429]
    other = check(english, UNKNOWN, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 404  # another client behind the same proxy has its own count


def test_without_a_trusted_proxy_the_header_is_ignored(english, certificate, three_a_minute, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [check(english, UNKNOWN, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]
