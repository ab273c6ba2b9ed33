"""The certificate as a PDF (TRN-4): WeasyPrint, A4 landscape, the QR code and the link printed, nothing fetched.

There is no PDF reader among the dependencies: the tests inflate the PDF's
streams (zlib) and look for the metadata, the link annotation and the QR
code's drawing in them.
"""

import re
import urllib.request
import zlib

import pytest
import qrcode
from django.urls import reverse

from prakerja.core.ratelimit import Limit
from prakerja.learning import certificates
from prakerja.learning.certificates import certificate_document, certificate_pdf_bytes, certificate_url
from tests.learning.test_certificates import NEUTRAL, NUMBER, SITE, UNKNOWN, make_certificate

pytestmark = pytest.mark.usefixtures("site")


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def certificate(ready_card, listing):
    return make_certificate(ready_card, listing)


@pytest.fixture
def renders(monkeypatch):
    """How many PDFs were rendered (not served from the cache)."""
    calls = []
    real = certificates.certificate_pdf_bytes

    def counted(certificate, language):
        calls.append((certificate.number, language))
        return real(certificate, language)

    monkeypatch.setattr(certificates, "certificate_pdf_bytes", counted)
    return calls


def pdf_url(number: str) -> str:
    return reverse("certificate_pdf", args=[number])


def inflated(data: bytes) -> bytes:
    """The PDF with every compressed stream inflated beside it."""
    parts = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            parts.append(zlib.decompressobj().decompress(data[match.end():]))
        except zlib.error:
            continue
    return b"\n".join(parts)


def test_the_pdf_is_the_certificate_with_its_number_and_link(client, certificate):
    client.cookies["django_language"] = "en"
    response = client.get(pdf_url(NUMBER))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="sertifikat-{NUMBER}.pdf"'
    data = response.content
    assert data.startswith(b"%PDF-")
    text = inflated(data)
    assert f"(Certificate {NUMBER})".encode() in text  # the document's title
    assert f"/URI ({SITE}/certificates/{NUMBER}/)".encode() in text  # the printed link, clickable
    assert b"/Count 1" in text  # one page
    width, height = map(float, re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", text).groups())
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points


def test_the_pdf_prints_the_qr_code_of_the_link(certificate):
    code = qrcode.QRCode(border=4)
    code.add_data(certificate_url(NUMBER))
    dark = sum(sum(row) for row in code.get_matrix())
    drawing = inflated(certificate_pdf_bytes(certificate, "id"))
    # Each dark module of the SVG is one closed square in the page's content stream.
    assert drawing.count(b"\nh\n") >= dark > 300


@pytest.mark.parametrize(("name", "title"), [
    ("Siti Rahma", "Kursus 1"),
    ("Muhammad Rizky Ananda Pratama Putra Wijaya", "Pemasaran Digital untuk Usaha Mikro dan Kecil"),
    (("Wibisono " * 25)[:200], ("Pemasaran Digital untuk Usaha Mikro " * 6)[:200]),  # the longest the model holds
])
def test_the_facts_never_run_into_the_link_or_the_qr_code(ready_card, listing, name, title):
    certificate = make_certificate(ready_card, listing, name=name)
    certificate.course_title = title
    document = certificate_document(certificate, "id")
    assert len(document.pages) == 1
    page = document.pages[0]
    facts, verify, qr = (page.anchors[key] for key in ("facts", "verify", "qr"))  # (left, top, right, bottom)
    assert facts[3] < min(verify[1], qr[1])
    margin = 12 * 96 / 25.4  # @page margin, 12 mm in CSS pixels
    for box in (verify, qr, facts):
        assert margin <= box[0] and box[2] <= page.width - margin and box[3] <= page.height - margin
    [(kind, target, _rect, _box)] = page.links
    assert (kind, target) == ("external", certificate_url(NUMBER))


def test_the_pdf_is_rendered_once_per_language(client, certificate, renders):
    first = client.get(pdf_url(NUMBER)).content
    assert client.get(pdf_url(NUMBER)).content == first
    client.cookies["django_language"] = "en"
    assert client.get(pdf_url(NUMBER)).content == client.get(pdf_url(NUMBER)).content
    assert renders == [(NUMBER, "id"), (NUMBER, "en")]


def test_the_pdf_is_cached_briefly_by_the_browser_only(client, certificate):
    response = client.get(pdf_url(NUMBER))
    assert {part.strip() for part in response["Cache-Control"].split(",")} == {"private", "max-age=3600"}
    assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize("number", [UNKNOWN, "PKJ-12"])
def test_no_pdf_for_a_number_that_is_not_a_certificate(client, certificate, number, renders):
    client.cookies["django_language"] = "en"
    response = client.get(pdf_url(number))
    assert response.status_code == 404 and NEUTRAL in response.content.decode()
    assert renders == []


def test_a_lowercase_number_goes_to_the_one_address(client, certificate):
    response = client.get(pdf_url("pkj-7k3m-q9xd-2hfa"))
    assert response.status_code == 301 and response["Location"] == pdf_url(NUMBER)


def test_a_cached_pdf_is_one_query(client, certificate, django_assert_num_queries):
    client.get(pdf_url(NUMBER))
    with django_assert_num_queries(1):
        assert client.get(pdf_url(NUMBER)).status_code == 200


# --- abuse -------------------------------------------------------------------------------------------

def test_rendering_is_limited_per_client(client, ready_card, listing, monkeypatch, renders):
    monkeypatch.setattr(certificates, "PDFS", Limit("certificate-pdfs", 2, 60))
    numbers = ["PKJ-2222-2222-2222", "PKJ-3333-3333-3333", "PKJ-4444-4444-4444"]
    for number in numbers:
        make_certificate(ready_card, listing, number=number)
    assert [client.get(pdf_url(n)).status_code for n in numbers] == [200, 200, 429]
    assert client.get(pdf_url(numbers[0])).status_code == 200  # already rendered: served from the cache
    assert client.get(pdf_url(numbers[2]), REMOTE_ADDR="198.51.100.7").status_code == 200  # someone else
    assert len(renders) == 3


def test_the_pdf_is_a_lookup_too(client, certificate, monkeypatch):
    """Counted before the lookup, so the PDF address cannot be used to walk numbers past the check's limit."""
    monkeypatch.setattr(certificates, "CHECKS", Limit("certificate-checks", 2, 60))
    assert [client.get(pdf_url(n)).status_code for n in (UNKNOWN, UNKNOWN, NUMBER)] == [404, 404, 429]


def test_rendering_fetches_nothing(certificate, monkeypatch, caplog):
    """Whatever ends up in the HTML, WeasyPrint opens no URL: not the network, not a file."""
    opened = []

    def spy(self, url, *args, **kwargs):
        opened.append(getattr(url, "full_url", url))
        raise OSError("no network in tests")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    real = certificates.render_to_string

    def with_resources(template, context):
        html = real(template, context)
        return html.replace("</head>", '<link rel="stylesheet" href="https://fonts.example.com/a.css">'
                                       '<link rel="stylesheet" href="file:///etc/passwd"></head>').replace(
            "</body>", '<img src="http://169.254.169.254/latest/meta-data/"></body>')

    monkeypatch.setattr(certificates, "render_to_string", with_resources)
    data = certificate_pdf_bytes(certificate, "id")
    assert data.startswith(b"%PDF-")
    assert opened == []
    assert "certificate PDFs fetch nothing" in caplog.text


def test_rendering_leaves_pillows_truncated_image_check_on(client, db):
    """WeasyPrint's import turns Pillow's LOAD_TRUNCATED_IMAGES on for the whole process; the registry's photo
    checks (tests/registry/test_photos.py) need it off. Rendering a certificate must leave it as it was."""
    from PIL import ImageFile

    from prakerja.learning.certificates import _weasyprint

    _weasyprint()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
