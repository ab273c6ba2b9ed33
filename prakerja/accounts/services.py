from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction

from prakerja.accounts.models import User
from prakerja.accounts.roles import GROUP_NAMES, ROLES, sync_roles
from prakerja.audit.services import audit_record


class UnknownRole(ValueError):
    pass


@transaction.atomic(durable=True)
def operator_create(*, actor, email: str, full_name: str, roles: list[str], password: str | None) -> User:
    """Create (or update) an operator account with its roles.

    The email is marked verified (operators are provisioned, not
    self-registered); the second factor is set up at first sign-in.
    """
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise UnknownRole(", ".join(unknown))
    sync_roles()
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name, is_staff=True)
    else:
        user.full_name, user.is_staff = full_name, True
        fields = ["full_name", "is_staff"]
        if password:
            user.set_password(password)
            fields.append("password")
        user.save(update_fields=fields)
    user.groups.set(Group.objects.filter(name__in=[GROUP_NAMES[r] for r in roles]))
    if "administrator" in roles and not user.is_superuser:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    audit_record(actor=actor, action="operator.create", target=user, data={"roles": sorted(roles)})
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
