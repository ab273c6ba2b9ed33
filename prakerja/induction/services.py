"""CRD-2: the server's side of "watched to the end, no skipping", and replacing a video.

The player in the browser stops seeking ahead, but a browser can be made to
say anything; what counts is this module. A report says "I am at second p".
The server accepts it only as far as real time allows: the accepted position
(``covered_seconds``) never gains more than the time that passed on the
server's clock since the first report, plus ``TOLERANCE`` once. A report
that jumps ahead is clamped rather than refused (an honest player's reports
arrive early or late with the network), reports sent faster than real time
gain nothing, and two tabs share one clock (the row is locked).
"""

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.audit.services import audit_record
from prakerja.core.ratelimit import Exceeded, Limit, consume_all
from prakerja.induction.errors import InductionError
from prakerja.induction.models import InductionVideo, VideoProgress

# The lead a report may have over real time, spent once (VideoProgress.paced_at):
# a request that left late and one that left on time arrive close together.
TOLERANCE = timedelta(seconds=2)
# A report counts the time since the one before only up to this much (three of
# the player's reports): reports must cover the video as it plays, so a gap
# (a closed tab, a day away) cannot be cashed in for a jump to the end.
MAX_GAP = timedelta(seconds=15)
# Watched when at most this much is left: the last frame's time and the duration
# in whole seconds do not meet exactly.
END_SLACK = 1.0

# The player reports every 5 seconds and on pause and end; ten in ten seconds is
# plenty for one person. Per client it is generous: many participants share an
# address behind carrier-grade NAT, and a fast reporter gains nothing anyway.
REPORTS_PER_ACCOUNT = Limit("induction-progress-account", 10, 10)
REPORTS_PER_CLIENT = Limit("induction-progress-client", 600, 10)


@dataclass(frozen=True)
class ProgressResult:
    accepted: float  # seconds the server counts as watched
    duration: int
    complete: bool


def progress_position(raw) -> float:
    """A reported position as seconds, or InductionError("bad_position")."""
    try:
        position = float(raw)
    except (TypeError, ValueError):
        position = math.nan
    if not math.isfinite(position) or position < 0:
        raise InductionError("bad_position", _("The position must be a number of seconds, zero or more."))
    return position


def progress_rate_check(*, user, client: str | None) -> Exceeded | None:
    """Count one report against the abuse limits; the limit exceeded, if any."""
    return consume_all([(REPORTS_PER_ACCOUNT, str(user.public_id)), (REPORTS_PER_CLIENT, client)])


def _progress_for_update(*, user, video: InductionVideo) -> VideoProgress:
    """The person's row for the video, locked; made first if missing.

    INSERT ... ON CONFLICT DO NOTHING, then SELECT ... FOR UPDATE: two first
    reports at once make one row, and the second waits for the first.
    """
    rows = VideoProgress.objects.select_for_update().filter(user=user, video=video)
    progress = rows.first()
    if progress is None:
        VideoProgress.objects.bulk_create([VideoProgress(user=user, video=video)], ignore_conflicts=True)
        progress = rows.get()
    return progress


def video_progress_report(*, user, video: InductionVideo, position, now=None) -> ProgressResult:
    """CRD-2: accept a report "the player is at ``position`` seconds", as far as real time allows.

    ``paced_at`` is when, at normal speed, the accepted position would have
    been reached. A report at ``now`` may add at most ``now - paced_at``
    (but no more than ``MAX_GAP``) plus ``TOLERANCE`` seconds; ``paced_at``
    then moves on by what was added, and never stays behind ``now``: time
    spent paused or behind is not saved up for a later jump. The first
    report starts the clock: it may reach ``TOLERANCE`` at most. Once
    watched, a video stays watched.
    """
    now = now or timezone.now()
    position = min(progress_position(position), float(video.duration_seconds))
    with transaction.atomic():
        progress = _progress_for_update(user=user, video=video)
        if progress.completed_at is not None:  # a tab left open after the end: nothing to write
            return ProgressResult(progress.covered_seconds, video.duration_seconds, True)
        paced_at = progress.paced_at or now
        budget = max(0.0, (min(now - paced_at, MAX_GAP) + TOLERANCE).total_seconds())
        gain = max(0.0, min(position - progress.covered_seconds, budget))
        progress.covered_seconds = round(progress.covered_seconds + gain, 3)
        progress.paced_at = max(now, paced_at + timedelta(seconds=gain))
        progress.last_report_at = now
        fields = ["covered_seconds", "paced_at", "last_report_at"]
        newly_watched = (progress.completed_at is None
                         and progress.covered_seconds >= video.duration_seconds - END_SLACK)
        if newly_watched:
            # The last second (END_SLACK) is the player's rounding, not unwatched video: show it full.
            progress.covered_seconds = float(video.duration_seconds)
            progress.completed_at = now
            fields.append("completed_at")
        progress.save(update_fields=fields)
        if newly_watched:
            audit_record(actor=user, action="induction.video_watched", target=video,
                         data={"slug": video.slug, "duration_seconds": video.duration_seconds})
    return ProgressResult(progress.covered_seconds, video.duration_seconds, progress.completed_at is not None)


def _store(upload, *, folder: str, slug: str, suffix: str) -> str:
    # A fresh random name each time: the old file stays for the record, and a
    # cached copy of it is never mistaken for the new one.
    name = f"induction/{folder}/{slug}-{secrets.token_hex(8)}{suffix}"
    upload.seek(0)
    return default_storage.save(name, upload)


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def induction_video_replace(*, actor, video: InductionVideo, video_file=None, captions_file=None,
                            duration_seconds: int | None = None, title_id: str | None = None,
                            title_en: str | None = None) -> InductionVideo:
    """An operator replaces a video, its captions, its duration or its titles (CRD-2).

    The files must already be checked (media.mp4_probe, media.vtt_check: the
    admin form does). Nobody's progress changes: whoever watched the old
    video has watched this one, and a person halfway keeps their place.
    Audited as "induction.video_replace" with what changed.
    """
    if duration_seconds is not None and duration_seconds <= 0:
        raise InductionError("bad_duration", _("The duration must be at least one second."), "duration_seconds")
    with transaction.atomic():
        current = InductionVideo.objects.select_for_update().get(pk=video.pk)
        changed, data = [], {"slug": current.slug}
        if video_file is not None:
            data["video_sha256"] = _sha256(video_file)
            data["video_bytes"] = video_file.size
            current.video.name = _store(video_file, folder="videos", slug=current.slug, suffix=".mp4")
            changed.append("video")
        if captions_file is not None:
            data["captions_sha256"] = _sha256(captions_file)
            current.captions.name = _store(captions_file, folder="captions", slug=current.slug, suffix=".vtt")
            changed.append("captions")
        for field, value in (("duration_seconds", duration_seconds), ("title_id", title_id),
                             ("title_en", title_en)):
            if value is not None and value != getattr(current, field):
                data[f"{field}_before"] = getattr(current, field)
                setattr(current, field, value)
                changed.append(field)
        if not changed:
            return current
        current.save(update_fields=[*changed, "updated_at"])
        data["changed"] = changed
        audit_record(actor=actor, action="induction.video_replace", target=current, data=data)
    return current
