"""Reads of the induction videos (CRD-2), for the dashboard, the card app and the pages here."""

from django.db.models import F, FilteredRelation, Q
from django.utils import timezone, translation

from prakerja.induction.models import InductionVideo, VideoProgress, VideoSlug
from prakerja.waves.models import Application
from prakerja.waves.states import ApplicationStatus


def induction_allowed(user, now=None) -> bool:
    """Whether ``user`` is a participant who should watch the videos.

    A passed application whose result is published (WAV-6: nothing of a
    result shows before then). A revoked participant has no card to unlock.
    """
    if not user.is_authenticated:
        return False
    now = now or timezone.now()
    return Application.objects.filter(user=user, status=ApplicationStatus.PASSED,
                                      wave__results_published_at__lte=now).exists()


def _title_field() -> str:
    return "title_en" if (translation.get_language() or "").startswith("en") else "title_id"


def induction_progress(user) -> list[dict]:
    """The three videos in order, with this person's progress: one query.

    Each: slug, position, title (in the active language), covered_seconds,
    duration_seconds, completed, and next (the first one not yet watched).
    """
    rows = (InductionVideo.objects.order_by("position")
            .annotate(mine=FilteredRelation("progress", condition=Q(progress__user=user)))
            .values("slug", "position", "title_id", "title_en", "duration_seconds",
                    covered=F("mine__covered_seconds"), completed_at=F("mine__completed_at")))
    title = _title_field()
    videos = [{"slug": row["slug"], "position": row["position"], "title": row[title],
               "covered_seconds": min(row["covered"] or 0.0, float(row["duration_seconds"])),
               "duration_seconds": row["duration_seconds"], "completed": row["completed_at"] is not None,
               "next": False} for row in rows]
    first = next_unwatched(videos)
    if first is not None:
        first["next"] = True
    return videos


def induction_complete(user) -> bool:
    """CRD-2: all three videos watched to the end (one query). The card number and buying wait for this."""
    if not user.is_authenticated:
        return False
    watched = VideoProgress.objects.filter(user=user, completed_at__isnull=False).count()
    return watched >= len(VideoSlug.values)


def induction_complete_sql(user_id: str) -> str:
    """``induction_complete`` as an SQL condition on the user id ``user_id`` (a column), the same rule, for a
    statement that decides in the database (the card debit's guard) instead of asking first."""
    return (f"((SELECT COUNT(*) FROM {VideoProgress._meta.db_table} WHERE user_id = {user_id} "  # noqa: S608  # nosec B608
            f"AND completed_at IS NOT NULL) >= {len(VideoSlug.values)})")


def next_unwatched(videos: list[dict]) -> dict | None:
    return next((video for video in videos if not video["completed"]), None)


def video_by_slug(slug: str) -> InductionVideo | None:
    return InductionVideo.objects.filter(slug=slug).first()
