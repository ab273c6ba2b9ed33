from django.db import transaction
from django.utils import timezone

from prakerja.registry.models import Profile
from prakerja.registry.selectors import steps_done


def profile_for_update(user) -> Profile:
    """The person's profile, created on first use, locked for the transaction."""
    Profile.objects.get_or_create(user=user)
    return Profile.objects.select_for_update().get(user=user)


def profile_refresh_completion(*, profile_id: int) -> bool:
    """Stamp ``completed_at`` the first time every step is done (REG-8)."""
    with transaction.atomic():
        profile = Profile.objects.select_for_update().get(pk=profile_id)
        if profile.completed_at is None and all(steps_done(profile).values()):
            profile.completed_at = timezone.now()
            profile.save(update_fields=["completed_at"])
            return True
    return False
