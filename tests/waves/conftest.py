from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.regions.models import Province, Regency
from prakerja.registry.models import Profile


@pytest.fixture
def complete_profile(db):
    """A registrant whose profile is complete, living in Kota Bandung (Jawa Barat)."""
    def make(user, regency_code="3273"):
        Profile.objects.update_or_create(user=user, defaults={
            "domicile_regency": Regency.objects.get(code=regency_code), "completed_at": timezone.now(),
            "identity_status": "verified", "nik_index": f"test-index-{user.pk}"})
        return user
    return make


@pytest.fixture
def registrant(applicant, complete_profile):
    return complete_profile(applicant)


@pytest.fixture
def make_wave(db):
    from prakerja.waves.models import Wave

    def make(number=7, opens=-1, closes=3, announce=5, quota=800_000, provinces=(), **fields):
        now = timezone.now()
        wave = Wave.objects.create(number=number, opens_at=now + timedelta(days=opens),
                                   closes_at=now + timedelta(days=closes),
                                   announce_at=now + timedelta(days=announce), national_quota=quota, **fields)
        wave.eligible_provinces.set(Province.objects.filter(code__in=provinces))
        return wave
    return make
