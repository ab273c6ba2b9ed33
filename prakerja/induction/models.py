from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class VideoSlug(models.TextChoices):
    """The three induction videos of CRD-2; the database holds exactly these."""

    PROGRAMME = "programme", _("How the programme works")
    PURCHASE = "purchase", _("How to buy a training with the card")
    PAYOUT = "payout", _("How to link a payout account")


class InductionVideo(models.Model):
    """One of the three videos a participant watches before the card can be used (CRD-2).

    ``video`` and ``captions`` are names in the default storage, or names
    under ``media.SHIPPED`` for the demo videos that ship with the code
    (induction/data/); ``media.media_open`` reads either.
    """

    slug = models.CharField(_("video"), max_length=16, choices=VideoSlug.choices, unique=True, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), unique=True, editable=False)
    title_id = models.CharField(_("title (Indonesian)"), max_length=120)
    title_en = models.CharField(_("title (English)"), max_length=120)
    video = models.FileField(_("video (MP4)"), upload_to="induction/videos/", max_length=200)
    captions = models.FileField(_("captions (WebVTT, Indonesian)"), upload_to="induction/captions/", max_length=200)
    duration_seconds = models.PositiveIntegerField(_("duration in seconds"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["position"]
        verbose_name = _("induction video")
        verbose_name_plural = _("induction videos")
        constraints = [
            models.CheckConstraint(condition=Q(slug__in=VideoSlug.values), name="induction_video_known_slug"),
            models.CheckConstraint(condition=Q(duration_seconds__gt=0), name="induction_video_duration_positive"),
            models.CheckConstraint(condition=Q(position__gte=1), name="induction_video_position_positive"),
        ]

    def __str__(self):
        return self.title_id


class VideoProgress(models.Model):
    """How far the server accepted that one person watched one video (CRD-2).

    ``covered_seconds`` only grows, and only as fast as real time
    (services.video_progress_report). ``paced_at`` is the server time at
    which ``covered_seconds`` would have been reached watching at normal
    speed: it is at most the tolerance ahead of the last report, so the
    tolerance is spent once, not once per report.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    video = models.ForeignKey(InductionVideo, on_delete=models.PROTECT, related_name="progress",
                              verbose_name=_("video"))
    covered_seconds = models.FloatField(_("seconds watched"), default=0)
    last_report_at = models.DateTimeField(_("last report"), null=True, blank=True)
    paced_at = models.DateTimeField(_("reached at normal speed"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("video progress")
        verbose_name_plural = _("video progress")
        constraints = [
            # Also the index for "this person's progress" (selectors).
            models.UniqueConstraint(fields=["user", "video"], name="induction_progress_once_per_video"),
            models.CheckConstraint(condition=Q(covered_seconds__gte=0), name="induction_progress_covered_positive"),
        ]

    def __str__(self):
        return f"{self.video.slug}: {self.covered_seconds:.0f}s"
