"""CRD-2 pages: who may watch, the player page, the progress endpoint and the files."""

import gzip
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from prakerja.core import ratelimit
from prakerja.induction.media import DATA_DIR
from prakerja.induction.models import VideoProgress
from prakerja.induction.selectors import induction_progress
from prakerja.induction.services import video_progress_report
from prakerja.waves.models import Wave

pytestmark = pytest.mark.django_db

SLUGS = ["programme", "purchase", "payout"]


def progress_url(slug="programme"):
    return reverse("induction_progress", args=[slug])


def signed_in(client, user):
    client.force_login(user)
    return client


def watched(user, video, start=None):
    """Report a whole video honestly, 5 seconds of real time apart."""
    start = start or timezone.now() - timedelta(hours=1)
    for second in range(0, video.duration_seconds + 5, 5):
        video_progress_report(user=user, video=video, position=min(second, video.duration_seconds),
                              now=start + timedelta(seconds=second))


# --- who may watch ----------------------------------------------------------------------


def test_a_participant_sees_the_three_videos_in_order(client, participant):
    response = signed_in(client, participant).get(reverse("induction_list"))
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(reverse("induction_video", args=[slug])) for slug in SLUGS]
    assert positions == sorted(positions)
    assert "Cara kerja Program Kartu Prakerja" in html  # Indonesian titles by default
    assert html.count("<progress") == 3


@pytest.mark.parametrize("status", ["failed", "revoked", "withdrawn", "selecting"])
def test_anyone_but_a_passed_participant_is_sent_to_the_dashboard(client, make_person, status):
    user = make_person(status)
    signed_in(client, user)
    for url in (reverse("induction_list"), reverse("induction_video", args=["programme"])):
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("dashboard")
    assert client.post(progress_url(), {"position": 0}).status_code == 404
    assert not VideoProgress.objects.exists()


def test_a_registrant_without_an_application_is_sent_to_the_dashboard(client, registrant):
    assert signed_in(client, registrant).get(reverse("induction_list")).url == reverse("dashboard")


def test_a_result_not_yet_published_opens_nothing(client, participant, decided_wave):
    # WAV-6: until the announcement nothing of a result shows, the videos included.
    Wave.objects.filter(pk=decided_wave.pk).update(results_published_at=timezone.now() + timedelta(hours=1))
    signed_in(client, participant)
    assert client.get(reverse("induction_list")).status_code == 302
    assert client.post(progress_url(), {"position": 0}).status_code == 404


def test_signed_out_is_sent_to_sign_in(client):
    for url in (reverse("induction_list"), reverse("induction_video", args=["programme"]),
                reverse("induction_video_file", args=["programme"])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("account_login") in response.url
    response = client.post(progress_url(), {"position": 1})
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_an_unknown_video_is_not_found(client, participant):
    assert signed_in(client, participant).get(reverse("induction_video", args=["nope"])).status_code == 404
    assert client.post(progress_url("nope"), {"position": 0}).status_code == 404


def test_the_list_page_takes_a_fixed_number_of_queries(client, participant, videos, django_assert_num_queries):
    watched(participant, videos["programme"])
    signed_in(client, participant)
    # The session, the user, "passed?", the three videos with their progress, and the bell's count.
    with django_assert_num_queries(5):
        client.get(reverse("induction_list"))


# --- the player page --------------------------------------------------------------------


def test_the_player_page_has_indonesian_captions_and_no_inline_script(client, participant):
    html = signed_in(client, participant).get(reverse("induction_video", args=["programme"])).content.decode()
    track = re.search(r"<track [^>]*>", html).group(0)
    assert 'kind="captions"' in track and 'srclang="id"' in track and " default" in track
    assert reverse("induction_captions_file", args=["programme"]) in track
    assert f'data-progress-url="{progress_url()}"' in html
    assert 'data-accepted="0.000"' in html and 'data-complete="false"' in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)  # CSP: script-src 'self', nothing inline
    assert re.search(r'src="[^"]*induction/player\.js"', html)
    assert "<noscript>" in html  # without JavaScript the page says what to do
    assert re.search(r'id="induction-done"[^>]*hidden', html)
    assert "csrfmiddlewaretoken" in html


def test_the_player_page_resumes_where_the_server_accepted(client, participant, video):
    start = timezone.now() - timedelta(minutes=5)
    video_progress_report(user=participant, video=video, position=0, now=start)
    video_progress_report(user=participant, video=video, position=10, now=start + timedelta(seconds=10))
    html = signed_in(client, participant).get(reverse("induction_video", args=["programme"])).content.decode()
    assert 'data-accepted="10.000"' in html


def test_a_watched_video_shows_the_way_to_the_next_one(client, participant, videos):
    watched(participant, videos["programme"])
    html = signed_in(client, participant).get(reverse("induction_video", args=["programme"])).content.decode()
    assert not re.search(r'id="induction-done"[^>]*hidden', html)
    assert f'id="induction-next" href="{reverse("induction_video", args=["purchase"])}"' in html


def test_after_the_last_video_the_way_leads_to_the_dashboard(client, participant, videos):
    for video in videos.values():
        watched(participant, video)
    html = signed_in(client, participant).get(reverse("induction_video", args=["payout"])).content.decode()
    assert f'id="induction-next" href="{reverse("dashboard")}"' in html


def test_the_dashboard_panel_links_the_next_video_and_stays_small(participant, videos):
    watched(participant, videos["programme"])
    html = render_to_string("induction/_panel.html", {"videos": induction_progress(participant)})
    assert html.count("<progress") == 3
    assert re.search(r'class="btn" href="' + reverse("induction_video", args=["purchase"]), html)
    assert len(gzip.compress(html.encode())) < 1500  # the dashboard's 60 KB budget


# --- the progress endpoint --------------------------------------------------------------


def test_the_endpoint_answers_what_the_server_accepted(client, participant):
    response = signed_in(client, participant).post(progress_url(), {"position": "30"})
    assert response.status_code == 200
    assert response.json() == {"accepted": 2.0, "duration": 34, "complete": False}  # the first report starts the clock


def test_the_endpoint_needs_post(client, participant):
    assert signed_in(client, participant).get(progress_url()).status_code == 405


def test_the_endpoint_needs_the_csrf_token(participant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    assert client.post(progress_url(), {"position": 0}).status_code == 403
    page = client.get(reverse("induction_video", args=["programme"])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(progress_url(), {"position": 0}, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    # The beacon sent when the page closes carries the token in the body.
    assert client.post(progress_url(), {"position": 0, "csrfmiddlewaretoken": token}).status_code == 200


@pytest.mark.parametrize("position", ["-3", "abc", "", "nan"])
def test_a_bad_position_is_a_400(client, participant, position):
    response = signed_in(client, participant).post(progress_url(), {"position": position})
    assert response.status_code == 400 and response.json()["error"] == "bad_position"


def test_the_endpoint_is_rate_limited_per_account(client, participant, make_person, monkeypatch):
    # One fixed window for the whole test: a window boundary in the middle would reset the count.
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_000_000.0))
    signed_in(client, participant)
    codes = [client.post(progress_url(), {"position": n}).status_code for n in range(12)]
    assert codes[:10] == [200] * 10 and codes[10:] == [429, 429]
    other = signed_in(Client(), make_person(email="lain@example.id"))
    assert other.post(progress_url(), {"position": 0}).status_code == 200  # per account, not for everyone


def test_the_endpoint_completes_a_video_watched_in_real_time(client, participant, videos, monkeypatch):
    clock = [timezone.now()]
    monkeypatch.setattr("prakerja.induction.services.timezone.now", lambda: clock[0])
    signed_in(client, participant)
    answer = None
    for second in range(0, 40, 5):
        clock[0] += timedelta(seconds=5)
        answer = client.post(progress_url(), {"position": min(second, 34)}).json()
    assert answer["complete"] is True
    assert answer["next_url"] == reverse("induction_video", args=["purchase"])
    assert answer["next_title"] == "Cara membeli pelatihan dengan Kartu Prakerja"


# --- the files --------------------------------------------------------------------------


def test_the_video_is_served_whole_and_in_byte_ranges(client, participant):
    signed_in(client, participant)
    url = reverse("induction_video_file", args=["programme"])
    data = (DATA_DIR / "programme.mp4").read_bytes()
    whole = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert whole.status_code == 200 and whole["Content-Type"] == "video/mp4"
    assert whole.get("Content-Encoding") is None  # never gzipped: it would break the ranges
    assert b"".join(whole.streaming_content) == data and whole["Content-Length"] == str(len(data))
    part = client.get(url, headers={"Range": "bytes=100-199", "Accept-Encoding": "gzip"})
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(part.streaming_content) == data[100:200]
    tail = client.get(url, headers={"Range": "bytes=-10"})
    assert b"".join(tail.streaming_content) == data[-10:]
    assert client.get(url, headers={"Range": f"bytes={len(data)}-"}).status_code == 416


def test_the_captions_are_served_as_webvtt(client, participant):
    response = signed_in(client, participant).get(reverse("induction_captions_file", args=["programme"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/vtt")
    assert b"".join(response.streaming_content).startswith(b"WEBVTT")
