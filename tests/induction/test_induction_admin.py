"""CRD-2: operators replace a video or its captions in the admin; checked, audited, nobody's progress lost."""

import struct
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from prakerja.audit.models import AuditEntry
from prakerja.induction import media
from prakerja.induction.models import InductionVideo, VideoProgress
from prakerja.induction.services import video_progress_report
from prakerja.registry.photos import TOO_LARGE as PHOTO_TOO_LARGE
from tests.accounts.operators import sign_in

pytestmark = pytest.mark.django_db

SHIPPED_MP4 = (media.DATA_DIR / "payout.mp4").read_bytes()  # 28 seconds
VTT = b"WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nSelamat datang di Prakerja.\n"


@pytest.fixture(autouse=True)
def media_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path


def change_url(video):
    return reverse("admin:induction_inductionvideo_change", args=[video.pk])


def form(row, **files):
    data = {"title_id": row.title_id, "title_en": row.title_en, "duration_seconds": ""}
    data.update(files)
    return data


def mp4(name="baru.mp4", padding=0):
    """A real MP4, made larger with a trailing "free" box (valid ISO BMFF) when asked."""
    free = struct.pack(">I4s", padding + 8, b"free") + b"\0" * padding if padding else b""
    return SimpleUploadedFile(name, SHIPPED_MP4 + free, content_type="video/mp4")


def errors_of(response) -> str:
    return " ".join(message for messages in response.context["adminform"].form.errors.values() for message in messages)


def test_a_wave_manager_replaces_video_and_captions_audited_and_progress_kept(client, participant, videos,
                                                                              media_storage):
    video = videos["programme"]
    start = timezone.now() - timedelta(hours=1)
    for second in range(0, 40, 5):
        video_progress_report(user=participant, video=video, position=min(second, 34),
                              now=start + timedelta(seconds=second))
    before = VideoProgress.objects.get(user=participant, video=video)
    assert before.completed_at is not None
    operator = sign_in(client, "wave_manager")
    page = client.get(change_url(video)).content.decode()
    assert reverse("induction_video_file", args=["programme"]) in page and 'type="file"' in page

    response = client.post(change_url(video), form(video, video=mp4(), captions=SimpleUploadedFile(
        "id.vtt", VTT, content_type="text/vtt")))
    assert response.status_code == 302, errors_of(response)

    video.refresh_from_db()
    assert video.video.name.startswith("induction/videos/programme-") and video.video.name.endswith(".mp4")
    assert video.captions.name.startswith("induction/captions/programme-")
    assert video.duration_seconds == 28  # read from the file's mvhd box, none entered
    assert (media_storage / video.video.name).read_bytes() == SHIPPED_MP4
    entry = AuditEntry.objects.get(action="induction.video_replace")
    assert entry.actor == operator
    assert entry.data["changed"] == ["video", "captions", "duration_seconds"]
    assert entry.data["duration_seconds_before"] == 34 and len(entry.data["video_sha256"]) == 64
    after = VideoProgress.objects.get(user=participant, video=video)
    assert (after.covered_seconds, after.completed_at) == (before.covered_seconds, before.completed_at)

    # The participant now gets the new files.
    client.force_login(participant)
    served = client.get(reverse("induction_video_file", args=["programme"]))
    assert b"".join(served.streaming_content) == SHIPPED_MP4
    captions = client.get(reverse("induction_captions_file", args=["programme"]))
    assert b"".join(captions.streaming_content) == VTT


def test_an_entered_duration_wins_and_a_title_alone_can_change(client, videos):
    video = videos["purchase"]
    sign_in(client, "wave_manager")
    response = client.post(change_url(video), {**form(video, video=mp4()), "duration_seconds": "31"})
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.duration_seconds == 31
    response = client.post(change_url(video), {**form(video), "title_en": "Buying a training"})
    assert response.status_code == 302
    video.refresh_from_db()
    assert video.title_en == "Buying a training" and video.video.name.startswith("induction/videos/")
    assert AuditEntry.objects.filter(action="induction.video_replace").count() == 2


def test_a_file_that_is_not_an_mp4_is_refused_with_a_clear_message(client, videos):
    video = videos["programme"]
    sign_in(client, "wave_manager")
    fake = SimpleUploadedFile("video.mp4", b"\xff\xd8\xff\xe0" + b"\0" * 2000, content_type="video/mp4")
    response = client.post(change_url(video), form(video, video=fake))
    assert response.status_code == 200
    assert "Berkas ini bukan video MP4" in errors_of(response)
    video.refresh_from_db()
    assert video.video.name == media.shipped_name("programme.mp4")
    assert not AuditEntry.objects.filter(action="induction.video_replace").exists()


@pytest.mark.parametrize("content, message", [
    (b"1\n00:00:00,000 --> 00:00:05,000\nSelamat\n", 'baris pertama harus "WEBVTT"'),  # SubRip, not WebVTT
    (b"WEBVTT\n\nhanya teks\n", "tidak memiliki cue"),
    (b"WEBVTT\n\n\xff\xfe\n", "UTF-8"),
])
def test_captions_that_are_not_webvtt_are_refused(client, videos, content, message):
    video = videos["programme"]
    sign_in(client, "wave_manager")
    response = client.post(change_url(video), form(video, captions=SimpleUploadedFile("id.vtt", content)))
    assert response.status_code == 200 and message in errors_of(response)
    video.refresh_from_db()
    assert video.captions.name == media.shipped_name("programme.vtt")


def test_an_mp4_without_a_duration_needs_one_entered(client, videos):
    video = videos["programme"]
    sign_in(client, "wave_manager")
    bare = SimpleUploadedFile("bare.mp4", SHIPPED_MP4[:32], content_type="video/mp4")  # ftyp only, no moov
    response = client.post(change_url(video), form(video, video=bare))
    assert response.status_code == 200 and "isi durasinya" in errors_of(response)
    response = client.post(change_url(video), {**form(video, video=SimpleUploadedFile("bare.mp4", SHIPPED_MP4[:32])),
                                               "duration_seconds": "30"})
    assert response.status_code == 302


def test_a_video_larger_than_the_photo_limit_is_accepted(client, videos, settings):
    # The platform stops any upload at 5 MB (a photo); this page takes videos up to 20 MB.
    video = videos["payout"]
    sign_in(client, "wave_manager")
    big = mp4(padding=settings.PHOTO_MAX_BYTES + 1024 * 1024)
    response = client.post(change_url(video), form(video, video=big))
    assert response.status_code == 302, errors_of(response)
    video.refresh_from_db()
    assert video.video.name.startswith("induction/videos/payout-")


def test_a_video_over_the_limit_is_not_read_and_nothing_changes(client, videos):
    video = videos["payout"]
    sign_in(client, "wave_manager")
    response = client.post(change_url(video), form(video, video=mp4(padding=media.VIDEO_MAX_BYTES)))
    assert response.status_code == 302 and response.url == change_url(video)
    assert "lebih besar dari 20 MB" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    video.refresh_from_db()
    assert video.video.name == media.shipped_name("payout.mp4")
    assert not AuditEntry.objects.filter(action="induction.video_replace").exists()


def test_others_keep_the_photo_limit_on_this_page(client, videos):
    # Only an operator who may change videos gets the larger limit; the auditor may only look.
    video = videos["payout"]
    sign_in(client, "auditor")
    page = client.get(change_url(video))
    assert page.status_code == 200 and reverse("induction_video_file", args=["payout"]) in page.content.decode()
    response = client.post(change_url(video), form(video, video=mp4(padding=6 * 1024 * 1024)))
    assert response.status_code == 302 and response.url == change_url(video)  # cut off at 5 MB, not a 403 after 6
    with translation.override("id"):
        assert [str(m) for m in get_messages(response.wsgi_request)] == [str(PHOTO_TOO_LARGE)]
    video.refresh_from_db()
    assert video.video.name == media.shipped_name("payout.mp4")


def test_a_verifier_cannot_open_the_videos(client, videos):
    sign_in(client, "verifier")
    assert client.get(change_url(videos["payout"])).status_code == 403


def test_nobody_adds_or_deletes_a_video(client, videos):
    sign_in(client, "administrator")
    assert client.get(reverse("admin:induction_inductionvideo_add")).status_code == 403
    assert client.get(reverse("admin:induction_inductionvideo_delete", args=[videos["payout"].pk])).status_code == 403
    assert InductionVideo.objects.count() == 3
