"""REG-3 on the waves side: a rejected identity withdraws the open application and cannot join."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from prakerja.audit.models import AuditEntry
from prakerja.notifications.models import Message
from prakerja.registry.models import Profile
from prakerja.registry.signals import identity_rejected
from prakerja.waves import states
from prakerja.waves.models import Application, Wave
from prakerja.waves.services import JoinRefused, application_join, applications_withdraw_open
from prakerja.waves.states import ApplicationStatus as S

pytestmark = pytest.mark.django_db

REASON = "NIK tidak terdaftar. Hubungi call center Dukcapil."


def join(user, wave):
    return application_join(actor=user, wave=wave, consent_version=1)


def reject_identity(user, reason=REASON) -> int:
    """What the registry does when Dukcapil says no to a pending identity; the number withdrawn."""
    with transaction.atomic():
        Profile.objects.filter(user=user).update(identity_status="rejected", completed_at=None)
        return sum(count or 0 for _receiver, count in identity_rejected.send(sender=Profile, user=user,
                                                                              reason=reason))


def test_withdrawn_is_a_dead_end_that_bars_nothing():
    assert states.sources_of(S.WITHDRAWN) == list(states.ACTIVE)
    assert S.WITHDRAWN not in states.ACTIVE and S.WITHDRAWN not in states.FINAL_BARS
    for target in S.values:
        with pytest.raises(states.TransitionError):
            states.check(S.WITHDRAWN, target)
    for final in (S.PASSED, S.FAILED, S.REVOKED):
        with pytest.raises(states.TransitionError):
            states.check(final, S.WITHDRAWN)


@pytest.mark.parametrize("status", [S.JOINED, S.PROCESSING, S.SELECTING])
def test_a_rejected_identity_withdraws_the_open_application(registrant, make_wave, status):
    application = join(registrant, make_wave())
    Application.objects.filter(pk=application.pk).update(status=status)
    assert reject_identity(registrant) == 1
    assert reject_identity(registrant) == 0  # nothing left to withdraw
    application.refresh_from_db()
    assert (application.status, application.status_reason) == (S.WITHDRAWN, REASON)
    entry = AuditEntry.objects.get(action="application.withdraw")
    assert entry.actor_label == "system" and entry.actor is None
    assert entry.target_id == str(application.public_id) and entry.reason == REASON
    assert entry.data == {"from": status, "wave": 7}
    # The registry tells the person (inbox and email); waves sends nothing of its own.
    assert not Message.objects.exists()


@pytest.mark.parametrize("status", [S.PASSED, S.FAILED, S.REVOKED])
def test_a_decided_application_is_left_alone(registrant, make_wave, status):
    application = join(registrant, make_wave())
    Application.objects.filter(pk=application.pk).update(status=status, status_reason="keputusan seleksi")
    assert applications_withdraw_open(actor="system", user=registrant, reason=REASON) == 0
    application.refresh_from_db()
    assert (application.status, application.status_reason) == (status, "keputusan seleksi")
    assert not AuditEntry.objects.filter(action="application.withdraw").exists()


def test_only_that_persons_application_is_withdrawn(registrant, make_user, complete_profile, make_wave):
    wave = make_wave()
    mine = join(registrant, wave)
    theirs = join(complete_profile(make_user(email="budi@example.id")), wave)
    assert applications_withdraw_open(actor="system", user=registrant, reason=REASON) == 1
    assert applications_withdraw_open(actor="system", user=registrant, reason=REASON) == 0  # twice is harmless
    assert Application.objects.get(pk=mine.pk).status == S.WITHDRAWN
    assert Application.objects.get(pk=theirs.pk).status == S.JOINED
    assert AuditEntry.objects.filter(action="application.withdraw").count() == 1


@pytest.mark.parametrize("identity", ["rejected", "not_started"])
def test_join_refuses_an_identity_that_is_not_verified_or_pending(registrant, make_wave, identity):
    # completed_at is still set, as if the registry had not cleared it.
    Profile.objects.filter(user=registrant).update(identity_status=identity)
    with pytest.raises(JoinRefused) as refusal, translation.override("id"):
        join(registrant, make_wave())
    assert refusal.value.code == "identity"
    with translation.override("id"):
        assert str(refusal.value.message) == gettext(
            "The civil registry did not match your identity, so you cannot join a wave. "
            "Correct your identity data first.")
    assert not Application.objects.exists()


@pytest.mark.parametrize("identity", ["verified", "pending", "checking"])
def test_a_verified_or_pending_identity_may_join(registrant, make_wave, identity):
    Profile.objects.filter(user=registrant).update(identity_status=identity)
    assert join(registrant, make_wave()).status == S.JOINED


def test_after_a_rejection_the_profile_is_incomplete_and_cannot_join(registrant, make_wave):
    join(registrant, make_wave())
    reject_identity(registrant)
    with pytest.raises(JoinRefused) as refusal:
        join(registrant, make_wave(number=8))
    assert refusal.value.code == "profile_incomplete"


def test_a_withdrawn_application_is_not_handed_back_as_a_join(client, registrant, make_wave):
    wave = make_wave()
    join(registrant, wave)
    reject_identity(registrant)
    Profile.objects.filter(user=registrant).update(identity_status="verified", completed_at=timezone.now())
    with pytest.raises(JoinRefused) as refusal:
        join(registrant, wave)
    assert refusal.value.code == "withdrawn"
    client.force_login(registrant)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("waves_join", args=[wave.public_id]) not in page  # the same wave is not offered again
    response = client.post(reverse("waves_join", args=[wave.public_id]), {"version": 1, "agree": "on"}, follow=True)
    with translation.override("id"):
        expected = gettext("Your application to wave %(n)s was withdrawn. You can join the next wave.") % {"n": 7}
    assert expected in response.content.decode()
    assert Application.objects.get().status == S.WITHDRAWN


def test_after_fixing_the_identity_the_dashboard_offers_the_next_wave(client, registrant, make_wave):
    application = join(registrant, make_wave(number=7, opens=-10, closes=3, announce=4))
    reject_identity(registrant)
    Wave.objects.filter(pk=application.wave_id).update(closes_at=timezone.now() - timedelta(days=2))
    nxt = make_wave(number=8, opens=-1, closes=3, announce=5)
    Profile.objects.filter(user=registrant).update(identity_status="verified", completed_at=timezone.now())
    client.force_login(registrant)
    page = client.get(reverse("dashboard")).content.decode()
    with translation.override("id"):
        label = str(S.WITHDRAWN.label)
    assert label in page and REASON in page
    assert reverse("waves_join", args=[nxt.public_id]) in page and "Gabung Gelombang" in page
    assert join(registrant, nxt).status == S.JOINED
    application.refresh_from_db()
    assert application.status == S.WITHDRAWN
    history = client.get(reverse("waves_history")).content.decode()
    assert label in history and REASON in history and "Menunggu Gelombang Ditutup" in history
