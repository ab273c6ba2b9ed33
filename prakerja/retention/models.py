"""PRV-8: who was anonymised, and the deletion requests people made.

``Erasure`` is the mark that a person's personal data is gone: the job's
queries leave out everyone who has one, which is what makes a second run
change nothing. It holds no personal data itself.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ErasureRule(models.TextChoices):
    NEVER_SELECTED = "never_selected", _("Never selected, retention period over")
    REQUEST = "request", _("Account deletion request")


class Erasure(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="erasure",
                                verbose_name=_("user"))
    rule = models.CharField(_("rule"), max_length=16, choices=ErasureRule.choices)
    erased_at = models.DateTimeField(_("anonymised at"))

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")

    def __str__(self):
        return f"erasure {self.user_id}"


class DeletionStatus(models.TextChoices):
    POSTPONED = "postponed", _("Postponed")
    DONE = "done", _("Done")


class DeletionRequest(models.Model):
    """A person asked for their account to be deleted (PRV-8); postponed while something holds it."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("user"))
    requested_at = models.DateTimeField(_("requested"))
    status = models.CharField(_("status"), max_length=10, choices=DeletionStatus.choices)
    # Codes from prakerja.retention.postponements (open_complaint, balance, ...); empty once done.
    reasons = models.JSONField(_("reasons for postponing"), default=list, blank=True)
    checked_at = models.DateTimeField(_("last checked"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        constraints = [
            models.UniqueConstraint(fields=["user"], condition=Q(status="postponed"),
                                    name="retention_one_open_request"),
        ]
        indexes = [models.Index(fields=["status"], name="retention_request_status")]

    def __str__(self):
        return f"deletion request {self.public_id}"
