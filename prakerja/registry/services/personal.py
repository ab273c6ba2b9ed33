"""REG-4: address per KTP, domicile, education, employment, KTP photo and selfie."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.core.ratelimit import Limit, consume
from prakerja.registry.errors import RegistryError, retry_time
from prakerja.registry.photos import delete_photo, process_photo, store_photo
from prakerja.registry.services.progress import profile_for_update, profile_refresh_completion


def personal_data_save(*, actor, ktp_address: str, domicile_regency, domicile_street: str, education: str,
                       employment_status: str, ktp_photo=None, selfie=None):
    """Save the personal data step. New photos are decoded and re-encoded first,
    so a bad file changes nothing; a photo not sent again is kept."""
    if ktp_photo is not None or selfie is not None:
        # Each save with photos costs a decode of up to 100 MiB (photos.py):
        # counted per account, refused or not.
        limit = Limit("photo-uploads-account", settings.PHOTO_UPLOADS_PER_ACCOUNT_PER_HOUR, 3600)
        if (exceeded := consume(limit, str(actor.public_id))) is not None:
            raise RegistryError("photo_uploads_throttled", _("Too many photo uploads. Try again after %(time)s WIB.")
                                % {"time": retry_time(exceeded.retry_at)})
    photos = {}
    for field, upload in (("ktp_photo", ktp_photo), ("selfie", selfie)):
        if upload is not None:
            photos[field] = process_photo(upload, field=field)
    with transaction.atomic():
        profile = profile_for_update(actor)
        for field in ("ktp_photo", "selfie"):
            if field not in photos and not getattr(profile, field):
                raise RegistryError(f"{field}_required", _("This photo is required."), field)
        stored = {field: store_photo(data) for field, data in photos.items()}
        replaced = [getattr(profile, field) for field in stored if getattr(profile, field)]
        # A rollback after the files were written must not leave orphans.
        transaction.on_commit(lambda: [delete_photo(name) for name in replaced])
        for field, name in stored.items():
            setattr(profile, field, name)
        profile.ktp_address = ktp_address
        profile.domicile_regency = domicile_regency
        profile.domicile_street = domicile_street
        profile.education = education
        profile.employment_status = employment_status
        profile.personal_data_at = timezone.now()
        profile.save(update_fields=["ktp_address", "domicile_regency", "domicile_street", "education",
                                    "employment_status", "personal_data_at", *stored])
        profile_refresh_completion(profile_id=profile.pk)
    return profile
