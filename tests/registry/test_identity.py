"""REG-3: the identity step, with the civil registry behind a fake adapter."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from prakerja.civil.gateway import CivilRegistryUnavailable, Reason
from prakerja.registry.errors import RegistryError
from prakerja.registry.models import IdentityStatus, Profile
from prakerja.registry.nik import build_nik
from prakerja.registry.selectors import identities_due
from prakerja.registry.services.identity import identity_check, identity_submit
from tests.registry.conftest import BIRTH, KK, NIK

pytestmark = pytest.mark.django_db


def submit(user, **overrides):
    data = {"nik": NIK, "kk": KK, "birth_date": BIRTH, "full_name": user.full_name, **overrides}
    return identity_submit(actor=user, **data)


def test_verified_identity_is_stored_encrypted_and_masked(applicant, civil):
    profile = submit(applicant)
    assert profile.identity_status == IdentityStatus.VERIFIED
    assert profile.nik_masked == "327301**********"
    assert NIK not in profile.nik_encrypted and KK not in profile.kk_encrypted
    assert profile.female is True
    # The full birth date is in the NIK: only year and month stay in clear.
    assert (profile.birth_year, profile.birth_month) == (1995, 3)
    assert BIRTH.isoformat() not in profile.birth_date_encrypted
    assert civil.calls[0].birth_date == BIRTH
    assert civil.calls[0].nik == NIK and civil.calls[0].name == "Siti Rahma"


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"nik": "32730152039500AB"}, "nik_not_digits", "nik"),
    ({"nik": "327301520395000"}, "nik_length", "nik"),
    ({"birth_date": date(1995, 3, 13)}, "nik_birth_date_mismatch", "birth_date"),
    ({"nik": build_nik(district_code="999901", birth_date=BIRTH, female=True, serial=1)}, "nik_region", "nik"),
    ({"kk": "1234"}, "kk_length", "kk"),
])
def test_bad_numbers_are_refused_and_change_nothing(applicant, civil, overrides, code, field):
    with pytest.raises(RegistryError) as error:
        submit(applicant, **overrides)
    assert error.value.code == code and error.value.field == field
    assert not Profile.objects.filter(user=applicant).exclude(identity_status="not_started").exists()
    assert civil.calls == []


def test_nik_of_another_account_is_refused(applicant, make_user, civil):
    submit(applicant)
    other = make_user(email="other@example.id")
    with pytest.raises(RegistryError) as error:
        submit(other)
    assert error.value.code == "nik_taken"


@pytest.mark.parametrize("reasons", [
    [Reason.NIK_NOT_FOUND], [Reason.KK_MISMATCH], [Reason.NAME_MISMATCH], [Reason.BIRTH_DATE_MISMATCH],
    [Reason.KK_MISMATCH, Reason.NAME_MISMATCH],
])
def test_registry_mismatch_is_shown_with_reasons(client, applicant, civil, reasons):
    civil.reasons = reasons
    profile = submit(applicant)
    assert profile.identity_status == IdentityStatus.REJECTED
    assert profile.identity_reasons == [str(r) for r in reasons]
    client.force_login(applicant)
    page = client.get(reverse("registry_identity")).content.decode()
    wording = {Reason.NIK_NOT_FOUND: "NIK tidak terdaftar", Reason.KK_MISMATCH: "NIK dan KK tidak sesuai",
               Reason.NAME_MISMATCH: "Nama tidak sesuai", Reason.BIRTH_DATE_MISMATCH: "Tanggal lahir tidak sesuai"}
    for reason in reasons:
        assert wording[reason] in page
    assert "1500537" in page  # the Dukcapil call centre


def test_a_rejected_nik_is_released_for_its_owner(applicant, make_user, civil):
    civil.reasons = [Reason.NAME_MISMATCH]  # a stranger typed someone else's NIK
    submit(applicant)
    owner = make_user(email="owner@example.id")
    civil.reasons = []
    assert submit(owner).identity_status == IdentityStatus.VERIFIED


def test_registry_down_saves_as_pending_then_rechecks(applicant, civil):
    civil.error = CivilRegistryUnavailable("timeout")
    profile = submit(applicant)
    assert profile.identity_status == IdentityStatus.PENDING
    assert profile.identity_next_check_at > timezone.now()
    assert identities_due() == []  # not due yet
    civil.error = None
    Profile.objects.filter(pk=profile.pk).update(identity_next_check_at=timezone.now() - timedelta(seconds=1))
    assert identities_due() == [profile.pk]
    assert identity_check(profile_id=profile.pk) == IdentityStatus.VERIFIED


def test_a_check_in_progress_is_not_started_twice(applicant, civil):
    civil.error = CivilRegistryUnavailable("down")
    profile = submit(applicant)
    now = timezone.now()
    Profile.objects.filter(pk=profile.pk).update(identity_status=IdentityStatus.CHECKING,
                                                 identity_lease_until=now + timedelta(minutes=2))
    calls = len(civil.calls)
    assert identity_check(profile_id=profile.pk) is None
    assert len(civil.calls) == calls
    # A worker that died leaves a lease that expires: then it is checked again.
    civil.error = None
    Profile.objects.filter(pk=profile.pk).update(identity_lease_until=now - timedelta(seconds=1))
    assert identity_check(profile_id=profile.pk) == IdentityStatus.VERIFIED


def test_identity_form_shows_indonesian_errors(client, applicant, civil):
    client.force_login(applicant)
    response = client.post(reverse("registry_identity"), {"full_name": "Siti Rahma", "nik": "123abc",
                                                          "kk": KK, "birth_date": "1995-03-12"})
    assert response.status_code == 200
    assert "NIK hanya boleh berisi angka" in response.content.decode()


def test_verified_identity_moves_on_to_personal_data(client, applicant, civil):
    client.force_login(applicant)
    response = client.post(reverse("registry_identity"), {"full_name": "Siti Rahma", "nik": NIK, "kk": KK,
                                                          "birth_date": "1995-03-12"})
    assert response["Location"] == reverse("registry_personal")
