"""CRD-2: the three demo videos ship with the code, small, real MP4s with Indonesian WebVTT captions."""

import importlib.util
import re

import pytest
from django.core.management import call_command

from prakerja.induction import media
from prakerja.induction.apps import ensure_videos
from prakerja.induction.management.commands.render_induction_videos import captions
from prakerja.induction.models import InductionVideo
from prakerja.induction.slides import VIDEOS

SLUGS = ["programme", "purchase", "payout"]
CUE = re.compile(r"^\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}$", re.MULTILINE)
# Words any Indonesian caption here uses, and no English one would.
INDONESIAN = {"kamu", "dan", "yang", "pelatihan", "kartu", "rekening", "dengan", "lalu", "kode"}


@pytest.mark.parametrize("slug", SLUGS)
def test_each_shipped_video_is_a_small_mp4_of_its_declared_length(slug):
    path = media.DATA_DIR / f"{slug}.mp4"
    size = path.stat().st_size
    assert 10_000 < size < 1024 * 1024  # a phone on a slow network
    head = path.read_bytes()[:12]
    assert head[4:8] == b"ftyp"
    with path.open("rb") as file:
        info = media.mp4_probe(file, size)
    shipped = next(v for v in VIDEOS if v.slug == slug)
    assert 20 <= shipped.duration_seconds <= 40
    assert info.duration_seconds == pytest.approx(shipped.duration_seconds, abs=0.5)


@pytest.mark.parametrize("slug", SLUGS)
def test_each_shipped_caption_file_is_webvtt_in_indonesian(slug):
    text = (media.DATA_DIR / f"{slug}.vtt").read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n")
    media.vtt_check(text.encode())
    assert len(CUE.findall(text)) >= 6
    words = set(re.findall(r"[a-z]+", text.lower()))
    assert len(words & INDONESIAN) >= 3
    # The committed file is what the slides say (a changed text must be rendered again).
    assert text == captions(next(v for v in VIDEOS if v.slug == slug))


@pytest.mark.django_db
def test_the_three_videos_exist_after_migrate_and_point_at_the_shipped_files():
    rows = list(InductionVideo.objects.order_by("position").values_list("slug", "video", "captions",
                                                                         "duration_seconds"))
    assert rows == [(v.slug, media.shipped_name(f"{v.slug}.mp4"), media.shipped_name(f"{v.slug}.vtt"),
                     v.duration_seconds) for v in VIDEOS]
    for _slug, video, vtt, _seconds in rows:
        with media.media_open(video) as file:
            assert file.read(8)[4:8] == b"ftyp"
        with media.media_open(vtt) as file:
            assert file.read(6) == b"WEBVTT"


@pytest.mark.django_db
def test_migrate_again_leaves_a_replaced_video_alone():
    InductionVideo.objects.filter(slug="payout").update(video="induction/videos/payout-new.mp4", duration_seconds=99)
    InductionVideo.objects.filter(slug="purchase").delete()
    ensure_videos(sender=None)
    assert InductionVideo.objects.count() == 3
    assert InductionVideo.objects.get(slug="payout").duration_seconds == 99
    assert InductionVideo.objects.get(slug="purchase").video.name == media.shipped_name("purchase.mp4")


@pytest.mark.parametrize("name", ["induction/shipped/../../settings.py", "induction/shipped/.hidden"])
def test_a_shipped_name_cannot_leave_the_data_folder(name):
    with pytest.raises(FileNotFoundError):
        media.media_open(name)


@pytest.mark.skipif(importlib.util.find_spec("imageio_ffmpeg") is None, reason="imageio-ffmpeg (requirements-dev.txt)")
def test_the_command_renders_a_video_under_1_mb(tmp_path):
    call_command("render_induction_videos", out=str(tmp_path), only="payout")
    path = tmp_path / "payout.mp4"
    assert path.stat().st_size < 1024 * 1024
    with path.open("rb") as file:
        assert media.mp4_probe(file, path.stat().st_size).duration_seconds == pytest.approx(28, abs=0.5)
    assert (tmp_path / "payout.vtt").read_bytes() == (media.DATA_DIR / "payout.vtt").read_bytes()
    assert not (tmp_path / "programme.mp4").exists()
