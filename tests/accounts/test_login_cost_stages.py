"""The password check's lookup answers allauth's later login steps (prakerja/accounts/backends.py, stages.py).

A verified address and an account without an authenticator are noted by
the backend, so a sign-in asks the database neither again. What must not
change: an unverified address still gets the verification step (REG-1), a
staff member with TOTP is still asked for a code (OPS-1), and the lookup
finds the same accounts as allauth's.
"""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prakerja.accounts.models import User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, login):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("account_login"), {"login": login, "password": PASSWORD})
    return response, [q["sql"] for q in queries.captured_queries]


def test_a_verified_sign_in_asks_one_lookup(client, applicant):
    response, sql = _login(client, applicant.email.upper())
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert int(client.session["_auth_user_id"]) == applicant.pk
    assert len([q for q in sql if "account_emailaddress" in q]) == 1  # allauth's flow: two
    assert len([q for q in sql if "mfa_authenticator" in q]) == 1  # inside that one lookup (allauth: its own)


def test_an_unverified_address_still_gets_the_verification_step(client, make_user, mailoutbox,
                                                                django_capture_on_commit_callbacks):
    user = make_user(email="belum@example.id", verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response, _sql = _login(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_a_staff_member_with_totp_is_asked_for_a_code(client, operator):
    Authenticator.objects.create(user=operator, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response, _sql = _login(client, operator.email)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_recovery_codes_alone_do_not_ask_for_a_code(client, make_user):
    """allauth's step asks only for TOTP or WebAuthn, so does the annotation."""
    user = make_user(email="kode@example.id")
    Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={})
    response, _sql = _login(client, user.email)
    assert response["Location"] == reverse("dashboard")


def test_an_account_without_an_address_row_signs_in_by_its_user_email(client, db):
    """allauth also looks at User.email when no verified address matches; so does ours (then verifies)."""
    user = User.objects.create_user(email="tanpa-baris@example.id", password=PASSWORD, full_name="Tanpa")
    response, _sql = _login(client, user.email)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")


def test_the_lookup_finds_what_allauths_finds(make_user):
    from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend

    from prakerja.accounts.backends import AuthenticationBackend

    verified = make_user(email="sama@example.id")
    other = User.objects.create_user(email="lain@example.id", password=PASSWORD, full_name="Lain")
    EmailAddress.objects.create(user=other, email="LAIN@example.id", verified=False, primary=True)
    for email in ("sama@example.id", "SAMA@EXAMPLE.ID", "lain@example.id", "none@example.id"):
        for password in (PASSWORD, "Salah-Sandi-1"):
            ours = AuthenticationBackend()._authenticate_by_email(email, password)
            theirs = AllauthBackend()._authenticate_by_email(email, password)
            assert ours == theirs, (email, password)
    assert AuthenticationBackend()._authenticate_by_email("sama@example.id", PASSWORD) == verified


def test_the_compiled_lookup_loads_users_as_the_orm_does(make_user):
    from django.forms.models import model_to_dict

    from prakerja.accounts.backends import users_by_login_email

    user = make_user(email="kompil@example.id", language="en")
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    make_user(email="lain2@example.id")
    [(found, address, verified, has_mfa)] = users_by_login_email("kompil@example.id")
    orm = User.objects.get(pk=user.pk)
    assert (address, verified, has_mfa) == ("kompil@example.id", True, True)
    assert model_to_dict(found) == model_to_dict(orm)
    for field in orm._meta.concrete_fields:
        assert type(getattr(found, field.attname)) is type(getattr(orm, field.attname)), field.name
    assert found._state.adding is False and found._state.db == orm._state.db
    [(_user, _address, _verified, other_mfa)] = users_by_login_email("lain2@example.id")
    assert other_mfa is False
    assert users_by_login_email("KOMPIL@example.id") == []  # the address is looked up as given (lowercased)
