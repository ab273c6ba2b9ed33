"""REG-8 and its reversal (REG-3): a profile is complete once, and incomplete again when
the civil registry later rejects an identity that was pending.

Through the services, not the browser: the browser journey covers the pages.
"""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from prakerja.audit.models import AuditEntry
from prakerja.civil.gateway import CivilRegistryUnavailable, Reason
from prakerja.notifications.models import Message
from prakerja.regions.selectors import regency_get
from prakerja.registry.models import IdentityStatus, Profile, TestAttempt
from prakerja.registry.selectors import profile_of, statement_current, steps_done
from prakerja.registry.services import motivation
from prakerja.registry.services.identity import identity_check, identity_submit
from prakerja.registry.services.personal import personal_data_save
from prakerja.registry.services.phone import phone_send_code, phone_verify
from prakerja.registry.services.statement import statement_accept
from prakerja.waves.models import Application
from prakerja.waves.selectors import consent_current
from prakerja.waves.services import JoinRefused, application_join
from tests.registry.conftest import BIRTH, KK, NIK

pytestmark = pytest.mark.django_db


def photo():
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "white").save(out, "JPEG")
    return SimpleUploadedFile("foto.jpg", out.getvalue(), content_type="image/jpeg")


def register(user, monkeypatch):
    """REG-3..7 through their services, the registry unreachable at REG-3."""
    identity_submit(actor=user, nik=NIK, kk=KK, birth_date=BIRTH, full_name=user.full_name)
    personal_data_save(actor=user, ktp_address="Jl. Merdeka 1", domicile_regency=regency_get(code="3273"),
                       domicile_street="Jl. Merdeka 1", education="sma", employment_status="job_seeker",
                       ktp_photo=photo(), selfie=photo())
    monkeypatch.setattr("prakerja.registry.services.phone.secrets.randbelow", lambda n: 123456)
    phone_send_code(actor=user, phone="0812 3456 7890")
    phone_verify(actor=user, code="123456")
    statement_accept(actor=user, version=statement_current().version)
    attempt = motivation.test_start(actor=user)
    for question_id in attempt.question_ids:
        motivation.test_answer(actor=user, question_id=question_id, choice_index=0)
    motivation.test_submit(attempt_id=attempt.pk)


def test_the_profile_completes_once_after_the_last_step(applicant, civil, monkeypatch):
    civil.error = CivilRegistryUnavailable("down")
    register(applicant, monkeypatch)
    profile = Profile.objects.get(user=applicant)
    assert profile.identity_status == IdentityStatus.PENDING  # REG-3: a pending identity lets them continue
    assert profile.completed_at is not None and all(steps_done(profile).values())
    first = profile.completed_at
    # A later step touched again does not stamp it anew.
    statement_accept(actor=applicant, version=statement_current().version)
    assert Profile.objects.get(user=applicant).completed_at == first


def test_not_complete_while_a_step_is_missing(applicant, civil, monkeypatch):
    civil.error = CivilRegistryUnavailable("down")
    monkeypatch.setattr(motivation, "test_submit", lambda **kwargs: None)
    register(applicant, monkeypatch)
    assert not TestAttempt.objects.filter(user=applicant, submitted_at__isnull=False).exists()
    assert Profile.objects.get(user=applicant).completed_at is None


@pytest.fixture
def english_thread():
    """A worker thread that served an English request last: the person's language must still win."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


def _registry_answers_late(profile, civil, reasons):
    civil.error, civil.reasons = None, reasons
    Profile.objects.filter(pk=profile.pk).update(identity_next_check_at=timezone.now() - timedelta(seconds=1))
    return identity_check(profile_id=profile.pk)


def test_a_late_rejection_undoes_completion_and_withdraws_the_application(
        applicant, civil, monkeypatch, make_wave, django_capture_on_commit_callbacks, english_thread):
    civil.error = CivilRegistryUnavailable("down")
    register(applicant, monkeypatch)
    wave = make_wave()
    application = application_join(actor=applicant, wave=wave, consent_version=consent_current().version)
    profile = Profile.objects.get(user=applicant)

    with django_capture_on_commit_callbacks(execute=True):
        assert _registry_answers_late(profile, civil, [Reason.NAME_MISMATCH]) == IdentityStatus.REJECTED

    profile.refresh_from_db()
    assert profile.completed_at is None and not steps_done(profile)["identity"]
    application.refresh_from_db()
    assert application.status == "withdrawn"
    assert "Nama tidak sesuai" in application.status_reason
    assert AuditEntry.objects.filter(action="application.withdraw", target_id=str(application.public_id)).exists()
    inbox = Message.objects.get(user=applicant, channel="inbox", template="identity_rejected")
    email = Message.objects.get(user=applicant, channel="email", template="identity_rejected")
    for message in (inbox, email):
        assert "ditarik" in message.body or "withdrawn" in message.body
    # Joining again needs a verified or pending identity.
    with pytest.raises(JoinRefused):
        application_join(actor=applicant, wave=wave, consent_version=consent_current().version)


def test_a_late_verification_keeps_the_application(applicant, civil, monkeypatch, make_wave):
    civil.error = CivilRegistryUnavailable("down")
    register(applicant, monkeypatch)
    application = application_join(actor=applicant, wave=make_wave(), consent_version=consent_current().version)
    assert _registry_answers_late(Profile.objects.get(user=applicant), civil, []) == IdentityStatus.VERIFIED
    application.refresh_from_db()
    assert application.status == "joined"
    assert profile_of(applicant).completed_at is not None
    assert Message.objects.filter(user=applicant, template="identity_verified", channel="inbox").exists()
    assert not Application.objects.filter(user=applicant, status="withdrawn").exists()
