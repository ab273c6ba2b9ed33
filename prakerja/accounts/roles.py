"""Operator roles (OPS-1) as Django groups with permissions.

Each later app adds the codenames its role needs here; ``sync_roles`` runs
after every migrate, so a new permission reaches its group on deploy.
Codenames not (yet) in the database are skipped, not errors.

Every role lists its codenames. The one wildcard left is the
administrator's "*", and even it stops short of ``PERSONAL_DATA``: a
permission that shows a secret (the full NIK and KK, a KTP photo, the body
of a stored message) is granted by name or not at all, so a new model or a
new ``view_*`` never hands a role somebody's identity or a reset link
(issue 14: the auditor could read reset links and take over accounts).
"""

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PERSONAL_DATA = frozenset({
    "accounts.view_personal_data",  # reveal the full NIK and KK
    "registry.view_identity_photos",  # KTP photo and selfie
    "notifications.view_message_body",  # what we told a person, word for word
})

ROLES: dict[str, dict] = {
    # The administrator is also a superuser (operator_set_access keeps the two
    # together), so Django grants it everything whatever the group holds. The
    # group still holds "*" so that a check that reads group permissions gives
    # the same answer; its personal-data permissions are listed like anyone's.
    "administrator": {"name": _("Administrator"), "perms": ["*", *sorted(PERSONAL_DATA)]},
    "wave_manager": {"name": _("Wave manager"), "perms": [
        "accounts.view_user", "waves.add_wave", "waves.change_wave", "waves.view_wave", "waves.view_application",
        "programme.view_switches", "programme.change_switches", "waves.view_consentversion",
        "waves.add_consentversion",
        # CRD-2: replaces the induction videos (audited).
        "induction.view_inductionvideo", "induction.change_inductionvideo",
        # Selection (SEL-5): lists and runs are seen, priority statuses chosen, runs
        # started and results published early; lists are imported by command.
        "selection.view_niklist", "selection.view_niklistversion", "selection.view_prioritystatus",
        "selection.change_prioritystatus",
        "selection.view_selectionrun", "selection.run_selection", "selection.publish_results",
        "selection.view_announcement",
        # CRD-5: the places revocation gave back, per wave and province, for a supplementary wave.
        "cards.view_revocations", "cards.view_card", "cards.view_cardissuance", "stats.view_statistics",
        # Issue 21: the home page's FAQ (versioned, audited).
        "web.view_faqentry", "web.add_faqentry", "web.change_faqentry", "web.view_faqrevision"]},
    # Checks identities: opens the profile, reveals NIK and KK with a reason,
    # compares the KTP photo with the selfie. Every reveal and photo is audited.
    "verifier": {"name": _("Verifier"), "perms": [
        "accounts.view_user", "registry.view_profile",
        "accounts.view_personal_data", "registry.view_identity_photos"]},
    "finance": {"name": _("Finance"), "perms": ["accounts.view_user", "ledger.view_transaction", "ledger.view_posting",
                                                 "ledger.view_account", "cards.view_cardissuance",
                                                 "stats.view_statistics"]},
    # TRN-4, CMP-2: reads the held completion reports (masked) a participant complains about; decides none.
    # CMP-3: works the complaints queue (assign, answer, resolve; every action audited) and sees
    # the statistics of complaint volumes and response times.
    "complaints_agent": {"name": _("Complaints agent"), "perms": [
        "accounts.view_user", "learning.view_completion", "learning.view_certificate",
        "complaints.view_ticket", "complaints.work_ticket", "complaints.view_savedanswer",
        "complaints.view_responsetarget", "stats.view_statistics"]},
    # TRN-1, OPS-2: curates the catalogue (approves or rejects listings, audited; a conflicted
    # listing needs two of them) and watches partners, payments and webhooks. Partners and their
    # secrets are made by command (create_partner, rotate_partner_secret), never shown.
    "partner_manager": {"name": _("Partner manager"), "perms": [
        "partners.view_partner", "partners.view_webhookdelivery",
        "catalog.view_course", "catalog.view_listing", "catalog.approve_listing",
        # TRN-2: cancels a payment before redemption (a reason, audited; the platform is told by webhook).
        "learning.view_payment", "learning.cancel_payment",
        # TRN-3: replaces a leaked, unused redeem code (voids it: a VoidedRedeemCode row; a reason, audited).
        "learning.view_voidedredeemcode", "learning.add_voidedredeemcode",
        # TRN-4, TRN-5: decides held completion reports (a reason, audited), sees certificates and reviews.
        "learning.view_completion", "learning.decide_completion", "learning.view_certificate",
        "learning.view_review", "stats.view_statistics"]},
    # Read-only, and operations only: who did what (the audit log), waves,
    # applications and their counts, the programme, which messages went out
    # and whether they arrived (never their bodies), masked profiles. Not the
    # motivation test's item bank, answers, OTP rows, sessions, email
    # confirmations or authenticators (TOTP secrets).
    "auditor": {"name": _("Auditor"), "perms": [
        "audit.view_auditentry",
        "accounts.view_user", "auth.view_group",
        "waves.view_wave", "waves.view_provincequota", "waves.view_application", "programme.view_switches",
        "waves.view_consentversion", "induction.view_inductionvideo",
        "programme.view_programme", "regions.view_province", "regions.view_regency",
        "registry.view_profile", "registry.view_statementversion",
        "notifications.view_message",
        "selection.view_niklist", "selection.view_niklistversion", "selection.view_prioritystatus",
        "selection.view_selectionrun", "selection.view_announcement",
        "cards.view_revocations", "cards.view_card", "cards.view_cardissuance",
        "ledger.view_transaction", "ledger.view_posting", "ledger.view_account",
        # TRN-1, TRN-2: partners (never their secrets), the catalogue, payments, webhooks.
        "partners.view_partner", "partners.view_webhookdelivery", "catalog.view_course", "catalog.view_listing",
        "learning.view_payment",
        # TRN-3..TRN-5: replaced codes, completion reports (masked) and their decisions, certificates, reviews.
        "learning.view_voidedredeemcode", "learning.view_completion", "learning.view_certificate",
        "learning.view_review",
        # CMP, OPS-3: tickets (read only), the desk's configuration, the statistics.
        "complaints.view_ticket", "complaints.view_savedanswer", "complaints.view_responsetarget",
        "stats.view_statistics",
        # PRV-8: who was anonymised and which deletion requests wait, and why.
        "retention.view_erasure", "retention.view_deletionrequest"]},
}

# Group names are stable identifiers; the translated label is for display.
GROUP_NAMES = {slug: f"role:{slug}" for slug in ROLES}
SLUG_BY_GROUP = {name: slug for slug, name in GROUP_NAMES.items()}


def _check(roles: dict[str, dict]) -> None:
    for slug, role in roles.items():
        for perm in role["perms"]:
            if perm == "*" and slug != "administrator":
                raise ImproperlyConfigured(f"role {slug}: only the administrator may hold '*'")
            if perm != "*" and "." not in perm:
                raise ImproperlyConfigured(f"role {slug}: {perm!r} is not app_label.codename")


def sync_roles() -> None:
    from django.contrib.auth.models import Group, Permission

    _check(ROLES)
    all_perms = list(Permission.objects.select_related("content_type"))
    by_label = {f"{p.content_type.app_label}.{p.codename}": p for p in all_perms}
    for slug, role in ROLES.items():
        group, _created = Group.objects.get_or_create(name=GROUP_NAMES[slug])
        wanted = set()
        for perm in role["perms"]:
            if perm == "*":
                wanted.update(p for label, p in by_label.items() if label not in PERSONAL_DATA)
            elif perm in by_label:
                wanted.add(by_label[perm])
        group.permissions.set(wanted)


def sync_after_migrate(sender, **kwargs):
    sync_roles()
