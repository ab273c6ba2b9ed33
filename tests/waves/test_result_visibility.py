"""WAV-6: nothing of a result shows until the wave's results are published.

The selection run records passed and failed days before the announcement;
until ``Wave.results_published_at`` has come, the person sees "Dalam Proses
Seleksi" everywhere (dashboard, WAV-4 history), no reason, no rejoin offer,
and joining another wave is refused without saying why it would be.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from prakerja.waves.models import Application, Wave
from prakerja.waves.selectors import shown_status
from prakerja.waves.services import JoinRefused, application_join
from prakerja.waves.states import ApplicationStatus as S

pytestmark = pytest.mark.django_db

REASON = "Kuota provinsi sudah terpenuhi (undian)"
SELECTING = ("Dalam Proses Seleksi", "tidak berarti kamu sudah lolos")
# Anything that would tell the result: the labels, the failure notice and
# reason, the congratulation, and the offers to join again.
TELLS = ("Lulus", "Gagal", "Kamu Belum Berhasil", "Tidak Lolos", "Kuota provinsi", "Selamat", "Kepesertaan dicabut",
         "Gabung Gelombang", reverse("waves_rejoin"))

PAST, FUTURE, UNSET = "past", "future", "unset"


def publish(wave, when):
    at = {PAST: timezone.now() - timedelta(minutes=1), FUTURE: timezone.now() + timedelta(days=1),
          UNSET: None}[when]
    Wave.objects.filter(pk=wave.pk).update(results_published_at=at)


@pytest.fixture
def decided(registrant, make_wave):
    """Wave 7 decided for the registrant, and wave 8 open now for their province."""
    def make(status, published):
        wave = make_wave(number=7, opens=-10, closes=1, announce=2)
        application = application_join(actor=registrant, wave=wave, consent_version=1)
        Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(days=5),
                                               announce_at=timezone.now() - timedelta(days=4),
                                               closed_at=timezone.now() - timedelta(days=5))
        Application.objects.filter(pk=application.pk).update(
            status=status, status_reason="" if status == S.PASSED else REASON, decided_at=timezone.now())
        publish(wave, published)
        make_wave(number=8, opens=-1, closes=3, announce=5)
        return application
    return make


def wave_card(page):
    return re.search(r'<section class="card" id="wave">.*?</section>', page, re.S).group(0)


def history_row(page, number):
    return dict(re.findall(r"<tr><td>(\d+)</td><td>[^<]*</td><td>(.*?)</td></tr>", page, re.S))[str(number)]


@pytest.mark.parametrize("published", [UNSET, FUTURE])
@pytest.mark.parametrize("status", [S.PASSED, S.FAILED, S.REVOKED])
def test_an_unpublished_result_shows_as_selecting(client, registrant, decided, status, published):
    decided(status, published)
    client.force_login(registrant)
    response = client.get(reverse("dashboard"))
    assert response.context["open_wave"] is None  # no offer to join wave 8 (WAV-5)
    card = wave_card(response.content.decode())
    assert all(text in card for text in SELECTING), card
    assert "status-selecting" in card and "Gelombang 7" in card
    assert not [text for text in TELLS if text in card], card
    row = history_row(client.get(reverse("waves_history")).content.decode(), 7)
    assert "Dalam Proses Seleksi" in row
    assert not [text for text in TELLS if text in row], row


def test_a_published_failure_shows_as_before(client, registrant, decided):
    decided(S.FAILED, PAST)
    client.force_login(registrant)
    card = wave_card(client.get(reverse("dashboard")).content.decode())
    for text in ("Gagal", "Kamu Belum Berhasil", "Tidak Lolos", REASON, "Gabung Gelombang 8", reverse("waves_rejoin")):
        assert text in card
    assert "Dalam Proses Seleksi" not in card
    row = history_row(client.get(reverse("waves_history")).content.decode(), 7)
    assert "Gagal" in row and "Kamu Belum Berhasil" in row and REASON in row and "Dalam Proses Seleksi" not in row


def test_a_published_pass_shows_as_before(client, registrant, decided):
    decided(S.PASSED, PAST)
    client.force_login(registrant)
    card = wave_card(client.get(reverse("dashboard")).content.decode())
    assert "Lulus" in card and "Selamat, kamu lolos seleksi." in card
    assert "Dalam Proses Seleksi" not in card and "Gabung Gelombang" not in card
    row = history_row(client.get(reverse("waves_history")).content.decode(), 7)
    assert "Lulus" in row and "Dalam Proses Seleksi" not in row


def test_withdrawn_is_not_a_result_and_shows_before_publication(client, registrant, decided):
    decided(S.WITHDRAWN, UNSET)
    client.force_login(registrant)
    card = wave_card(client.get(reverse("dashboard")).content.decode())
    assert "Pendaftaran ditarik" in card and REASON in card and "Gabung Gelombang" in card
    assert "Dalam Proses Seleksi" not in card
    assert "Pendaftaran ditarik" in history_row(client.get(reverse("waves_history")).content.decode(), 7)


def fail_in(registrant, make_wave, numbers):
    """Failed in each wave; joins go one after another, so each result is published first."""
    waves = []
    for number in numbers:
        waves.append(wave := make_wave(number=number))
        application = application_join(actor=registrant, wave=wave, consent_version=1)
        Application.objects.filter(pk=application.pk).update(status=S.FAILED, status_reason=f"alasan {number}")
        publish(wave, PAST)
    return waves


def test_history_hides_only_the_unpublished_wave(client, registrant, make_wave):
    publish(fail_in(registrant, make_wave, (5, 6))[1], UNSET)
    client.force_login(registrant)
    page = client.get(reverse("waves_history")).content.decode()
    assert "Gagal" in history_row(page, 5) and "alasan 5" in history_row(page, 5)
    assert "Dalam Proses Seleksi" in history_row(page, 6) and "alasan 6" not in page


@pytest.mark.parametrize("status", [S.PASSED, S.FAILED])
def test_joining_waits_for_the_announcement(registrant, decided, status):
    decided(status, UNSET)
    nxt = Wave.objects.get(number=8)
    with pytest.raises(JoinRefused) as refusal:
        application_join(actor=registrant, wave=nxt, consent_version=1)
    assert refusal.value.code == "result_pending" and "7" in str(refusal.value.message)
    publish(Wave.objects.get(number=7), FUTURE)
    with pytest.raises(JoinRefused) as refusal:
        application_join(actor=registrant, wave=nxt, consent_version=1)
    assert refusal.value.code == "result_pending"
    assert not Application.objects.filter(wave=nxt).exists()


def test_after_the_announcement_a_pass_still_bars(registrant, decided):
    decided(S.PASSED, PAST)
    with pytest.raises(JoinRefused) as refusal:
        application_join(actor=registrant, wave=Wave.objects.get(number=8), consent_version=1)
    assert refusal.value.code == "passed"


def test_after_the_announcement_a_failure_may_join_the_next_wave(registrant, decided):
    decided(S.FAILED, PAST)
    nxt = Wave.objects.get(number=8)
    assert application_join(actor=registrant, wave=nxt, consent_version=1).status == S.JOINED


@pytest.mark.parametrize("status", [S.PASSED, S.FAILED])
def test_rejoin_click_waits_for_the_announcement(client, registrant, decided, status):
    decided(status, UNSET)
    client.force_login(registrant)
    response = client.post(reverse("waves_rejoin"))
    assert response["Location"] == reverse("dashboard")
    assert not Application.objects.filter(wave__number=8).exists()
    with translation.override("id"):
        pending = gettext("Wait for the announcement of wave %(n)s.") % {"n": 7}
    assert [str(m) for m in get_messages(response.wsgi_request)] == [pending]


def test_rejoin_click_after_the_announcement(client, registrant, decided):
    decided(S.FAILED, PAST)
    client.force_login(registrant)
    client.post(reverse("waves_rejoin"))
    assert Application.objects.get(wave__number=8, user=registrant).status == S.JOINED


def application_queries(captured):
    return [q["sql"] for q in captured.captured_queries if "waves_application" in q["sql"]]


@pytest.mark.parametrize(("status", "published"), [(S.FAILED, UNSET), (S.PASSED, FUTURE), (S.FAILED, PAST)])
def test_dashboard_stays_one_query(client, registrant, decided, django_assert_num_queries, status, published):
    application = decided(status, published)
    client.force_login(registrant)
    client.get(reverse("dashboard"))  # warm the session and the open-waves cache
    # Before: the same page while the application was selecting. Sessions
    # cost a query on the database backend but none with Redis.
    Application.objects.filter(pk=application.pk).update(status=S.SELECTING)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("dashboard"))
    Application.objects.filter(pk=application.pk).update(status=status)
    with django_assert_num_queries(len(before)) as captured:
        client.get(reverse("dashboard"))
    assert len(application_queries(captured)) == 1  # the snapshot


def test_history_is_one_query(client, registrant, make_wave):
    publish(fail_in(registrant, make_wave, (5, 6, 7))[2], FUTURE)
    client.force_login(registrant)
    client.get(reverse("waves_history"))
    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("waves_history")).content.decode()
    assert len(application_queries(captured)) == 1
    assert not [q for q in captured.captured_queries if "waves_application" not in q["sql"]
                and "waves_wave" in q["sql"]]
    assert page.count("<tr><td>") == 3


def test_shown_status_rule():
    now = timezone.now()
    for status in (S.PASSED, S.FAILED, S.REVOKED):
        assert shown_status(status, None, now) == S.SELECTING
        assert shown_status(status, now + timedelta(seconds=1), now) == S.SELECTING
        assert shown_status(status, now, now) == status
    for status in (S.JOINED, S.PROCESSING, S.SELECTING, S.WITHDRAWN):
        assert shown_status(status, None, now) == status
