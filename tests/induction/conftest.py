"""Personas for the induction videos (CRD-2): participants whose wave's results are out."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.induction.models import InductionVideo
from prakerja.regions.models import Regency
from prakerja.waves.models import Application, ConsentVersion, Wave


@pytest.fixture
def decided_wave(make_wave):
    """Wave 7, closed and announced: its results are published (WAV-6)."""
    wave = make_wave(number=7, opens=-20, closes=-10, announce=-1)
    Wave.objects.filter(pk=wave.pk).update(closed_at=timezone.now() - timedelta(days=10),
                                           results_published_at=timezone.now() - timedelta(days=1))
    wave.refresh_from_db()
    return wave


@pytest.fixture
def make_person(make_user, complete_profile, decided_wave):
    """A registrant with a complete profile and an application in wave 7 with ``status``."""

    def make(status="passed", email="peserta@example.id", wave=None):
        user = complete_profile(make_user(email=email, full_name="Dewi Peserta"))
        Application.objects.create(wave=wave or decided_wave, user=user, status=status,
                                   province=Regency.objects.get(code="3273").province,
                                   consent=ConsentVersion.objects.first(), decided_at=timezone.now())
        return user

    return make


@pytest.fixture
def participant(make_person):
    """Passed, results published: must watch the three videos."""
    return make_person("passed")


@pytest.fixture
def videos(db):
    """The three shipped videos (made on migrate), by slug."""
    return {video.slug: video for video in InductionVideo.objects.all()}


@pytest.fixture
def video(videos):
    return videos["programme"]  # 34 seconds
