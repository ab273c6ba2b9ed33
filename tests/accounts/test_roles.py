"""OPS-1: who may see and do what, one test per role (issue 14, finding 1).

Each test lists the role's permissions exactly, so a new wildcard or a stray
grant fails here, and then tries the role's pages through the real admin and
views: what it must reach, and the personal data it must not.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from prakerja.accounts import roles
from prakerja.accounts.roles import GROUP_NAMES, PERSONAL_DATA, ROLES, sync_roles
from prakerja.audit.models import AuditEntry
from prakerja.notifications.models import Message
from prakerja.notifications.services import notification_send
from tests.accounts.operators import make_profile, perms_of, sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage")]

EXPECTED = {
    "wave_manager": {
        "accounts.view_user", "waves.add_wave", "waves.change_wave", "waves.view_wave", "waves.view_application",
        "programme.view_switches", "programme.change_switches", "waves.view_consentversion",
        "waves.add_consentversion", "induction.view_inductionvideo", "induction.change_inductionvideo",
        "selection.view_niklist", "selection.view_niklistversion",
        "selection.view_prioritystatus", "selection.change_prioritystatus",
        "selection.view_selectionrun", "selection.run_selection", "selection.publish_results",
        "selection.view_announcement", "cards.view_revocations", "cards.view_card", "cards.view_cardissuance",
        "stats.view_statistics", "web.view_faqentry", "web.add_faqentry", "web.change_faqentry",
        "web.view_faqrevision"},
    "verifier": {"accounts.view_user", "registry.view_profile", "accounts.view_personal_data",
                 "registry.view_identity_photos"},
    "finance": {"accounts.view_user", "ledger.view_transaction", "ledger.view_posting", "ledger.view_account",
                "cards.view_cardissuance", "stats.view_statistics"},
    "complaints_agent": {"accounts.view_user", "learning.view_completion", "learning.view_certificate",
                         "complaints.view_ticket", "complaints.work_ticket", "complaints.view_savedanswer",
                         "complaints.view_responsetarget", "stats.view_statistics"},
    "partner_manager": {"partners.view_partner", "partners.view_webhookdelivery", "catalog.view_course",
                        "catalog.view_listing", "catalog.approve_listing", "learning.view_payment",
                        "learning.cancel_payment", "learning.view_voidedredeemcode", "learning.add_voidedredeemcode",
                        "learning.view_completion", "learning.decide_completion", "learning.view_certificate",
                        "learning.view_review", "stats.view_statistics"},
    "auditor": {
        "audit.view_auditentry", "accounts.view_user", "auth.view_group",
        "waves.view_wave", "waves.view_provincequota", "waves.view_application", "programme.view_switches",
        "waves.view_consentversion", "induction.view_inductionvideo", "programme.view_programme",
        "regions.view_province", "regions.view_regency",
        "registry.view_profile", "registry.view_statementversion", "notifications.view_message",
        "selection.view_niklist", "selection.view_niklistversion", "selection.view_prioritystatus",
        "selection.view_selectionrun", "selection.view_announcement", "cards.view_revocations",
        "partners.view_partner", "partners.view_webhookdelivery", "catalog.view_course", "catalog.view_listing",
        "learning.view_payment", "learning.view_voidedredeemcode", "learning.view_completion",
        "learning.view_certificate", "learning.view_review",
        "cards.view_card", "cards.view_cardissuance", "ledger.view_transaction", "ledger.view_posting",
        "ledger.view_account", "complaints.view_ticket", "complaints.view_savedanswer",
        "complaints.view_responsetarget", "stats.view_statistics",
        "retention.view_erasure", "retention.view_deletionrequest"},
}


@pytest.fixture
def profile(applicant):
    return make_profile(applicant)


def every_permission() -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}


def group_perms(slug: str) -> set[str]:
    group = Group.objects.get(name=GROUP_NAMES[slug])
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def assert_exactly(user, slug: str) -> None:
    assert group_perms(slug) == EXPECTED[slug]
    assert not user.is_superuser and user.is_staff
    assert perms_of(user) == EXPECTED[slug]


def status(client, url, method="get", **data) -> int:
    return getattr(client, method)(url, data).status_code


def reveal(client, profile, reason="complaint CMP-1234 about a rejected NIK"):
    return client.post(reverse("admin:registry_profile_reveal", args=[profile.pk]), {"reason": reason})


def photo_url(profile, kind="ktp"):
    return reverse("registry_photo", args=[profile.public_id, kind])


def welcome_message(user) -> Message:
    [message] = notification_send(template="welcome", key="roles-test", channels=["inbox"], user=user)
    Message.objects.filter(pk=message.pk).update(body="Selamat datang di Prakerja, Siti")
    message.refresh_from_db()
    return message


def test_administrator_holds_everything_and_is_a_superuser(client, profile, applicant):
    admin = sign_in(client, "administrator")
    assert admin.is_superuser and admin.is_staff
    assert group_perms("administrator") == every_permission()
    assert perms_of(admin) == every_permission()
    profile, nik, _kk = profile
    assert nik in reveal(client, profile).content.decode()
    assert status(client, photo_url(profile)) == 200
    assert status(client, reverse("admin:accounts_user_change", args=[applicant.pk])) == 200
    # Everything, except an authentication message's body: that no one reads.
    message = welcome_message(applicant)
    page = client.get(reverse("admin:notifications_message_change", args=[message.pk])).content.decode()
    assert message.body in page


def test_wave_manager_runs_waves_and_sees_no_personal_data(client, profile):
    user = sign_in(client, "wave_manager")
    assert_exactly(user, "wave_manager")
    profile, nik, _kk = profile
    assert status(client, reverse("admin:waves_wave_add")) == 200
    assert status(client, reverse("admin:waves_application_changelist")) == 200
    assert status(client, reverse("waves_counts")) == 200
    assert status(client, reverse("admin:registry_profile_change", args=[profile.pk])) == 403
    assert reveal(client, profile).status_code == 404
    assert status(client, photo_url(profile)) == 404
    assert status(client, reverse("admin:notifications_message_changelist")) == 403
    assert status(client, reverse("admin:audit_auditentry_changelist")) == 403
    assert not AuditEntry.objects.filter(action__startswith="registry.").exists()


def test_verifier_opens_profiles_reveals_by_post_and_sees_photos(client, profile):
    user = sign_in(client, "verifier")
    assert_exactly(user, "verifier")
    profile, nik, kk = profile
    page = client.get(reverse("admin:registry_profile_change", args=[profile.pk])).content.decode()
    assert nik not in page and profile.nik_masked in page
    assert 'method="post"' in page and reverse("admin:registry_profile_reveal", args=[profile.pk]) in page
    response = reveal(client, profile)
    assert response.status_code == 200 and nik in response.content.decode() and kk in response.content.decode()
    assert status(client, photo_url(profile), reason="compare KTP and selfie") == 200
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {"registry.identity_reveal",
                                                                         "registry.photo_view.ktp"}
    # Identities only: no waves to run, no audit log, no messages, no operators to manage.
    assert status(client, reverse("admin:waves_wave_add")) == 403
    assert status(client, reverse("admin:audit_auditentry_changelist")) == 403
    assert status(client, reverse("admin:notifications_message_changelist")) == 403
    assert status(client, reverse("admin:accounts_user_change", args=[user.pk]), "post",
                  email=user.email, full_name="x", roles=["administrator"]) == 403


@pytest.mark.parametrize("slug", ["finance", "complaints_agent"])
def test_finance_and_complaints_agent_see_accounts_only(client, profile, slug, applicant):
    user = sign_in(client, slug)
    assert_exactly(user, slug)
    profile, nik, _kk = profile
    assert status(client, reverse("admin:accounts_user_changelist")) == 200
    page = client.get(reverse("admin:accounts_user_change", args=[applicant.pk])).content.decode()
    assert 'name="roles"' not in page  # read-only: no access to hand out
    assert status(client, reverse("admin:registry_profile_change", args=[profile.pk])) == 403
    assert reveal(client, profile).status_code == 404
    assert status(client, photo_url(profile)) == 404
    assert status(client, reverse("admin:notifications_message_changelist")) == 403
    assert status(client, reverse("admin:audit_auditentry_changelist")) == 403
    assert status(client, reverse("waves_counts")) == 403
    # Finance reads the books (CRD-3), never a card's holder.
    books = 200 if slug == "finance" else 403
    assert status(client, reverse("admin:ledger_transaction_changelist")) == books
    assert status(client, reverse("admin:cards_card_changelist")) == 403


def test_partner_manager_sees_partners_and_nothing_personal(client, profile):
    user = sign_in(client, "partner_manager")
    assert_exactly(user, "partner_manager")
    profile, _nik, _kk = profile
    assert status(client, reverse("admin:index")) == 200  # an operator: partners, the catalogue, payments
    for url in (reverse("admin:accounts_user_changelist"), reverse("admin:registry_profile_change", args=[profile.pk]),
                reverse("admin:notifications_message_changelist"), reverse("admin:audit_auditentry_changelist")):
        assert status(client, url) == 403, url
    assert status(client, photo_url(profile)) == 404


def test_auditor_sees_operations_and_no_secrets(client, profile, applicant):
    user = sign_in(client, "auditor")
    assert_exactly(user, "auditor")
    assert not EXPECTED["auditor"] & PERSONAL_DATA
    profile, nik, kk = profile
    # Operations: the audit log, waves, applications and their counts, the roles.
    for url in (reverse("admin:audit_auditentry_changelist"), reverse("admin:waves_wave_changelist"),
                reverse("admin:waves_application_changelist"), reverse("waves_counts"),
                reverse("admin:auth_group_changelist"), reverse("admin:notifications_message_changelist")):
        assert status(client, url) == 200, url
    # A profile, masked, with no way to reveal it and no photos.
    page = client.get(reverse("admin:registry_profile_change", args=[profile.pk])).content.decode()
    assert profile.nik_masked in page and nik not in page and 'name="reason"' not in page
    response = reveal(client, profile)
    assert response.status_code == 403 and nik not in response.content.decode()
    assert kk not in response.content.decode()
    assert status(client, photo_url(profile)) == 404
    assert status(client, photo_url(profile, "selfie")) == 404
    # No reveal and no photo: only the (masked) profile view is on record (issue 21, PRV-5).
    assert set(AuditEntry.objects.filter(action__startswith="registry.").values_list("action", flat=True)) == {
        "registry.profile_view"}
    # Which messages went out, never what they said.
    message = welcome_message(applicant)
    page = client.get(reverse("admin:notifications_message_change", args=[message.pk])).content.decode()
    assert message.template in page and message.body not in page
    # Read-only: nothing to change, no one to promote, no one's secrets.
    assert status(client, reverse("admin:waves_wave_add")) == 403
    assert status(client, reverse("admin:accounts_user_change", args=[user.pk]), "post",
                  email=user.email, full_name="x", roles=["administrator"], active="on", access_reason="promote") == 403
    user.refresh_from_db()
    assert not user.is_superuser
    for model in ("mfa_authenticator", "account_emailaddress", "sites_site"):
        assert status(client, reverse(f"admin:{model}_changelist")) == 403, model


def test_personal_data_never_comes_through_a_wildcard(monkeypatch):
    # "*" stops short of personal data: an administrator without the names
    # listed would not get them.
    monkeypatch.setitem(ROLES, "administrator", {"name": "Administrator", "perms": ["*"]})
    sync_roles()
    assert not group_perms("administrator") & PERSONAL_DATA
    assert group_perms("administrator") == every_permission() - PERSONAL_DATA


def test_only_the_administrator_may_hold_a_wildcard(monkeypatch):
    monkeypatch.setitem(ROLES, "auditor", {"name": "Auditor", "perms": ["*"]})
    with pytest.raises(ImproperlyConfigured):
        sync_roles()
    monkeypatch.setitem(ROLES, "auditor", {"name": "Auditor", "perms": ["view:*"]})
    with pytest.raises(ImproperlyConfigured):
        roles._check(ROLES)
