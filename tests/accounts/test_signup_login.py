"""REG-1 and REG-2: signup, mandatory email confirmation, login, "Ingat Saya"."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from prakerja.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {"full_name": "Siti Rahma", "email": "siti@example.id", "password1": PASSWORD,
          "password2": PASSWORD, "statement": "on"}


def signup(client, capture, **overrides):
    with capture(execute=True):
        return client.post(reverse("account_signup"), {**SIGNUP, **overrides})


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)


def test_signup_sends_confirmation_and_blocks_until_confirmed(client, mailoutbox,
                                                               django_capture_on_commit_callbacks):
    response = signup(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="siti@example.id")
    assert user.full_name == "Siti Rahma"
    assert user.language == "id"
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["siti@example.id"]
    # Nothing works before the email is confirmed.
    assert client.get(reverse("dashboard")).status_code == 302
    response = client.post(reverse("account_login"), {"login": "siti@example.id", "password": PASSWORD})
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_confirm_then_login_shows_dashboard(client, mailoutbox, django_capture_on_commit_callbacks):
    signup(client, django_capture_on_commit_callbacks)
    link = confirmation_link(mailoutbox[0])
    assert client.get(link).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="siti@example.id").verified
    # The welcome message reaches the inbox (the bell) and the mailbox.
    assert len(mailoutbox) == 2
    client.post(reverse("account_login"), {"login": "siti@example.id", "password": PASSWORD})
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert 'data-testid="unread-count">1<' in page.content.decode()


def test_reused_confirmation_link_is_harmless(client, mailoutbox, django_capture_on_commit_callbacks):
    signup(client, django_capture_on_commit_callbacks)
    link = confirmation_link(mailoutbox[0])
    client.post(link)
    again = client.get(link)
    assert again.status_code == 200  # a page that explains, not an error
    assert "kedaluwarsa atau tidak valid" in again.content.decode()
    assert EmailAddress.objects.filter(email="siti@example.id", verified=True).count() == 1


def test_expired_or_bogus_confirmation_link_gets_a_page_not_500(client):
    response = client.get(reverse("account_confirm_email", args=["not-a-real-key"]))
    assert response.status_code == 200
    assert "kedaluwarsa atau tidak valid" in response.content.decode()


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"password2": "Lain-Sandi-2026"}, "password2", "harus sama"),
    ({"password1": "12345678", "password2": "12345678"}, "password1", "umum"),
    ({"full_name": "x" * 151}, "full_name", "150"),
    ({"full_name": "R2D2"}, "full_name", "huruf"),
    ({"email": "bukan-email"}, "email", "email"),
    ({"email": "a" * 250 + "@example.id"}, "email", "email"),
    ({"statement": ""}, "statement", "Centang"),
])
def test_bad_signup_input_gets_indonesian_errors_and_creates_nothing(client, overrides, field, message,
                                                                      django_capture_on_commit_callbacks):
    response = signup(client, django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message.lower() in " ".join(errors[field]).lower()
    assert User.objects.count() == 0


def test_wrong_password_gets_clear_message(client, applicant):
    response = client.post(reverse("account_login"), {"login": applicant.email, "password": "salah-sandi"})
    assert response.status_code == 200
    assert "kata sandi yang anda masukkan tidak benar" in response.content.decode()


def test_logout(client, applicant):
    client.force_login(applicant)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 302


@pytest.mark.parametrize(("remember", "max_age"), [(True, 30 * 24 * 3600), (False, None)])
def test_remember_me_controls_cookie_lifetime(client, applicant, remember, max_age):
    data = {"login": applicant.email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post(reverse("account_login"), data)
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    if max_age is None:
        assert not cookie["max-age"] and not cookie["expires"]  # ends with the browser
    else:
        assert int(cookie["max-age"]) == max_age
    assert client.get(reverse("dashboard")).status_code == 200


def test_login_is_case_insensitive_on_email(client, applicant):
    response = client.post(reverse("account_login"), {"login": "SITI@Example.ID", "password": PASSWORD})
    assert response.status_code == 302


def test_expired_confirmation_link_explains_and_resends(client, mailoutbox, settings,
                                                       django_capture_on_commit_callbacks):
    signup(client, django_capture_on_commit_callbacks)
    link = confirmation_link(mailoutbox[0])
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 0  # every link is already too old
    response = client.get(link)
    assert response.status_code == 200
    assert "kedaluwarsa atau tidak valid" in response.content.decode()
    assert not EmailAddress.objects.get(email="siti@example.id").verified


def test_password_reset_by_email(client, applicant, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": applicant.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mailoutbox[0].body).group(1)
    form_url = client.get(link)["Location"]  # allauth moves the key out of the URL first
    new = "Sandi-Baru-2026!"
    weak = client.post(form_url, {"password1": "123", "password2": "123"})
    assert weak.status_code == 200 and weak.context["form"].errors
    response = client.post(form_url, {"password1": new, "password2": new})
    assert response.status_code == 302
    assert client.post(reverse("account_login"), {"login": applicant.email, "password": new}).status_code == 302
    # The link works once.
    assert client.get(link).status_code in (200, 302)
    reused = client.post(form_url, {"password1": "Lagi-Sandi-2026!", "password2": "Lagi-Sandi-2026!"})
    assert reused.status_code == 200 and "tidak valid" in reused.content.decode()


def test_confirming_the_email_stamps_the_account_once(client, db, sandbox_mail):
    """OPS-3: the funnel counts a confirmation on its own day; a second confirmation moves nothing."""
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_confirmed

    from prakerja.accounts.models import User

    user = User.objects.create_user(email="baru@example.id", password="Rahasia-Kuat-2026", full_name="Baru")
    address = EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    assert user.email_confirmed_at is None
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    first = User.objects.get(pk=user.pk).email_confirmed_at
    assert first is not None
    email_confirmed.send(sender=EmailAddress, request=None, email_address=address)
    assert User.objects.get(pk=user.pk).email_confirmed_at == first
