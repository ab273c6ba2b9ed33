"""WAV-1: operators create and edit waves; the rules that refuse a bad wave; switches."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.audit.models import AuditEntry
from prakerja.programme.services import switches_set
from prakerja.regions.models import Province
from prakerja.waves.models import Application, ProvinceQuota, Wave
from prakerja.waves.services import application_join, wave_save
from tests.conftest import PASSWORD, pass_second_factor

pytestmark = pytest.mark.django_db


def save(operator, wave=None, **overrides):
    now = timezone.now()
    data = {"number": 7, "kind": "regular", "opens_at": now + timedelta(days=1), "closes_at": now + timedelta(days=4),
            "announce_at": now + timedelta(days=6), "national_quota": 800_000, "provinces": [],
            "province_quotas": {}, **overrides}
    return wave_save(actor=operator, wave=wave, **data)


def test_create_a_wave_with_provincial_quotas(operator):
    wave = save(operator, province_quotas={"32": 120_000, "31": 50_000})
    assert set(ProvinceQuota.objects.filter(wave=wave).values_list("province__code", "quota")) == {
        ("32", 120_000), ("31", 50_000)}
    assert AuditEntry.objects.filter(action="wave.create", target_id=str(wave.public_id)).exists()
    save(operator, wave=wave, province_quotas={"32": 100_000})
    assert list(ProvinceQuota.objects.filter(wave=wave).values_list("quota", flat=True)) == [100_000]


@pytest.mark.parametrize(("overrides", "field"), [
    ({"closes_at": timezone.now()}, "closes_at"),
    ({"announce_at": timezone.now() + timedelta(days=2)}, "announce_at"),
    ({"national_quota": 0}, "national_quota"),
    ({"national_quota": 100, "province_quotas": {"32": 80, "31": 30}}, "province_quotas"),
    ({"province_quotas": {"32": 0}}, "province_quotas"),
])
def test_bad_waves_are_refused(operator, overrides, field):
    with pytest.raises(ValidationError) as error:
        save(operator, **overrides)
    assert field in error.value.message_dict


def test_overlapping_waves_for_the_same_provinces_are_refused(operator):
    jabar, jatim = Province.objects.get(code="32"), Province.objects.get(code="35")
    save(operator, number=7, provinces=[jabar])
    with pytest.raises(ValidationError) as error:
        save(operator, number=8, provinces=[jabar, jatim])
    assert "opens_at" in error.value.message_dict
    with pytest.raises(ValidationError):
        save(operator, number=8)  # all provinces includes Jawa Barat
    save(operator, number=8, provinces=[jatim])  # another province: fine


def test_admin_form_shows_the_rules_in_indonesian(admin_client, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "StaffSecondFactor" not in m]
    now = timezone.localtime()
    response = admin_client.post(reverse("admin:waves_wave_add"), {
        "number": 9, "kind": "regular", "opens_at_0": now.strftime("%Y-%m-%d"), "opens_at_1": "12:00:00",
        "closes_at_0": now.strftime("%Y-%m-%d"), "closes_at_1": "11:00:00",
        "announce_at_0": now.strftime("%Y-%m-%d"), "announce_at_1": "10:00:00", "national_quota": 5,
        "province_quotas": "32=abc"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "harus ditutup setelah dibuka" in page and "tidak boleh sebelum gelombang ditutup" in page
    assert "Baris 1: tulis kode=kuota" in page


def test_switches_stop_signups_and_joins(client, operator, registrant, make_wave):
    wave = make_wave()
    switches_set(actor=operator, signups_open=False, joins_open=False, reason="akhir tahun program")
    assert AuditEntry.objects.get(action="switches.set").reason == "akhir tahun program"
    page = client.post(reverse("account_signup"), {
        "full_name": "Ani Lestari", "email": "ani@example.id", "password1": PASSWORD, "password2": PASSWORD,
        "statement": "on"}).content.decode()
    assert "Mohon maaf, tapi pendaftaran saat ini ditutup." in page
    assert not User.objects.filter(email="ani@example.id").exists()
    client.force_login(registrant)
    response = client.post(reverse("waves_join", args=[wave.public_id]), {"version": 1, "agree": "on"}, follow=True)
    assert "Pendaftaran gelombang ditutup sampai tahun program berikutnya." in response.content.decode()
    assert not Application.objects.exists()


def wave_form(day, **overrides):
    return {"number": 9, "kind": "regular", "opens_at_0": day, "opens_at_1": "12:00:00", "closes_at_0": day,
            "closes_at_1": "23:59:00", "announce_at_0": day, "announce_at_1": "23:59:30", "national_quota": 1000,
            "province_quotas": "32=400", **overrides}


def test_a_wave_manager_adds_and_changes_a_wave_and_views_counts(client, operator, registrant):
    # The role's own permissions (OPS-1), not a superuser's.
    assert not operator.is_superuser
    pass_second_factor(client, operator)
    day = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%d")
    response = client.post(reverse("admin:waves_wave_add"), wave_form(day))
    assert response.status_code == 302, response.content.decode()[:500]
    wave = Wave.objects.get(number=9)
    assert wave.province_quotas.get().quota == 400
    assert AuditEntry.objects.get(action="wave.create", target_id=str(wave.public_id)).actor == operator

    assert client.get(reverse("admin:waves_wave_change", args=[wave.pk])).status_code == 200
    response = client.post(reverse("admin:waves_wave_change", args=[wave.pk]),
                           wave_form(day, national_quota=2000, province_quotas="32=400\n35=300"))
    assert response.status_code == 302, response.content.decode()[:500]
    wave.refresh_from_db()
    assert wave.national_quota == 2000 and wave.province_quotas.count() == 2
    assert AuditEntry.objects.filter(action="wave.update", target_id=str(wave.public_id), actor=operator).exists()

    Wave.objects.filter(pk=wave.pk).update(opens_at=timezone.now() - timedelta(hours=1))
    application_join(actor=registrant, wave=Wave.objects.get(pk=wave.pk), consent_version=1)
    page = client.get(reverse("waves_counts_wave", args=[wave.public_id])).content.decode()
    assert "32 Jawa Barat</td><td>1" in page
    assert client.get(reverse("admin:waves_application_changelist")).status_code == 200


@pytest.mark.parametrize("role", ["finance", "complaints_agent"])
def test_a_role_without_wave_permissions_is_refused(client, make_wave, role):
    from prakerja.accounts.services import operator_create

    other = operator_create(actor="system", email=f"{role}@prakerja.test", full_name="Dewi Operator",
                            roles=[role], password=PASSWORD)
    wave = make_wave()
    pass_second_factor(client, other)
    day = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%d")
    assert client.post(reverse("admin:waves_wave_add"), wave_form(day)).status_code == 403
    assert client.post(reverse("admin:waves_wave_change", args=[wave.pk]),
                       wave_form(day, number=7)).status_code == 403
    assert client.get(reverse("waves_counts_wave", args=[wave.public_id])).status_code == 403
    assert client.get(reverse("waves_counts")).status_code == 403
    assert not Wave.objects.filter(number=9).exists()
    assert not AuditEntry.objects.filter(action__startswith="wave.").exists()


def test_switches_are_saved_through_the_admin(client, operator):
    from prakerja.programme.models import Switches

    response = pass_second_factor(client, operator).post(reverse("admin:programme_switches_change", args=[1]),
                                                    {"joins_open": "on"})
    assert response.status_code == 302
    assert Switches.objects.get().signups_open is False
    assert AuditEntry.objects.filter(action="switches.set").exists()
