"""REG-4 uploads: an oversized body or photo is refused while it is read, with a clear answer.

The requests go through the whole middleware stack with CSRF checks on; the
body is a stream that counts what the server reads of it.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse
from django.utils import translation

from prakerja.registry.models import Profile
from prakerja.registry.uploads import BODY_TOO_LARGE
from tests.registry.test_personal_data import jpeg

pytestmark = pytest.mark.django_db

TOO_LARGE_ID = "Ukuran foto lebih dari 5 MB. Pilih foto yang lebih kecil."  # the form's language is Indonesian
FIELDS = {"ktp_address": "Jl. Merdeka 1, Bandung", "domicile_regency": "3273", "domicile_street": "Jl. Asia Afrika 2",
          "education": "sma", "employment_status": "job_seeker"}


class CountingBody:
    """wsgi.input that records how many bytes the server read."""

    def __init__(self, content: bytes):
        self._content = io.BytesIO(content)
        self.size = len(content)
        self.read_bytes = 0

    def read(self, size=-1, /):
        data = self._content.read(size)
        self.read_bytes += len(data)
        return data

    def readline(self, size=-1, /):
        data = self._content.readline(size)
        self.read_bytes += len(data)
        return data


@pytest.fixture
def browser(identity_done):
    """A signed-in client that enforces CSRF, holding the token of the personal-data form."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(identity_done)
    client.get(reverse("registry_personal"))
    client.token = client.cookies["csrftoken"].value
    return client


def post_stream(client, parts: dict, *, content_length=None, **headers):
    content = encode_multipart(BOUNDARY, parts)
    body = CountingBody(content)
    extra = {"wsgi.input": body, "CONTENT_LENGTH": str(content_length or len(content)),
             "CONTENT_TYPE": MULTIPART_CONTENT}
    response = client.generic("POST", reverse("registry_personal"), headers=headers, **extra)
    return response, body


def filler(name, size):
    """A file part of ``size`` bytes that is no image."""
    file = io.BytesIO(b"\xff\xd8" + b"0" * (size - 2))
    file.name = name
    return file


def padded_photo(name, size):
    """A real JPEG with zeros after its end: Pillow decodes it, the wire carries ``size`` bytes."""
    data = jpeg(name).read()
    return SimpleUploadedFile(name, data + bytes(size - len(data)), content_type="image/jpeg")


def test_a_photo_over_the_limit_stops_the_read_and_the_form_says_why(browser, identity_done, settings):
    parts = {"csrfmiddlewaretoken": browser.token, **FIELDS,
             "ktp_photo": filler("ktp.jpg", 9 * 1024 * 1024), "selfie": jpeg("selfie.jpg")}
    response, body = post_stream(browser, parts)
    # Read up to the limit and one 64 KB chunk past it; the rest never.
    assert body.read_bytes < settings.PHOTO_MAX_BYTES + 256 * 1024 < body.size
    assert response.status_code == 413
    form = response.context["form"]
    assert form.errors["ktp_photo"] == [TOO_LARGE_ID]
    assert TOO_LARGE_ID in response.content.decode()
    assert form["ktp_address"].value() == FIELDS["ktp_address"]  # what was typed comes back
    assert Profile.objects.get(user=identity_done).personal_data_at is None


@pytest.mark.parametrize(("size", "error"), [
    (5 * 1024 * 1024, "Berkas ini bukan foto JPEG atau PNG."),  # at the limit: read, then decoded
    (5 * 1024 * 1024 + 1, TOO_LARGE_ID),
])
def test_the_limit_is_the_photo_size(browser, size, error):
    response, _body = post_stream(browser, {"csrfmiddlewaretoken": browser.token, **FIELDS,
                                            "ktp_photo": filler("ktp.jpg", size), "selfie": jpeg("selfie.jpg")})
    assert response.context["form"].errors["ktp_photo"] == [error]


@pytest.mark.parametrize("token_in", ["form", "header"])
def test_a_body_over_the_form_limit_is_not_read_at_all(browser, identity_done, settings, token_in):
    parts = {**FIELDS, "ktp_photo": jpeg(), "selfie": jpeg("selfie.jpg")}
    headers = {}
    if token_in == "form":
        parts = {"csrfmiddlewaretoken": browser.token, **parts}
    else:
        headers["X-CSRFToken"] = browser.token
    response, body = post_stream(browser, parts, content_length=settings.UPLOAD_MAX_BODY_BYTES + 1, **headers)
    assert body.read_bytes == 0
    assert response.status_code == 413
    with translation.override("id"):
        assert str(BODY_TOO_LARGE) in response.content.decode()
    assert Profile.objects.get(user=identity_done).personal_data_at is None


def test_two_photos_at_the_limit_and_the_fields_are_read(browser, identity_done, settings):
    def parts(note):
        return {"csrfmiddlewaretoken": browser.token, **FIELDS, "note": "x" * note,
                "ktp_photo": padded_photo("ktp.jpg", settings.PHOTO_MAX_BYTES),
                "selfie": padded_photo("selfie.jpg", settings.PHOTO_MAX_BYTES)}

    note = settings.UPLOAD_MAX_BODY_BYTES - len(encode_multipart(BOUNDARY, parts(0)))
    response, body = post_stream(browser, parts(note))
    assert body.read_bytes == settings.UPLOAD_MAX_BODY_BYTES
    assert response.status_code == 302
    assert Profile.objects.get(user=identity_done).personal_data_at is not None


def test_a_photo_sent_before_the_csrf_token_is_refused_not_saved(browser, identity_done):
    parts = {"ktp_photo": filler("ktp.jpg", 6 * 1024 * 1024), "csrfmiddlewaretoken": browser.token, **FIELDS,
             "selfie": jpeg("selfie.jpg")}
    response, _body = post_stream(browser, parts)
    assert response.status_code == 413
    assert TOO_LARGE_ID in response.content.decode()
    assert Profile.objects.get(user=identity_done).personal_data_at is None


def test_csrf_is_still_checked_on_uploads(browser, identity_done):
    parts = {**FIELDS, "ktp_photo": jpeg(), "selfie": jpeg("selfie.jpg")}
    response, _body = post_stream(browser, parts)
    assert response.status_code == 403  # Django's CSRF page, not the upload refusal
    assert Profile.objects.get(user=identity_done).personal_data_at is None
    response, _body = post_stream(browser, {"csrfmiddlewaretoken": browser.token, **parts,
                                            "ktp_photo": jpeg(), "selfie": jpeg("selfie.jpg")})
    assert response.status_code == 302
    assert Profile.objects.get(user=identity_done).personal_data_at is not None
