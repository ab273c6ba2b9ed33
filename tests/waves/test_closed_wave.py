"""Finding 14: a closed wave stays closed; joins never wait for a close that already happened."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from prakerja.audit.models import AuditEntry
from prakerja.waves.models import Application, Wave
from prakerja.waves.services import JoinRefused, application_join, wave_save, waves_close_due
from prakerja.waves.states import ApplicationStatus as S
from tests.conftest import pass_second_factor

pytestmark = pytest.mark.django_db


def refusal_text():
    with translation.override("id"):
        return gettext("The wave is closed; its opening and closing times cannot change.")


def closed_wave(make_wave, registrant=None):
    """Wave 7, joined by ``registrant``, whose closing time passed and whose sweep ran."""
    wave = make_wave(number=7, opens=-10, closes=3, announce=5)
    if registrant is not None:
        application_join(actor=registrant, wave=wave, consent_version=1)
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert waves_close_due() == [7]
    wave.refresh_from_db()
    return wave


def wave_province(user):
    return user.profile.domicile_regency.province_id


def save(operator, wave, **changes):
    data = {"number": wave.number, "kind": wave.kind, "opens_at": wave.opens_at, "closes_at": wave.closes_at,
            "announce_at": wave.announce_at, "national_quota": wave.national_quota, "provinces": [],
            "province_quotas": {}, **changes}
    return wave_save(actor=operator, wave=wave, **data)


@pytest.mark.parametrize("field", ["opens_at", "closes_at"])
def test_the_times_of_a_closed_wave_cannot_change(operator, make_wave, field):
    wave = closed_wave(make_wave)
    before = Wave.objects.values("opens_at", "closes_at", "closed_at").get(pk=wave.pk)
    with pytest.raises(ValidationError) as error:
        save(operator, wave, **{field: getattr(wave, field) + timedelta(days=1)})
    assert set(error.value.message_dict) == {field}
    with translation.override("id"):
        assert error.value.message_dict[field] == [refusal_text()]
    assert Wave.objects.values("opens_at", "closes_at", "closed_at").get(pk=wave.pk) == before


def test_a_closed_wave_keeps_its_other_edits_and_stays_closed(operator, make_wave):
    wave = closed_wave(make_wave)
    closed_at = wave.closed_at
    # The admin shows times to the second: an untouched time comes back without its microseconds.
    save(operator, wave, national_quota=900_000, closes_at=wave.closes_at.replace(microsecond=0),
         announce_at=wave.announce_at + timedelta(days=1))
    wave.refresh_from_db()
    assert (wave.national_quota, wave.closed_at) == (900_000, closed_at)


def test_an_edit_from_a_copy_loaded_before_the_close_does_not_reopen_it(operator, make_wave):
    wave = make_wave(number=7, opens=-10, closes=3, announce=5)
    stale = Wave.objects.get(pk=wave.pk)  # the admin loaded the form while the wave was open
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    waves_close_due()
    stale.closes_at = Wave.objects.get(pk=wave.pk).closes_at
    save(operator, stale, national_quota=900_000)
    wave.refresh_from_db()
    assert wave.closed_at is not None and wave.national_quota == 900_000


def test_an_open_wave_may_still_move_its_closing_time(operator, make_wave):
    wave = make_wave(number=7, opens=-10, closes=3, announce=5)
    save(operator, wave, closes_at=wave.closes_at + timedelta(days=1))
    wave.refresh_from_db()
    assert wave.closed_at is None


def test_a_closed_wave_whose_closing_time_is_later_is_neither_offered_nor_joined(client, registrant, make_wave):
    wave = closed_wave(make_wave)
    # The state finding 14 left behind: closed, yet closing in the future.
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() + timedelta(days=2))
    wave.refresh_from_db()
    with pytest.raises(JoinRefused) as refusal:
        application_join(actor=registrant, wave=wave, consent_version=1)
    assert refusal.value.code == "wave_closed"
    assert not Application.objects.exists()
    client.force_login(registrant)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Gelombang Tidak Ditemukan" in dashboard
    assert reverse("waves_join", args=[wave.public_id]) not in dashboard
    assert "ditutup, seleksi berjalan" in client.get(reverse("waves_public")).content.decode()


def test_the_sweep_moves_joins_stranded_in_a_closed_wave(client, registrant, make_user, complete_profile,
                                                         make_wave, django_assert_max_num_queries):
    wave = closed_wave(make_wave, registrant)
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() + timedelta(days=2))
    # Rows that joined after the close, before this fix: built straight in the database.
    consent_id = Application.objects.get(user=registrant).consent_id
    others = [complete_profile(make_user(email=f"p{i}@example.id")) for i in range(5)]
    Application.objects.bulk_create(Application(wave=wave, user=u, province_id=wave_province(u), consent_id=consent_id)
                                    for u in others)
    open_wave = make_wave(number=8, opens=-1, closes=3, announce=5)
    fresh = application_join(actor=complete_profile(make_user(email="ani@example.id")), wave=open_wave,
                             consent_version=1)
    client.force_login(others[0])
    assert "Menunggu Gelombang Ditutup" in client.get(reverse("dashboard")).content.decode()

    with django_assert_max_num_queries(8):  # one UPDATE per wave, not one per person
        assert waves_close_due() == []  # no wave was due; the stranded rows move all the same
    assert set(Application.objects.filter(wave=wave).values_list("status", flat=True)) == {S.PROCESSING}
    fresh.refresh_from_db()
    assert fresh.status == S.JOINED  # an open wave's joins wait for its close
    entry = AuditEntry.objects.get(action="wave.close_stranded")
    assert entry.target_id == str(wave.public_id) and entry.data == {"applications": 5}
    assert "Sedang Diproses" in client.get(reverse("dashboard")).content.decode()

    assert waves_close_due() == []
    assert AuditEntry.objects.filter(action="wave.close_stranded").count() == 1  # idempotent


def test_the_admin_form_shows_the_refusal_on_the_field(client, operator, make_wave):
    wave = closed_wave(make_wave)
    local = {f: timezone.localtime(getattr(wave, f)) for f in ("opens_at", "closes_at", "announce_at")}
    later = local["closes_at"] + timedelta(hours=1)
    response = pass_second_factor(client, operator).post(reverse("admin:waves_wave_change", args=[wave.pk]), {
        "number": 7, "kind": "regular", "national_quota": wave.national_quota, "province_quotas": "",
        "opens_at_0": local["opens_at"].strftime("%Y-%m-%d"), "opens_at_1": local["opens_at"].strftime("%H:%M:%S"),
        "closes_at_0": later.strftime("%Y-%m-%d"), "closes_at_1": later.strftime("%H:%M:%S"),
        "announce_at_0": local["announce_at"].strftime("%Y-%m-%d"),
        "announce_at_1": local["announce_at"].strftime("%H:%M:%S")})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors == {"closes_at": [refusal_text()]}
    assert refusal_text() in response.content.decode()
    wave.refresh_from_db()
    assert wave.closes_at < timezone.now()
