"""Abstract models the domains share; no table lives here."""

from django.db import models


class VersionedText(models.Model):
    """A text people agree to, in Indonesian and English. A change is a new
    version; a version someone accepted is never edited (it is evidence)."""

    version = models.PositiveIntegerField(unique=True)
    text_id = models.TextField()
    text_en = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-version"]
