"""Operator personas for the role tests: one account per role, signed in past the second factor."""

from prakerja.accounts.services import operator_create
from prakerja.audit.services import SYSTEM
from tests.conftest import PASSWORD, pass_second_factor


def make_operator(role: str, *, email: str | None = None, roles: list[str] | None = None):
    return operator_create(actor=SYSTEM, email=email or f"{role.replace('_', '-')}@prakerja.test",
                           full_name=role.replace("_", " ").title(), roles=roles or [role], password=PASSWORD)


def sign_in(client, role: str, **kwargs):
    user = make_operator(role, **kwargs)
    pass_second_factor(client, user)
    return user


def perms_of(user) -> set[str]:
    """What the account may do, as Django answers it (groups, and everything for a superuser)."""
    from django.contrib.auth.models import Permission

    if user.is_superuser:
        return {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}
    return set(user.get_all_permissions())


def make_profile(user):
    """A registrant whose identity is verified, with a KTP photo and a selfie in private storage."""
    from datetime import date

    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    from prakerja.registry import crypto
    from prakerja.registry.models import Profile
    from prakerja.registry.nik import build_kk, build_nik, mask

    nik = build_nik(district_code="327301", birth_date=date(1995, 3, 12), female=True, serial=1)
    kk = build_kk(district_code="327301", issued=date(2015, 6, 15), serial=1)
    photo = storages["private"].save("ktp.jpg", ContentFile(b"\xff\xd8\xff\xe0 not really a jpeg"))
    selfie = storages["private"].save("selfie.jpg", ContentFile(b"\xff\xd8\xff\xe0 not really a jpeg"))
    profile = Profile.objects.create(user=user, nik_encrypted=crypto.encrypt(nik), nik_masked=mask(nik),
                                     nik_index=crypto.blind_index("nik", nik), kk_encrypted=crypto.encrypt(kk),
                                     kk_index=crypto.blind_index("kk", kk), identity_status="verified",
                                     ktp_photo=photo, selfie=selfie)
    return profile, nik, kk
