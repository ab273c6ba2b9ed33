"""The public pages' own content: the FAQ operators edit in the back office (issue 21, item 1)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class FaqEntry(models.Model):
    """One question and its answer on the home page, in Indonesian and English.

    The row holds the current wording; every saved wording is kept in ``FaqRevision`` (the
    history an operator or an auditor reads back). ``core.models.VersionedText`` does not fit:
    its version numbers one text for the whole table (a statement people agree to), while the
    FAQ is many entries, each with its own versions. Edits go through
    ``web.services.faq_entry_save`` (audited); an entry is unpublished, never deleted.
    """

    position = models.PositiveSmallIntegerField(_("position"), default=0,
                                                help_text=_("Lower numbers are shown first."))
    question_id = models.CharField(_("question (Indonesian)"), max_length=300)
    answer_id = models.TextField(_("answer (Indonesian)"))
    question_en = models.CharField(_("question (English)"), max_length=300)
    answer_en = models.TextField(_("answer (English)"))
    published = models.BooleanField(_("published"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        constraints = [models.CheckConstraint(condition=Q(version__gt=0), name="faq_entry_version_positive")]

    def __str__(self):
        return self.question_id

    def question(self, language: str) -> str:
        return self.question_en if language == "en" else self.question_id

    def answer(self, language: str) -> str:
        return self.answer_en if language == "en" else self.answer_id


class FaqRevision(models.Model):
    """One saved wording of an FAQ entry: written once by the service, never changed."""

    entry = models.ForeignKey(FaqEntry, on_delete=models.PROTECT, related_name="revisions",
                              verbose_name=_("FAQ entry"))
    version = models.PositiveIntegerField(_("version"))
    position = models.PositiveSmallIntegerField(_("position"))
    question_id = models.CharField(_("question (Indonesian)"), max_length=300)
    answer_id = models.TextField(_("answer (Indonesian)"))
    question_en = models.CharField(_("question (English)"), max_length=300)
    answer_en = models.TextField(_("answer (English)"))
    published = models.BooleanField(_("published"))
    edited_by = models.CharField(_("edited by"), max_length=200)
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        ordering = ["entry", "-version"]
        verbose_name = _("FAQ revision")
        verbose_name_plural = _("FAQ revisions")
        constraints = [models.UniqueConstraint(fields=["entry", "version"], name="faq_revision_one_per_version")]

    def __str__(self):
        return f"{self.entry_id} v{self.version}"
