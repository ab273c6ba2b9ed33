"""Issue 14, finding 1: the reset link in the outbox was a way into any account.

The attack: ask for a password reset for the victim, open the message in the
admin, follow the link, sign in as the victim. allauth's mails are stored
first and sent by the worker, so the link sits in the table until then; no
admin page may show it to anyone, and it is erased once sent.
"""

import re

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from prakerja.notifications.models import Message, Status
from prakerja.notifications.services import message_deliver
from tests.accounts.operators import sign_in

pytestmark = pytest.mark.django_db

RESET_KEY = re.compile(r"/accounts/password/reset/key/([^/\s]+)/")
CONFIRM_KEY = re.compile(r"/accounts/confirm-email/([^/\s]+)/")
HIDDEN = "[hidden: authentication message]"


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def request_reset(client, victim) -> tuple[Message, str]:
    # The on-commit delivery is not run: the message waits in the queue, as
    # it does whenever the worker is behind or SMTP is down.
    client.post(reverse("account_reset_password"), {"email": victim.email})
    message = Message.objects.get(user=victim, template="password_reset_key")
    return message, RESET_KEY.search(message.body).group(1)


def every_admin_page(client, message, secret) -> dict[str, str]:
    """Each admin list (and a search for the key), the message's page and history."""
    pages = {}
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            continue
        response = client.get(url, {"q": secret})
        if response.status_code != 200:
            continue
        # The search box repeats what was typed; what matters is that nothing is found.
        if model_admin.get_search_fields(response.wsgi_request):
            assert response.context["cl"].result_count == 0, url
        for query in ({}, {"q": "reset"}, {"q": "password"}):
            pages[f"{url}?{query}"] = client.get(url, query).content.decode()
    for name in ("change", "history"):
        response = client.get(reverse(f"admin:notifications_message_{name}", args=[message.pk]))
        assert response.status_code == 200
        pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("role", ["auditor", "administrator"])
def test_no_admin_page_shows_a_reset_link(client, applicant, role):
    message, key = request_reset(client, applicant)
    assert message.status == Status.QUEUED and message.sensitive
    sign_in(client, role)
    pages = every_admin_page(client, message, key)
    assert len(pages) > 5  # the role did reach the lists it may read
    for where, page in pages.items():
        assert key not in page, where
        assert "/accounts/password/reset/key/" not in page, where
    if role == "administrator":
        assert HIDDEN in pages["change"]
    else:
        assert HIDDEN not in pages["change"]  # no body field at all without the permission


def test_the_body_is_erased_once_sent(client, applicant, mailoutbox):
    message, key = request_reset(client, applicant)
    assert message_deliver(message_id=message.pk) == Status.SENT
    assert key in mailoutbox[0].body  # the victim got the link
    message.refresh_from_db()
    assert key not in message.body and key not in message.html_body
    assert message.body.startswith("[erased after delivery")


def test_the_signup_confirmation_is_sensitive_too(client, mailoutbox):
    client.post(reverse("account_signup"), {"full_name": "Dewi", "email": "dewi@example.id",
                                            "password1": "Sandi-Rahasia-2026", "password2": "Sandi-Rahasia-2026",
                                            "statement": "on"})
    message = Message.objects.get(to_address="dewi@example.id")
    key = CONFIRM_KEY.search(message.body).group(1)
    assert message.sensitive
    sign_in(client, "administrator")
    page = client.get(reverse("admin:notifications_message_change", args=[message.pk])).content.decode()
    assert key not in page and HIDDEN in page
    message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert key not in message.body
