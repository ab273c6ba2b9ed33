"""Abstract models the domains share; no table lives here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VersionedText(models.Model):
    """A text people agree to, in Indonesian and English. A change is a new
    version; a version someone accepted is never edited (it is evidence)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    text_id = models.TextField(_("text (Indonesian)"))
    text_en = models.TextField(_("text (English)"))
    published_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-version"]
