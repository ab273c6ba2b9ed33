"""Races on PostgreSQL with real threads: one NIK, one account; one check at a time."""

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from prakerja.registry.errors import RegistryError
from prakerja.registry.models import IdentityStatus, Profile
from prakerja.registry.services.identity import identity_check, identity_submit
from tests.registry.conftest import BIRTH, KK, NIK

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


def run_together(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def runner(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # collected and asserted on below
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_accounts_racing_for_one_nik(make_user, civil):
    users = [make_user(email=f"u{i}@example.id", full_name="Siti Rahma") for i in range(2)]
    results = run_together(*[
        (lambda u=u: identity_submit(actor=u, nik=NIK, kk=KK, birth_date=BIRTH, full_name="Siti Rahma"))
        for u in users])
    winners = [r for r in results if isinstance(r, Profile)]
    losers = [r for r in results if isinstance(r, RegistryError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert losers[0].code == "nik_taken"
    assert Profile.objects.filter(identity_status=IdentityStatus.VERIFIED).count() == 1


def test_one_identity_is_never_checked_twice_at_once(applicant, civil):
    from prakerja.civil.gateway import CivilRegistryUnavailable

    civil.error = CivilRegistryUnavailable("down")
    profile = identity_submit(actor=applicant, nik=NIK, kk=KK, birth_date=BIRTH, full_name=applicant.full_name)
    civil.error, civil.calls = None, []
    Profile.objects.filter(pk=profile.pk).update(identity_next_check_at=timezone.now() - timedelta(seconds=1))
    results = run_together(*[lambda: identity_check(profile_id=profile.pk) for _ in range(4)])
    assert sorted(map(str, results)).count(IdentityStatus.VERIFIED) == 1
    assert results.count(None) == 3
    assert len(civil.calls) == 1
