"""REG-5: phone number with a 6-digit SMS code, through the sandbox SMS gateway."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.notifications.models import Message
from prakerja.registry.errors import RegistryError
from prakerja.registry.models import PhoneVerification, Profile
from prakerja.registry.services.phone import normalise_phone, phone_send_code, phone_verify

pytestmark = pytest.mark.django_db
PHONE = "+6281234567890"


@pytest.fixture
def send(sandbox_mail, django_capture_on_commit_callbacks):
    def do(user, phone="0812-3456-7890"):
        with django_capture_on_commit_callbacks(execute=True):
            verification = phone_send_code(actor=user, phone=phone)
        sms = sandbox_mail.outbox(to=verification.phone)[0]
        return verification, re.search(r"\b(\d{6})\b", sms["body"]).group(1)
    return do


def wrong(code):
    return f"{(int(code) + 1) % 10**6:06d}"


def test_code_by_sms_verifies_the_number(applicant, send):
    verification, code = send(applicant)
    assert verification.phone == PHONE and code not in verification.code_hash
    profile = phone_verify(actor=applicant, code=code)
    assert profile.phone == PHONE and profile.phone_verified_at
    # The SMS row no longer holds the code once sent.
    assert code not in Message.objects.get(channel="sms").body


@pytest.mark.parametrize("raw", ["12345", "+6522123456", "021 555 1234", "abc", ""])
def test_only_indonesian_mobile_numbers(raw):
    with pytest.raises(RegistryError) as error:
        normalise_phone(raw)
    assert error.value.field == "phone"


def test_three_wrong_codes_lock_for_an_hour(applicant, send):
    _v, code = send(applicant)
    for left in (2, 1):
        with pytest.raises(RegistryError) as error:
            phone_verify(actor=applicant, code=wrong(code))
        assert error.value.code == "otp_wrong" and str(left) in str(error.value.message)
    with pytest.raises(RegistryError) as error:
        phone_verify(actor=applicant, code=wrong(code))
    assert error.value.code == "otp_locked"
    with pytest.raises(RegistryError) as error:  # even the right code, while locked
        phone_verify(actor=applicant, code=code)
    assert error.value.code == "otp_locked"
    locked = PhoneVerification.objects.get()
    assert locked.locked_until - timezone.now() > timedelta(minutes=59)
    assert Profile.objects.get(user=applicant).phone_verified_at is None


def test_expired_code(applicant, send):
    _v, code = send(applicant)
    PhoneVerification.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(RegistryError) as error:
        phone_verify(actor=applicant, code=code)
    assert error.value.code == "otp_expired"


def test_resend_waits_and_is_limited(applicant, send, settings):
    send(applicant)
    with pytest.raises(RegistryError) as error:
        send(applicant)
    assert error.value.code == "otp_wait"
    settings.OTP_RESEND_AFTER = timedelta(0)
    for _ in range(settings.OTP_MAX_SENDS - 1):
        send(applicant)
    with pytest.raises(RegistryError) as error:
        send(applicant)
    assert error.value.code == "otp_locked"


def test_a_new_code_replaces_the_old_one(applicant, send, settings):
    settings.OTP_RESEND_AFTER = timedelta(0)
    _v, first = send(applicant)
    _v, second = send(applicant)
    if first != second:
        with pytest.raises(RegistryError):
            phone_verify(actor=applicant, code=first)
    assert phone_verify(actor=applicant, code=second).phone_verified_at


def test_a_phone_belongs_to_one_account(applicant, make_user, send):
    _v, code = send(applicant)
    phone_verify(actor=applicant, code=code)
    with pytest.raises(RegistryError) as error:
        send(make_user(email="other@example.id"))
    assert error.value.code == "phone_taken"


def test_a_code_lives_exactly_five_minutes(applicant, send, monkeypatch):
    verification, code = send(applicant)
    # REG-5 says five minutes: not the setting's value, the rule's.
    assert verification.expires_at - verification.last_sent_at == timedelta(minutes=5)
    sent = verification.last_sent_at
    monkeypatch.setattr(timezone, "now", lambda: sent + timedelta(minutes=5, seconds=1))
    with pytest.raises(RegistryError) as error:
        phone_verify(actor=applicant, code=code)
    assert error.value.code == "otp_expired"
    monkeypatch.setattr(timezone, "now", lambda: sent + timedelta(minutes=4, seconds=59))
    assert phone_verify(actor=applicant, code=code).phone_verified_at


def test_a_code_is_checked_against_the_number_it_was_sent_to(applicant, send, settings):
    # Finding 12: send to A, then B, then A again: A's fresh code must verify A,
    # and wrong tries must not count against B.
    settings.OTP_RESEND_AFTER = timedelta(0)
    a, b = "0812-3456-7890", "0813-1111-2222"
    send(applicant, a)
    send(applicant, b)
    verification_a, code_a = send(applicant, a)
    profile = phone_verify(actor=applicant, code=code_a, phone=verification_a.phone)
    assert profile.phone == PHONE
    assert PhoneVerification.objects.get(user=applicant, phone="+6281311112222").wrong_attempts == 0


def test_without_a_number_the_last_sent_code_counts(applicant, send, settings):
    settings.OTP_RESEND_AFTER = timedelta(0)
    send(applicant, "0812-3456-7890")
    send(applicant, "0813-1111-2222")
    _v, code_a = send(applicant, "0812-3456-7890")
    assert phone_verify(actor=applicant, code=code_a).phone == PHONE


def test_wrong_codes_count_against_the_number_named(applicant, send, settings):
    settings.OTP_RESEND_AFTER = timedelta(0)
    va, code_a = send(applicant, "0812-3456-7890")
    vb, _code_b = send(applicant, "0813-1111-2222")
    with pytest.raises(RegistryError):
        phone_verify(actor=applicant, code=wrong(code_a), phone=va.phone)
    assert PhoneVerification.objects.get(pk=va.pk).wrong_attempts == 1
    assert PhoneVerification.objects.get(pk=vb.pk).wrong_attempts == 0


def test_the_phone_page_names_the_number_that_was_sent_last(client, applicant, send, settings, identity_done):
    from django.urls import reverse

    from prakerja.registry.models import Profile

    settings.OTP_RESEND_AFTER = timedelta(0)
    Profile.objects.filter(user=applicant).update(personal_data_at=timezone.now())
    send(applicant, "0812-3456-7890")
    send(applicant, "0813-1111-2222")
    _v, code_a = send(applicant, "0812-3456-7890")
    client.force_login(applicant)
    page = client.get(reverse("registry_phone")).content.decode()
    assert 'name="phone" value="+6281234567890"' in page
    response = client.post(reverse("registry_phone"), {"verify": "1", "code": code_a, "phone": "+6281234567890"})
    assert response.status_code == 302
    assert Profile.objects.get(user=applicant).phone == PHONE


def test_the_resend_lock_holds_for_an_hour_and_then_lifts(applicant, send, settings, monkeypatch):
    settings.OTP_RESEND_AFTER = timedelta(0)
    for _ in range(settings.OTP_MAX_SENDS):
        send(applicant)
    with pytest.raises(RegistryError):
        send(applicant)
    locked = PhoneVerification.objects.get(user=applicant)
    assert locked.locked_until - timezone.now() > timedelta(minutes=59)  # the refusal did not roll it back
    later = timezone.now() + timedelta(hours=1, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    verification, code = send(applicant)
    assert verification.sends == 1 and phone_verify(actor=applicant, code=code).phone_verified_at
