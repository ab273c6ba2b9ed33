from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from prakerja.accounts.models import User
from prakerja.accounts.roles import GROUP_NAMES, ROLES, SLUG_BY_GROUP, sync_roles
from prakerja.audit.services import audit_record

MANAGE_OPERATORS = "accounts.manage_operators"


class UnknownRole(ValueError):
    pass


class OperatorAccessRefused(ValueError):
    """A change of access that would lock the acting operator out by accident."""


def operator_roles(user: User) -> list[str]:
    return sorted(SLUG_BY_GROUP[name] for name in user.groups.values_list("name", flat=True)
                  if name in SLUG_BY_GROUP)


def operator_access_check(*, actor, user: User, roles: list[str], is_active: bool) -> None:
    """Refuse what no one should do to an account by mistake; raise before any write.

    The form calls this to show the reason beside the field; the service
    calls it again, because a form is not the only way in.
    """
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise UnknownRole(", ".join(unknown))
    if not isinstance(actor, User):
        return  # the command line: whoever runs it already holds the server
    if not actor.has_perm(MANAGE_OPERATORS):
        raise PermissionDenied
    if actor.pk == user.pk:
        if not is_active:
            raise OperatorAccessRefused(_("You cannot deactivate your own account; ask another administrator."))
        if "administrator" not in roles and (user.is_superuser or "administrator" in operator_roles(user)):
            raise OperatorAccessRefused(
                _("You cannot remove your own administrator role; ask another administrator."))


def _access(user: User) -> dict:
    return {"roles": operator_roles(user), "groups": sorted(user.groups.values_list("name", flat=True)),
            "is_staff": user.is_staff, "is_superuser": user.is_superuser, "is_active": user.is_active}


def _set_access(*, actor, user: User, roles: list[str], is_active: bool, reason: str) -> User:
    user = User.objects.select_for_update().get(pk=user.pk)
    operator_access_check(actor=actor, user=user, roles=roles, is_active=is_active)
    sync_roles()
    before = _access(user)
    # Staff and superuser follow from the roles and nothing else: a demoted
    # administrator who kept is_superuser would keep every permission
    # (issue 14, finding 6). Groups outside the roles are dropped, because
    # a role is the only way an operator is meant to get a permission.
    user.is_staff = bool(roles)
    user.is_superuser = "administrator" in roles
    user.is_active = is_active
    user.save(update_fields=["is_staff", "is_superuser", "is_active"])
    user.groups.set(Group.objects.filter(name__in=[GROUP_NAMES[r] for r in roles]))
    after = _access(user)
    if after != before:
        audit_record(actor=actor, action="operator.access", target=user, reason=reason,
                     data={"before": before, "after": after})
    return user


@transaction.atomic
def operator_set_access(*, actor, user: User, roles: list[str], is_active: bool, reason: str) -> User:
    """The one way to change who is an operator (OPS-1, OPS-4).

    Sets the role groups, ``is_staff`` (any role), ``is_superuser`` (the
    administrator role) and ``is_active``, and writes one audit row with the
    access before and after. Used by the admin and by ``create_operator``.
    """
    return _set_access(actor=actor, user=user, roles=roles, is_active=is_active, reason=reason)


@transaction.atomic
def operator_create(*, actor, email: str, full_name: str, roles: list[str], password: str | None,
                    reason: str = "") -> User:
    """Create (or update) an operator account with its roles.

    The email is marked verified (operators are provisioned, not
    self-registered); the second factor is set up at first sign-in. The
    roles given replace the account's roles, so running it again with fewer
    roles demotes; an existing account keeps its active flag.
    """
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise UnknownRole(", ".join(unknown))
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
    else:
        user.full_name = full_name
        fields = ["full_name"]
        if password:
            user.set_password(password)
            fields.append("password")
        user.save(update_fields=fields)
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    user = _set_access(actor=actor, user=user, roles=roles, is_active=user.is_active,
                       reason=reason or "operator_create")
    # Last: audit_record holds the audit chain's lock until commit.
    audit_record(actor=actor, action="operator.create", target=user,
                 data={"roles": sorted(roles), "created": created})
    return user


def user_set_language(*, user: User, language: str) -> None:
    """Remember the person's language: messages to them are rendered in it."""
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])


def user_set_full_name(*, user: User, full_name: str) -> None:
    if user.full_name != full_name:
        user.full_name = full_name
        user.save(update_fields=["full_name"])
