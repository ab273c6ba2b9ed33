"""KTP photos and selfies as evidence (REG-4, PRV): who may open them, and the audit of every look."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prakerja.audit.services import audit_record
from prakerja.registry.errors import RegistryError
from prakerja.registry.models import Profile

KINDS = {"ktp": "ktp_photo", "selfie": "selfie"}
PHOTO_PERMISSION = "registry.view_identity_photos"


def identity_photo_open(*, actor, public_id, kind: str, reason: str = "") -> str:
    """The private-storage name of a person's photo, for its owner or a permitted operator.

    Any other caller gets the same "not found" as for a profile that does not
    exist, so the answer says nothing about whether someone registered. An
    operator's look is written to the audit log before the file is served.
    """
    not_found = RegistryError("photo_not_found", _("Not found."))
    field = KINDS.get(kind)
    profile = Profile.objects.filter(public_id=public_id).first() if field else None
    if profile is None:
        raise not_found
    is_owner = profile.user_id == actor.pk
    if not (is_owner or (actor.is_staff and actor.has_perm(PHOTO_PERMISSION))):
        raise not_found
    name = getattr(profile, field)
    if not name:
        raise not_found
    if not is_owner:
        with transaction.atomic():
            audit_record(actor=actor, action=f"registry.photo_view.{kind}", target=profile, reason=reason[:500])
    return name
