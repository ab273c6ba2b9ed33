"""Signup, login and reset never reveal whether an email is registered; rate limits."""

import pytest
from django.urls import reverse

from prakerja.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_signup_with_registered_email_looks_like_a_new_signup(client, applicant, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), {
            "full_name": "Orang Lain", "email": applicant.email, "password1": PASSWORD,
            "password2": PASSWORD, "statement": "on"})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert User.objects.count() == 1
    # The owner, not the stranger, learns that someone tried.
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [applicant.email]


def test_password_reset_answers_the_same_for_known_and_unknown(client, applicant, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("account_reset_password"), {"email": applicant.email})
        unknown = client.post(reverse("account_reset_password"), {"email": "tidak-ada@example.id"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_login_error_is_the_same_for_unknown_email_and_wrong_password(client, applicant):
    wrong = client.post(reverse("account_login"), {"login": applicant.email, "password": "Salah-Sandi-1"})
    unknown = client.post(reverse("account_login"), {"login": "nobody@example.id", "password": "Salah-Sandi-1"})
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()


def test_failed_logins_are_rate_limited_per_account(client, applicant):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": applicant.email, "password": "Salah-Sandi-1"})
    blocked = client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    assert blocked.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "Terlalu banyak" in blocked.content.decode()


def test_signup_is_rate_limited_per_ip(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "3/m/ip"}
    codes = []
    for i in range(4):
        response = client.post(reverse("account_signup"), {
            "full_name": "Siti Rahma", "email": f"s{i}@example.id", "password1": PASSWORD,
            "password2": PASSWORD, "statement": "on"})
        codes.append(response.status_code)
    assert codes[:3] == [302, 302, 302]
    assert codes[3] == 429
    assert User.objects.count() == 3
