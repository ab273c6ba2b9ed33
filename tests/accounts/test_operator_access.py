"""OPS-1 and OPS-4: who is an operator changes through one audited service
(issue 14, finding 6: a demoted administrator kept is_superuser)."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from prakerja.accounts.models import User
from prakerja.accounts.roles import GROUP_NAMES
from prakerja.accounts.services import OperatorAccessRefused, operator_set_access
from prakerja.audit.models import AuditEntry
from prakerja.audit.services import SYSTEM
from tests.accounts.operators import make_operator, sign_in

pytestmark = pytest.mark.django_db
PASSWORD = "Operator-Sandi-2026"


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def access_rows(user):
    return list(AuditEntry.objects.filter(action="operator.access", target_id=str(user.public_id))
                .order_by("created_at", "id"))


def change_form(user, **overrides) -> dict:
    data = {"email": user.email, "full_name": user.full_name, "language": user.language,
            "roles": [], "active": "on", "access_reason": ""}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def change(client, user, **overrides):
    return client.post(reverse("admin:accounts_user_change", args=[user.pk]), change_form(user, **overrides))


def test_demotion_by_the_command_clears_superuser(capsys):
    call_command("create_operator", "--email", "rina@prakerja.test", "--name", "Rina", "--role", "administrator",
                 "--password", PASSWORD)
    rina = User.objects.get(email="rina@prakerja.test")
    assert rina.is_superuser and rina.is_staff
    call_command("create_operator", "--email", "rina@prakerja.test", "--name", "Rina", "--role", "finance",
                 "--reason", "moved to finance")
    rina.refresh_from_db()
    assert rina.is_staff and not rina.is_superuser
    assert set(rina.groups.values_list("name", flat=True)) == {GROUP_NAMES["finance"]}
    assert not rina.has_perm("accounts.view_personal_data")
    assert rina.check_password(PASSWORD)  # a demotion does not change the password
    last = access_rows(rina)[-1]
    assert last.actor_label == SYSTEM and last.reason == "moved to finance"
    assert last.data["before"]["is_superuser"] is True and last.data["after"]["is_superuser"] is False
    assert last.data["before"]["roles"] == ["administrator"] and last.data["after"]["roles"] == ["finance"]


def test_demotion_in_the_admin_goes_through_the_service(client):
    boss = sign_in(client, "administrator", email="boss@prakerja.test")
    rina = make_operator("administrator", email="rina@prakerja.test")
    response = change(client, rina, roles=["auditor"], access_reason="left the admin team")
    assert response.status_code == 302, response.content.decode()[:2000]
    rina.refresh_from_db()
    assert rina.is_staff and not rina.is_superuser
    assert set(rina.groups.values_list("name", flat=True)) == {GROUP_NAMES["auditor"]}
    [row] = [r for r in access_rows(rina) if r.actor_id == boss.pk]
    assert row.reason == "left the admin team"
    assert row.data["before"]["is_superuser"] and not row.data["after"]["is_superuser"]


def test_the_admin_form_does_not_write_access_fields_directly(client, applicant):
    sign_in(client, "administrator")
    role_group = Group.objects.get(name=GROUP_NAMES["administrator"])
    response = change(client, applicant, full_name="Siti Baru", is_staff="on", is_superuser="on",
                      groups=[role_group.pk], is_active="")
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.full_name == "Siti Baru"
    assert not applicant.is_staff and not applicant.is_superuser and applicant.is_active
    assert not applicant.groups.exists()
    assert access_rows(applicant) == []


def test_removing_every_role_and_deactivating(client):
    sign_in(client, "administrator")
    dewi = make_operator("verifier", email="dewi@prakerja.test")
    response = change(client, dewi, roles=[], active=None, access_reason="contract ended")
    assert response.status_code == 302
    dewi.refresh_from_db()
    assert not dewi.is_staff and not dewi.is_superuser and not dewi.is_active
    assert not dewi.groups.exists()
    assert access_rows(dewi)[-1].data["after"] == {"roles": [], "groups": [], "is_staff": False,
                                                   "is_superuser": False, "is_active": False}


def test_a_change_of_access_needs_a_reason(client):
    sign_in(client, "administrator")
    dewi = make_operator("verifier", email="dewi@prakerja.test")
    response = change(client, dewi, roles=["administrator"], access_reason="")
    assert response.status_code == 200 and "Give a reason" in response.content.decode()
    dewi.refresh_from_db()
    assert not dewi.is_superuser


def test_an_administrator_cannot_demote_or_deactivate_themselves(client):
    boss = sign_in(client, "administrator")
    response = change(client, boss, roles=["auditor"], access_reason="oops")
    assert response.status_code == 200
    assert "cannot remove your own administrator role" in response.content.decode()
    response = change(client, boss, roles=["administrator"], active=None, access_reason="oops")
    assert "cannot deactivate your own account" in response.content.decode()
    boss.refresh_from_db()
    assert boss.is_superuser and boss.is_active
    with pytest.raises(OperatorAccessRefused):
        operator_set_access(actor=boss, user=boss, roles=[], is_active=True, reason="direct call")
    boss.refresh_from_db()
    assert boss.is_superuser and access_rows(boss)[-1].actor_id is None  # only the creation


def test_the_service_needs_manage_operators():
    verifier = make_operator("verifier", email="dewi@prakerja.test")
    target = make_operator("finance")
    with pytest.raises(PermissionDenied):
        operator_set_access(actor=verifier, user=target, roles=["administrator"], is_active=True, reason="x")
    with pytest.raises(PermissionDenied):
        operator_set_access(actor=verifier, user=verifier, roles=["administrator"], is_active=True, reason="x")
    verifier.refresh_from_db()
    assert not verifier.is_superuser


def test_nothing_changed_writes_no_row():
    rina = make_operator("finance")
    before = len(access_rows(rina))
    operator_set_access(actor=SYSTEM, user=rina, roles=["finance"], is_active=True, reason="again")
    assert len(access_rows(rina)) == before


def test_groups_outside_the_roles_are_dropped():
    rina = make_operator("finance")
    rina.groups.add(Group.objects.create(name="hand-made"))
    operator_set_access(actor=SYSTEM, user=rina, roles=["finance"], is_active=True, reason="clean up")
    assert set(rina.groups.values_list("name", flat=True)) == {GROUP_NAMES["finance"]}
    assert "hand-made" in access_rows(rina)[-1].data["before"]["groups"]


def test_createsuperuser_points_to_the_audited_command():
    with pytest.raises(CommandError, match="create_operator"):
        call_command("createsuperuser", "--noinput", "--email", "x@prakerja.test")
    assert not User.objects.filter(is_superuser=True).exists()
