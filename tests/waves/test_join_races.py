"""WAV-2 races on PostgreSQL with real threads: a double submit makes one application."""

import pytest

from prakerja.waves.models import Application
from prakerja.waves.services import JoinRefused, application_join
from tests.registry.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


def test_two_concurrent_joins_by_the_same_person(registrant, make_wave):
    wave = make_wave()
    results = run_together(*[lambda: application_join(actor=registrant, wave=wave, consent_version=1)] * 4)
    assert all(isinstance(r, Application) for r in results), results
    assert len({r.pk for r in results}) == 1
    assert Application.objects.count() == 1


def test_concurrent_joins_of_two_waves_leave_one(registrant, make_wave):
    first = make_wave(number=7, provinces=["32"])
    second = make_wave(number=8, provinces=["32"])
    results = run_together(lambda: application_join(actor=registrant, wave=first, consent_version=1),
                           lambda: application_join(actor=registrant, wave=second, consent_version=1))
    assert sum(isinstance(r, Application) for r in results) == 1
    assert sum(isinstance(r, JoinRefused) for r in results) == 1, results
    assert Application.objects.count() == 1
