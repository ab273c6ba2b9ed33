from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_videos(sender, using="default", **kwargs):
    """The three shipped videos (CRD-2) exist in every database, also after a test flush.

    Only missing rows are made: a video an operator replaced stays as it is.
    """
    from prakerja.induction.media import shipped_name
    from prakerja.induction.models import InductionVideo
    from prakerja.induction.slides import VIDEOS

    for shipped in VIDEOS:
        InductionVideo.objects.using(using).get_or_create(slug=shipped.slug, defaults={
            "position": shipped.position, "title_id": shipped.title_id, "title_en": shipped.title_en,
            "video": shipped_name(f"{shipped.slug}.mp4"), "captions": shipped_name(f"{shipped.slug}.vtt"),
            "duration_seconds": shipped.duration_seconds})


class InductionConfig(AppConfig):
    name = "prakerja.induction"
    verbose_name = _("Induction videos")

    def ready(self):
        post_migrate.connect(ensure_videos, sender=self, dispatch_uid="induction-videos")
