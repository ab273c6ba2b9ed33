"""OPS-1: operator roles, and a second factor before any back-office page."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from prakerja.accounts.models import User
from prakerja.accounts.roles import GROUP_NAMES, ROLES
from prakerja.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def code_for(secret, offset=0):
    # A code made in the last second of its period may be checked in the next
    # one and refused (tolerance 0): wait for the new period instead.
    if offset == 0 and mfa_settings.TOTP_PERIOD - time.time() % mfa_settings.TOTP_PERIOD < 1.5:
        time.sleep(1.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD + offset))


def login(client, user):
    return client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def test_every_role_exists_as_a_group_with_permissions():
    for slug in ROLES:
        assert Group.objects.filter(name=GROUP_NAMES[slug]).exists()
    auditor = Group.objects.get(name=GROUP_NAMES["auditor"])
    codenames = set(auditor.permissions.values_list("codename", flat=True))
    assert "view_auditentry" in codenames
    assert not any(c.startswith(("change_", "delete_", "add_")) for c in codenames)


@pytest.mark.django_db(transaction=True)  # allauth reports the new factor on commit, as in production
def test_operator_without_totp_must_set_it_up_before_the_admin(client, operator):
    login(client, operator)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))
    # allauth asks for the password again before adding a factor.
    response = client.get(response["Location"])
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    # Setting it up with a valid code opens the back office.
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]
    response = client.post(reverse("mfa_activate_totp"), {"code": code_for(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_operator_with_totp_is_asked_for_the_code_at_login(client, operator):
    TOTP.activate(operator, SECRET)
    response = login(client, operator)
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get("/admin/").status_code == 302  # not signed in yet
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_session_without_second_factor_is_stopped_everywhere(client, operator):
    TOTP.activate(operator, SECRET)
    client.force_login(operator)  # a session that never passed the second factor
    for url in ("/admin/", reverse("dashboard"), reverse("inbox")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauthenticate"))


def test_applicants_cannot_reach_the_admin(client, applicant):
    login(client, applicant)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_create_operator_command(capsys):
    call_command("create_operator", "--email", "Dewi@Prakerja.test", "--name", "Dewi", "--role", "finance",
                 "--role", "auditor", "--password", "Operator-Sandi-2026")
    user = User.objects.get(email="dewi@prakerja.test")
    assert user.is_staff and not user.is_superuser
    assert set(user.groups.values_list("name", flat=True)) == {GROUP_NAMES["finance"], GROUP_NAMES["auditor"]}
    assert AuditEntry.objects.filter(action="operator.create", target_id=str(user.public_id)).exists()
    assert "TOTP" in capsys.readouterr().out


def test_create_operator_refuses_a_short_password():
    with pytest.raises(CommandError, match="12 characters"):
        call_command("create_operator", "--email", "x@prakerja.test", "--name", "X", "--role", "finance",
                     "--password", "short")


def test_an_operator_lands_in_the_back_office_after_signing_in(client, operator):
    TOTP.activate(operator, SECRET)
    login(client, operator)
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(SECRET)})
    assert response.status_code == 302 and response["Location"] == reverse("backoffice_home")


def test_a_participant_lands_on_the_dashboard(client, applicant):
    response = login(client, applicant)
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
