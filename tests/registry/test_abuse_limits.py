"""Issue 14, findings 3 and 4: identity checks and SMS codes are capped per account and per client."""

from datetime import timedelta

import pytest
from django.urls import reverse

from prakerja.civil.gateway import Reason
from prakerja.notifications.models import Message
from prakerja.registry.errors import RegistryError
from prakerja.registry.models import IdentityStatus, Profile
from prakerja.registry.services.identity import identity_submit
from prakerja.registry.services.phone import phone_send_code
from tests.registry.conftest import BIRTH, KK, NIK

pytestmark = pytest.mark.django_db


def probe(user, client=None, **overrides):
    data = {"nik": NIK, "kk": KK, "birth_date": BIRTH, "full_name": "Nama Tebakan", **overrides}
    return identity_submit(actor=user, client=client, **data)


# --- finding 3: the identity step is no free oracle -------------------------------------------------
def test_five_identity_checks_a_day_per_account(applicant, civil):
    civil.reasons = [Reason.NAME_MISMATCH]
    for _ in range(5):
        assert probe(applicant).identity_status == IdentityStatus.REJECTED
    with pytest.raises(RegistryError) as error:
        probe(applicant, full_name="Tebakan Keenam")
    assert error.value.code == "identity_too_many" and error.value.field == "nik"
    assert "WIB" in str(error.value.message)
    assert len(civil.calls) == 5  # the sixth never reached the registry


def test_the_person_still_sees_the_reasons_of_their_own_attempts(applicant, civil):
    civil.reasons = [Reason.KK_MISMATCH]
    for _ in range(5):
        probe(applicant)
    with pytest.raises(RegistryError):
        probe(applicant)
    assert Profile.objects.get(user=applicant).identity_reasons == ["kk_mismatch"]


def test_malformed_numbers_do_not_spend_the_budget(applicant, civil):
    for _ in range(8):
        with pytest.raises(RegistryError) as error:
            probe(applicant, nik="1234")
        assert error.value.code == "nik_length"
    assert probe(applicant).identity_status == IdentityStatus.VERIFIED


def test_many_accounts_from_one_client_are_capped(make_user, civil, settings):
    settings.IDENTITY_SUBMITS_PER_CLIENT_PER_HOUR = 3
    civil.reasons = [Reason.NIK_NOT_FOUND]
    users = [make_user(email=f"bot{i}@example.id") for i in range(4)]
    for user in users[:3]:
        probe(user, client="198.51.100.66")
    with pytest.raises(RegistryError) as error:
        probe(users[3], client="198.51.100.66")
    assert error.value.code == "identity_too_many"
    assert probe(users[3], client="198.51.100.10").identity_status == IdentityStatus.REJECTED


def test_the_view_counts_the_forwarded_client(client, make_user, civil, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.IDENTITY_SUBMITS_PER_CLIENT_PER_HOUR = 1
    civil.reasons = [Reason.NIK_NOT_FOUND]
    form = {"full_name": "Siti Rahma", "nik": NIK, "kk": KK, "birth_date": "1995-03-12"}
    pages = []
    for i, forwarded in enumerate(["1.1.1.1, 198.51.100.66", "2.2.2.2, 198.51.100.66"]):
        client.force_login(make_user(email=f"u{i}@example.id"))
        pages.append(client.post(reverse("registry_identity"), form, REMOTE_ADDR="10.0.0.2",
                                 HTTP_X_FORWARDED_FOR=forwarded).content.decode())
    assert "WIB" not in pages[0] and "WIB" in pages[1]  # "... Coba lagi setelah HH:MM WIB."
    assert len(civil.calls) == 1


# --- finding 4: SMS pumping ------------------------------------------------------------------------------
@pytest.fixture
def sms_sent(sandbox_mail):
    sandbox_mail.clear()
    return lambda: Message.objects.filter(channel="sms").count()


def send(user, phone, client=None):
    return phone_send_code(actor=user, phone=phone, client=client)


def numbers(count):
    return [f"08123456{7000 + i:04d}" for i in range(count)]


def test_a_fresh_number_brings_no_fresh_budget(applicant, sms_sent, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for phone in numbers(10):
            send(applicant, phone)
        with pytest.raises(RegistryError) as error:
            send(applicant, numbers(11)[-1])
    assert error.value.code == "otp_too_many" and error.value.field == "phone"
    assert sms_sent() == 10


def test_sends_are_capped_per_client_across_accounts(make_user, sms_sent, settings,
                                                     django_capture_on_commit_callbacks):
    settings.OTP_SENDS_PER_CLIENT_PER_HOUR = 3
    users = [make_user(email=f"bot{i}@example.id") for i in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        for user, phone in zip(users[:3], numbers(3), strict=True):
            send(user, phone, client="198.51.100.66")
        with pytest.raises(RegistryError) as error:
            send(users[3], numbers(4)[-1], client="198.51.100.66")
        send(users[3], numbers(4)[-1], client="198.51.100.10")
    assert error.value.code == "otp_too_many"
    assert sms_sent() == 4


def test_a_refused_resend_spends_nothing(applicant, sms_sent, settings, django_capture_on_commit_callbacks):
    settings.OTP_SENDS_PER_ACCOUNT_PER_DAY = 2
    with django_capture_on_commit_callbacks(execute=True):
        send(applicant, numbers(1)[0])
        for _ in range(5):  # within the resend wait: refused before counting
            with pytest.raises(RegistryError) as error:
                send(applicant, numbers(1)[0])
            assert error.value.code == "otp_wait"
        send(applicant, numbers(2)[-1])
    assert sms_sent() == 2


def test_resend_limits_still_hold_per_number(applicant, sms_sent, settings):
    settings.OTP_RESEND_AFTER = timedelta(0)
    for _ in range(settings.OTP_MAX_SENDS):
        send(applicant, numbers(1)[0])
    with pytest.raises(RegistryError) as error:
        send(applicant, numbers(1)[0])
    assert error.value.code == "otp_locked"
