"""WAV-2..5: joining, refusals, the status machine, history and rejoining."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from prakerja.programme.services import switches_set
from prakerja.registry.models import Profile
from prakerja.waves import states
from prakerja.waves.models import Application, Wave
from prakerja.waves.services import (
    JoinRefused,
    application_decide,
    application_join,
    application_revoke,
    wave_start_selection,
    waves_close_due,
)
from prakerja.waves.states import ApplicationStatus as S
from tests.conftest import pass_second_factor

pytestmark = pytest.mark.django_db


def join(user, wave):
    return application_join(actor=user, wave=wave, consent_version=1)


def test_join_records_province_and_consent(registrant, make_wave):
    application = join(registrant, make_wave())
    assert application.status == S.JOINED and application.province.code == "32"
    assert application.consent.version == 1


def test_joining_twice_is_harmless(registrant, make_wave):
    wave = make_wave()
    assert join(registrant, wave).pk == join(registrant, wave).pk
    assert Application.objects.count() == 1


@pytest.mark.parametrize(("setup", "code"), [
    ("incomplete", "profile_incomplete"),
    ("closed_wave", "wave_closed"),
    ("not_open_yet", "wave_closed"),
    ("other_province", "province"),
    ("switch_off", "joins_closed"),
    ("consent_changed", "consent_changed"),
])
def test_join_refusals(applicant, complete_profile, make_wave, operator, setup, code):
    if setup != "incomplete":
        complete_profile(applicant)
    wave = make_wave()
    version = 1
    if setup == "closed_wave":
        wave = make_wave(number=8, opens=-5, closes=-1, announce=1)
    elif setup == "not_open_yet":
        wave = make_wave(number=8, opens=5, closes=8, announce=9)
    elif setup == "other_province":
        wave = make_wave(number=8, opens=10, closes=12, announce=13, provinces=["35"])
        Wave.objects.filter(pk=wave.pk).update(opens_at=timezone.now() - timedelta(hours=1))
        wave.refresh_from_db()
    elif setup == "switch_off":
        switches_set(actor=operator, signups_open=True, joins_open=False, reason="x")
    elif setup == "consent_changed":
        version = 0
    with pytest.raises(JoinRefused) as refusal:
        application_join(actor=applicant, wave=wave, consent_version=version)
    assert refusal.value.code == code and str(refusal.value.message)
    assert not Application.objects.exists()


def test_a_join_at_the_closing_second_is_refused(registrant, make_wave, monkeypatch):
    wave = make_wave()
    monkeypatch.setattr("prakerja.waves.services.timezone.now", lambda: wave.closes_at)
    with pytest.raises(JoinRefused) as refusal:
        join(registrant, wave)
    assert refusal.value.code == "wave_closed"
    monkeypatch.setattr("prakerja.waves.services.timezone.now", lambda: wave.closes_at - timedelta(microseconds=1))
    assert join(registrant, wave).status == S.JOINED


def test_one_wave_at_a_time(registrant, make_wave):
    first = make_wave(provinces=["32"])
    second = make_wave(number=8, provinces=["32"], opens=-1, closes=3)  # overlapping, created directly
    join(registrant, first)
    with pytest.raises(JoinRefused) as refusal:
        join(registrant, second)
    assert refusal.value.code == "other_wave"


def walk(application, *, passed):
    wave = application.wave
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert waves_close_due() == [wave.number]
    application.refresh_from_db()
    assert application.status == S.PROCESSING
    wave.refresh_from_db()
    assert wave_start_selection(actor=None, wave=wave) == 1
    application.refresh_from_db()
    # SEL-5: the start writes the wave, not each application; in a started wave it reads as selecting.
    assert application.status == S.PROCESSING
    application.wave.refresh_from_db()
    assert states.effective(application.status, application.wave.selection_started_at is not None) == S.SELECTING
    return application_decide(actor="system", application=application, passed=passed,
                              reason="" if passed else "Kuota provinsi sudah terpenuhi (undian)")


def test_every_transition_and_the_dashboard_wording(client, registrant, make_wave):
    client.force_login(registrant)
    application = join(registrant, make_wave())
    page = client.get(reverse("dashboard")).content.decode()
    assert "Menunggu Gelombang Ditutup" in page
    Wave.objects.filter(pk=application.wave_id).update(closes_at=timezone.now() - timedelta(seconds=1))
    waves_close_due()
    assert "Sedang Diproses" in client.get(reverse("dashboard")).content.decode()
    wave_start_selection(actor=None, wave=Wave.objects.get(pk=application.wave_id))
    page = client.get(reverse("dashboard")).content.decode()
    assert "Dalam Proses Seleksi" in page and "tidak berarti kamu sudah lolos" in page
    application_decide(actor="system", application=application, passed=False,
                       reason="Kuota provinsi sudah terpenuhi (undian)")
    Wave.objects.filter(pk=application.wave_id).update(results_published_at=timezone.now())  # WAV-6
    page = client.get(reverse("dashboard")).content.decode()
    assert "Kamu Belum Berhasil" in page and "Tidak Lolos" in page and "Kuota provinsi sudah terpenuhi" in page


def test_closing_is_one_set_based_update_and_idempotent(make_user, complete_profile, make_wave,
                                                        django_assert_max_num_queries):
    wave = make_wave()
    for i in range(30):
        join(complete_profile(make_user(email=f"p{i}@example.id")), wave)
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    with django_assert_max_num_queries(10):  # not one query per person (30 here)
        assert waves_close_due() == [wave.number]
    assert Application.objects.filter(status=S.PROCESSING).count() == 30
    assert waves_close_due() == []


def test_forbidden_transitions_raise(registrant, make_wave):
    application = join(registrant, make_wave())
    with pytest.raises(states.TransitionError):
        application_decide(actor="system", application=application, passed=True)  # not in selection yet
    with pytest.raises(states.TransitionError):
        application_revoke(actor=None, application=application, reason="x")
    with pytest.raises(states.TransitionError):
        wave_start_selection(actor=None, wave=application.wave)  # not closed


def test_a_started_selection_makes_the_applications_in_play_selecting(registrant, make_wave):
    """WAV-3 without a write per application: processing (or a late joined) in a started wave is selecting,
    for the checks (decide, withdraw) and for what the person reads; the start is idempotent."""
    application = join(registrant, make_wave())
    wave = application.wave
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    waves_close_due()
    wave.refresh_from_db()
    assert states.effective(S.PROCESSING, False) == S.PROCESSING
    assert states.effective(S.JOINED, True) == S.SELECTING and states.effective(S.FAILED, True) == S.FAILED
    assert wave_start_selection(actor=None, wave=wave) == 1
    first = Wave.objects.get(pk=wave.pk).selection_started_at
    assert first is not None
    assert wave_start_selection(actor=None, wave=wave) == 1
    assert Wave.objects.get(pk=wave.pk).selection_started_at == first
    from prakerja.waves.selectors import history

    assert [row.status for row in history(user=registrant)] == [S.SELECTING]
    decided = application_decide(actor="system", application=application, passed=True)
    assert decided.status == S.PASSED
    with pytest.raises(states.TransitionError):
        application_decide(actor="system", application=decided, passed=False)


def test_state_table_is_complete():
    assert set(states.TRANSITIONS) == set(S.values)
    assert states.sources_of(S.PROCESSING) == [S.JOINED]


def test_history_and_one_click_rejoin_after_failing(client, registrant, make_wave):
    application = walk(join(registrant, make_wave(number=7, opens=-10, closes=3, announce=4)), passed=False)
    Wave.objects.filter(pk=application.wave_id).update(announce_at=timezone.now(), results_published_at=timezone.now())
    nxt = make_wave(number=8, opens=-1, closes=3, announce=5)
    client.force_login(registrant)
    assert "Gabung Gelombang 8" in client.get(reverse("dashboard")).content.decode()
    response = client.post(reverse("waves_rejoin"))
    assert response["Location"] == reverse("dashboard")
    assert Application.objects.get(wave=nxt, user=registrant).status == S.JOINED
    history = client.get(reverse("waves_history")).content.decode()
    assert "Riwayat Gelombang" in history and "Gagal" in history and "Menunggu Gelombang Ditutup" in history


def history_rows(page):
    """{wave number: result cell} from the history table."""
    return {int(n): cell for n, cell in re.findall(r"<tr><td>(\d+)</td><td>[^<]*</td><td>(.*?)</td></tr>", page, re.S)}


def test_history_lists_only_my_waves_with_lulus_or_gagal(client, registrant, make_user, complete_profile,
                                                         make_wave):
    other = complete_profile(make_user(email="budi@example.id"))
    waves = {n: make_wave(number=n, results_published_at=timezone.now()) for n in (7, 8, 9)}
    outcomes = [(registrant, 7, S.FAILED, "Kuota provinsi sudah terpenuhi (undian)"), (registrant, 8, S.PASSED, ""),
                (other, 9, S.FAILED, "Alasan milik orang lain"), (other, 7, S.PASSED, "")]
    for user, number, status, reason in outcomes:
        application = join(user, waves[number])
        Application.objects.filter(pk=application.pk).update(status=status, status_reason=reason)
    client.force_login(registrant)
    page = client.get(reverse("waves_history")).content.decode()
    rows = history_rows(page)
    assert page.count("<tr><td>") == 2 and set(rows) == {7, 8}
    assert "Alasan milik orang lain" not in page
    assert "Gagal" in rows[7] and "Kuota provinsi sudah terpenuhi" in rows[7] and "Lulus" not in rows[7]
    assert "Lulus" in rows[8] and "Gagal" not in rows[8]
    client.force_login(other)
    rows = history_rows(client.get(reverse("waves_history")).content.decode())
    assert set(rows) == {7, 9} and "Lulus" in rows[7] and "Kuota provinsi" not in rows[7]


@pytest.mark.parametrize(("final", "code"), [("passed", "passed"), ("revoked", "revoked")])
def test_passed_or_revoked_can_never_join_again(registrant, make_wave, operator, final, code):
    application = walk(join(registrant, make_wave(number=7, opens=-10, closes=3, announce=4)), passed=True)
    if final == "revoked":
        application_revoke(actor=operator, application=application, reason="kepesertaan dicabut")
    Wave.objects.filter(pk=application.wave_id).update(results_published_at=timezone.now())  # WAV-6
    nxt = make_wave(number=8, opens=-1, closes=3, announce=5)
    with pytest.raises(JoinRefused) as refusal:
        join(registrant, nxt)
    assert refusal.value.code == code


def test_no_open_wave(client, registrant):
    client.force_login(registrant)
    assert "Gelombang Tidak Ditemukan" in client.get(reverse("dashboard")).content.decode()


def test_join_page_flow(client, registrant, make_wave):
    wave = make_wave()
    client.force_login(registrant)
    dashboard = client.get(reverse("dashboard")).content.decode()
    assert "Gabung Gelombang" in dashboard
    page = client.get(reverse("waves_join", args=[wave.public_id])).content.decode()
    assert "Persetujuan Kartu Prakerja" in page and "Saya menyetujui" in page and "Ya, Gabung" in page
    refused = client.post(reverse("waves_join", args=[wave.public_id]), {"version": 1})
    assert refused.status_code == 200 and not Application.objects.exists()
    client.post(reverse("waves_join", args=[wave.public_id]), {"version": 1, "agree": "on"})
    assert Application.objects.get().status == S.JOINED


def test_dashboard_query_count(client, registrant, make_wave, django_assert_max_num_queries):
    join(registrant, make_wave())
    client.force_login(registrant)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("dashboard")).status_code == 200


def test_public_wave_page(client, make_wave):
    wave = make_wave()  # SEL-4: every wave is made with a seed, its SHA-256 public at once
    assert len(wave.seed_commitment) == 64 and wave.seed_encrypted and not wave.seed
    page = client.get(reverse("waves_public")).content.decode()
    assert "Gelombang 7" in page and "800.000" in page and wave.seed_commitment in page


def test_operator_counts_are_grouped_queries(client, make_user, complete_profile, make_wave, operator,
                                             django_assert_max_num_queries):
    wave = make_wave()
    for i, regency in enumerate(["3273", "3273", "3578", "1101"]):
        join(complete_profile(make_user(email=f"c{i}@example.id"), regency), wave)
    pass_second_factor(client, operator)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("waves_counts_wave", args=[wave.public_id])).content.decode()
    assert "32 Jawa Barat</td><td>2" in page and "35 Jawa Timur</td><td>1" in page
    assert Profile.objects.count() == 4


def test_a_decision_is_audited(registrant, make_wave):
    from prakerja.audit.models import AuditEntry

    application = join(registrant, make_wave())
    Wave.objects.filter(pk=application.wave_id).update(closes_at=timezone.now() - timedelta(seconds=1))
    waves_close_due()
    wave_start_selection(actor=None, wave=Wave.objects.get(pk=application.wave_id))
    application_decide(actor="system", application=application, passed=False, reason="Kuota terpenuhi")
    entry = AuditEntry.objects.get(action="application.failed", target_id=str(application.public_id))
    assert entry.actor_label == "system" and entry.reason == "Kuota terpenuhi"
