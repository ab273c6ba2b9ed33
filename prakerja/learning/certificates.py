"""Certificates anyone can verify (TRN-4): the public check, the certificate page, its PDF and QR code.

Employers check certificates, so the check is a first-class public page.
It shows the name, course, provider and dates, nothing else personal. A
number that does not exist, malformed or well formed, gets the same answer,
and no certificate is ever deleted, so the answer says nothing about whether
one ever existed. Lookups are limited per client address (core.http.client_ip,
which believes only our own proxies), so numbers cannot be walked; they are
random anyway (completions.certificate_number: 60 bits).
"""

import functools
import re

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from prakerja.core.http import client_ip
from prakerja.core.ratelimit import Exceeded, Limit, consume
from prakerja.learning.models import Certificate

# Every lookup of a number (the check, the page, the PDF) counts; a PDF rendered (not served from the cache) too.
CHECKS = Limit("certificate-checks", settings.CERTIFICATE_CHECKS_PER_MINUTE, 60)
PDFS = Limit("certificate-pdfs", settings.CERTIFICATE_PDFS_PER_MINUTE, 60)
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as completions.certificate_number draws from
_NUMBER = re.compile(rf"PKJ(?:[{_ALPHABET}]{{4}}){{3}}")
# Spaces, and the hyphens and dashes a PDF viewer or a word processor turns "-" into when copied.
_SEPARATORS = re.compile(r"[\s\-\u00ad\u2010-\u2015\u2212]")
PAGE_MAX_AGE = 300  # seconds; a certificate never changes, but the page carries the visitor's own header
PDF_CACHE_SECONDS = 7 * 24 * 3600
PDF_VERSION = 1  # bump when certificate_pdf.html changes: cached PDFs are keyed by it
PUBLIC_FIELDS = ("number", "participant_name", "course_title", "provider_name", "completed_on", "issued_at")


def normalise_certificate_number(raw: str | None) -> str | None:
    """"pkj 7k3m q9xd 2hfa", "PKJ7K3MQ9XD2HFA"... -> "PKJ-7K3M-Q9XD-2HFA"; None if it cannot be one."""
    compact = _SEPARATORS.sub("", (raw or "")[:64]).upper()
    if not _NUMBER.fullmatch(compact):
        return None
    return f"PKJ-{compact[3:7]}-{compact[7:11]}-{compact[11:15]}"


def certificate_url(number: str) -> str:
    """The public address of a certificate's page, as printed on the PDF and in its QR code.

    SITE_URL, not the request's host: the link must be the same whoever asks
    (and production refuses a SITE_URL that is not https).
    """
    return settings.SITE_URL + reverse("certificate_detail", args=[number])


@functools.lru_cache(maxsize=256)  # ~12 ms to draw; the same certificate is opened again and again
def qr_svg(url: str) -> str:
    """The QR code of ``url`` as an inline <svg> (paths only: nothing the CSP would block)."""
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, border=4)
    return image.to_string(encoding="unicode")


def certificate_by_number(number: str) -> Certificate | None:
    """The certificate, with only what its public page shows loaded: one query, no joins to anyone's data."""
    return Certificate.objects.only(*PUBLIC_FIELDS).filter(number=number).first()


# --- views ---------------------------------------------------------------------------------

def _too_many(request, exceeded: Exceeded):
    response = render(request, "429.html", status=429)
    response["Retry-After"] = http_date(exceeded.retry_at.timestamp())
    add_never_cache_headers(response)
    return response


def _not_found(request, number: str = ""):
    """One answer for every number that is not a certificate: malformed, unknown, or never issued."""
    response = render(request, "learning/certificate_check.html", {"number": number, "not_found": True}, status=404)
    add_never_cache_headers(response)  # it may be issued a minute later
    response["X-Robots-Tag"] = "noindex"
    return response


def _public(response, max_age: int):
    # private: the HTML carries the visitor's own header (signed in or not, unread count) and
    # a CSRF cookie; a shared cache must never hand it to someone else.
    patch_cache_control(response, private=True, max_age=max_age)
    response["X-Robots-Tag"] = "noindex"  # a name is shown to whoever has the number, not to search engines
    return response


@require_safe
def check(request):
    """"Check a certificate": a number in, its page out, or one neutral answer."""
    raw = request.GET.get("number", "").strip()[:64]
    if not raw:
        return render(request, "learning/certificate_check.html", {"number": ""})
    if (exceeded := consume(CHECKS, client_ip(request))) is not None:
        return _too_many(request, exceeded)
    number = normalise_certificate_number(raw)
    if number is None or not Certificate.objects.filter(number=number).exists():
        return _not_found(request, raw)
    return redirect("certificate_detail", number)


@require_safe
def detail(request, number: str):
    canonical = normalise_certificate_number(number)
    if canonical is None:
        return _not_found(request, number[:64])
    if canonical != number:  # typed by hand: "pkj7k3m..." -> the one address the QR code holds
        return redirect("certificate_detail", canonical, permanent=True)
    if (exceeded := consume(CHECKS, client_ip(request))) is not None:
        return _too_many(request, exceeded)
    certificate = certificate_by_number(number)
    if certificate is None:
        return _not_found(request, number)
    url = certificate_url(certificate.number)
    response = render(request, "learning/certificate.html", {
        "certificate": certificate, "url": url, "qr": mark_safe(qr_svg(url))})  # noqa: S308 (qrcode's own SVG)  # nosec B308 B703
    return _public(response, PAGE_MAX_AGE)


@functools.cache
def _weasyprint():
    """WeasyPrint's HTML class, imported on first use (it takes half a second).

    Importing WeasyPrint sets Pillow's process-wide ``LOAD_TRUNCATED_IMAGES``
    to True, which would let a truncated photo pass the registry's upload
    checks (prakerja/registry) in the same process. Certificates load no
    images, so the flag goes back to Pillow's default at once.
    """
    from PIL import ImageFile
    from weasyprint import HTML

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML


def _no_fetching():
    """WeasyPrint's url_fetcher for certificates: everything is inline (QR as SVG, CSS, system fonts).

    Refusing every URL means a value that slipped into the HTML cannot make
    the server fetch anything (SSRF, file://); WeasyPrint logs a warning and
    renders without the resource. A subclass of its URLFetcher, as its docs
    ask, built on first use because importing WeasyPrint takes half a second.
    """
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"certificate PDFs fetch nothing: {url[:80]}")

    return NoFetching()


def certificate_document(certificate: Certificate, language: str):
    """The A4 landscape certificate in ``language``, laid out by WeasyPrint without the network."""
    HTML = _weasyprint()  # noqa: N806 (the class)

    url = certificate_url(certificate.number)
    with translation.override(language):
        html = render_to_string("learning/certificate_pdf.html", {
            "certificate": certificate, "url": url, "qr": mark_safe(qr_svg(url))})  # noqa: S308  # nosec B308 B703
    return HTML(string=html, url_fetcher=_no_fetching()).render()


def certificate_pdf_bytes(certificate: Certificate, language: str) -> bytes:
    return certificate_document(certificate, language).write_pdf()


def pdf_key(number: str, language: str) -> str:
    return f"certificate-pdf:v{PDF_VERSION}:{number}:{language}"


@require_safe
def pdf(request, number: str):
    """The PDF, rendered once per number and language: a certificate never changes, rendering costs CPU."""
    canonical = normalise_certificate_number(number)
    if canonical is None:
        return _not_found(request, number[:64])
    if canonical != number:
        return redirect("certificate_pdf", canonical, permanent=True)
    ip = client_ip(request)
    if (exceeded := consume(CHECKS, ip)) is not None:  # before the lookup: the PDF must not be a free oracle
        return _too_many(request, exceeded)
    certificate = certificate_by_number(number)
    if certificate is None:
        return _not_found(request, number)
    language = translation.get_language() or settings.LANGUAGE_CODE
    key = pdf_key(number, language)
    data = cache.get(key)
    if data is None:
        if (exceeded := consume(PDFS, ip)) is not None:
            return _too_many(request, exceeded)
        data = certificate_pdf_bytes(certificate, language)
        cache.set(key, data, PDF_CACHE_SECONDS)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="sertifikat-{number}.pdf"'
    return _public(response, 3600)
