"""The CSRF token of cached pages (prakerja/web/csrf.py) is Django's token, drawn faster."""

from collections import Counter

import pytest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import Client, RequestFactory
from django.urls import reverse

from prakerja.web.csrf import csrf_token, random_mask

pytestmark = pytest.mark.django_db
SECRET = "A" * 16 + "z9" * 8


def _request(secret=SECRET):
    request = RequestFactory().get("/")
    if secret is not None:
        request.META["CSRF_COOKIE"] = secret
    return request


def test_the_token_unmasks_to_the_cookie_s_secret_and_differs_each_time():
    request = _request()
    tokens = {csrf_token(request) for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == SECRET
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True  # the cookie is sent again, as Django does


def test_without_a_cookie_django_makes_the_secret():
    request = _request(secret=None)
    token = csrf_token(request)
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


def test_the_mask_uses_every_character_evenly():
    counts = Counter("".join(random_mask() for _ in range(4000)))  # 128,000 characters, about 2,065 each
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert max(counts.values()) < 1.15 * min(counts.values())


def test_the_cached_home_page_s_token_passes_the_check():
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("home"))
    page = client.get(reverse("home")).content.decode()  # the second visit: the whole page from the cache
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post(reverse("set_language"), {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    forged = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert Client(enforce_csrf_checks=True, cookies=client.cookies).post(
        reverse("set_language"), {"language": "en", "csrfmiddlewaretoken": forged}).status_code == 403
