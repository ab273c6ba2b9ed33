"""Operator roles (OPS-1) as Django groups with permissions.

Each later app adds the codenames its role needs here; ``sync_roles`` runs
after every migrate, so a new permission reaches its group on deploy.
Codenames not (yet) in the database are skipped, not errors.
"""

from django.utils.translation import gettext_lazy as _

ROLES: dict[str, dict] = {
    "administrator": {"name": _("Administrator"), "perms": ["*"]},
    "wave_manager": {"name": _("Wave manager"), "perms": [
        "accounts.view_user", "waves.add_wave", "waves.change_wave", "waves.view_wave", "waves.view_application",
        "waves.view_switches", "waves.change_switches", "waves.view_consentversion", "waves.add_consentversion"]},
    "verifier": {"name": _("Verifier"), "perms": ["accounts.view_user", "accounts.view_personal_data"]},
    "finance": {"name": _("Finance"), "perms": ["accounts.view_user"]},
    "complaints_agent": {"name": _("Complaints agent"), "perms": ["accounts.view_user"]},
    "partner_manager": {"name": _("Partner manager"), "perms": []},
    "auditor": {"name": _("Auditor"), "perms": ["view:*"]},
}

# Group names are stable identifiers; the translated label is for display.
GROUP_NAMES = {slug: f"role:{slug}" for slug in ROLES}


def sync_roles() -> None:
    from django.contrib.auth.models import Group, Permission

    all_perms = list(Permission.objects.select_related("content_type"))
    by_label = {f"{p.content_type.app_label}.{p.codename}": p for p in all_perms}
    for slug, role in ROLES.items():
        group, _created = Group.objects.get_or_create(name=GROUP_NAMES[slug])
        wanted = []
        for perm in role["perms"]:
            if perm == "*":
                wanted.extend(all_perms)
            elif perm == "view:*":  # the auditor reads everything, changes nothing
                wanted.extend(p for p in all_perms if p.codename.startswith("view_"))
            elif perm in by_label:
                wanted.append(by_label[perm])
        group.permissions.set(wanted)


def sync_after_migrate(sender, **kwargs):
    sync_roles()
