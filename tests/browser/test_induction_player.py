"""CRD-2 in a real browser: the video plays with Indonesian captions, reports its progress, and
a seek ahead of what has played snaps back ("the videos cannot be skipped")."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from prakerja.induction.models import VideoProgress
from prakerja.regions.models import Regency
from prakerja.waves.models import Application, ConsentVersion, Wave

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIDEO = "document.getElementById('induction-video')"


def wait_until(page, expression, timeout=15.0):
    """Poll ``expression`` with page.evaluate: wait_for_function evaluates strings, which the CSP forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.1)


@pytest.fixture
def participant(make_user, complete_profile, make_wave):
    user = complete_profile(make_user(email="tonton@example.id", full_name="Rina Tonton"))
    wave = make_wave(number=7, opens=-20, closes=-10, announce=-1)
    Wave.objects.filter(pk=wave.pk).update(closed_at=timezone.now() - timedelta(days=10),
                                           results_published_at=timezone.now() - timedelta(days=1))
    Application.objects.create(wave=wave, user=user, status="passed", consent=ConsentVersion.objects.first(),
                               province=Regency.objects.get(code="3273").province)
    return user


def test_the_player_reports_progress_and_snaps_back_a_seek_ahead(page, live_server, participant, settings, shot):
    client = Client()
    client.force_login(participant)
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": live_server.url,
                               "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])
    page.goto(f"{live_server.url}/card/videos/programme/")
    assert page.evaluate(f"{VIDEO}.canPlayType('video/mp4; codecs=\"avc1.4D401E\"')") != "", \
        "this chromium cannot play H.264"
    wait_until(page, f"{VIDEO}.readyState >= 1")  # metadata loaded: the file is served and decodable
    assert page.evaluate(f"{VIDEO}.duration") == pytest.approx(34, abs=0.5)

    # Play a little (muted: autoplay without a tap is allowed then), and pause.
    page.evaluate(f"{VIDEO}.muted = true; {VIDEO}.play()")
    wait_until(page, f"{VIDEO}.currentTime > 2", timeout=20)
    page.evaluate(f"{VIDEO}.pause()")
    deadline = time.monotonic() + 10
    while not VideoProgress.objects.filter(user=participant, covered_seconds__gt=1).exists():
        assert time.monotonic() < deadline, "the pause was not reported"
        time.sleep(0.1)
    progress = VideoProgress.objects.get(user=participant)
    assert progress.covered_seconds < 10

    # Indonesian captions, shown by default.
    track = page.evaluate(f"(() => {{ const t = {VIDEO}.textTracks[0]; return [t.language, t.kind, t.mode]; }})()")
    assert track == ["id", "captions", "showing"]
    wait_until(page, f"{VIDEO}.textTracks[0].cues && {VIDEO}.textTracks[0].cues.length > 0")

    # Skip ahead from script, as a person dragging the bar would: the player snaps back.
    played = page.evaluate(f"{VIDEO}.currentTime")
    page.evaluate(f"{VIDEO}.currentTime = 20")
    wait_until(page, f"!{VIDEO}.seeking && {VIDEO}.currentTime < 10")
    assert page.evaluate(f"{VIDEO}.currentTime") <= played + 1
    assert "tidak" in page.locator("#induction-status").inner_text().lower() or \
        "not possible" in page.locator("#induction-status").inner_text()
    shot(page, "induction-player-snapped-back")

    # Faster playback is turned back to normal.
    page.evaluate(f"{VIDEO}.playbackRate = 2")
    wait_until(page, f"{VIDEO}.playbackRate === 1")
    progress.refresh_from_db()
    assert progress.covered_seconds < 10 and progress.completed_at is None
