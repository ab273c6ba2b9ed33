"""Partners (TRN-1, TRN-2): digital platforms and training providers, their secrets, their replays.

A partner signs every API call with a secret the server must be able to
recompute, so the secret is stored encrypted (never hashed, never in clear).
Rotation adds a new secret and gives the old one a retirement time: both
verify until then (docs/partner-api.md).
"""

import uuid

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

CLIENT_CODE = RegexValidator(r"^[a-z0-9][a-z0-9_-]{1,31}$",
                             _("Use 2 to 32 lowercase letters, digits, '-' or '_', starting with a letter or digit."))


class PartnerKind(models.TextChoices):
    PLATFORM = "platform", _("Digital platform")
    PROVIDER = "provider", _("Training provider")


class Partner(models.Model):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("type"), max_length=8, choices=PartnerKind.choices)
    code = models.CharField(_("client code"), max_length=32, unique=True, validators=[CLIENT_CODE])
    name = models.CharField(_("name"), max_length=200)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Partners of one corporate group are related: a listing whose platform and
    # provider share a group is a conflict of interest and needs a second approver.
    group = models.CharField(_("corporate group"), max_length=100, blank=True)
    webhook_url = models.URLField(_("webhook URL"), blank=True, help_text=_("Platforms only: where card and "
                                                                            "payment changes are sent."))
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def actor(self) -> str:
        """How the audit log names this partner."""
        return f"partner:{self.code}"

    def related_to(self, other: "Partner") -> bool:
        return bool(self.group) and self.group.casefold() == other.group.casefold()


class PartnerSecret(models.Model):
    """One signing secret; ``retires_at`` is null for the current one, set (after a grace) for the old one."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="secrets", verbose_name=_("partner"))
    secret_encrypted = models.TextField(_("secret (encrypted)"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retires_at = models.DateTimeField(_("retires"), null=True, blank=True)

    class Meta:
        verbose_name = _("partner secret")
        verbose_name_plural = _("partner secrets")
        constraints = [models.UniqueConstraint(fields=["partner"], condition=Q(retires_at__isnull=True),
                                               name="one_current_secret_per_partner")]

    def __str__(self):
        return f"{self.partner.code} secret {self.created_at:%Y-%m-%d}"


class IdempotencyRecord(models.Model):
    """The first answer to a partner's POST under its ``Idempotency-Key``, written in the same transaction.

    A retry with the same key and body gets this answer again (also after a
    crash between the commit and the response); another body gets 409.
    """

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+", db_index=False,
                                verbose_name=_("partner"))
    key = models.CharField(_("idempotency key"), max_length=64)
    request_hash = models.CharField(_("request hash"), max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField(_("HTTP status"), default=0)
    body = models.JSONField(_("response"), default=dict)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["partner", "key"], name="idempotency_key_per_partner")]

    def __str__(self):
        return f"{self.partner_id}:{self.key}"


class WebhookStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    SENDING = "sending", _("Sending")
    DELIVERED = "delivered", _("Delivered")
    GAVE_UP = "gave_up", _("Gave up")


class WebhookDelivery(models.Model):
    """A signed POST to a platform's webhook URL, retried with backoff until it answers 2xx."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("partner"))
    event = models.CharField(_("event"), max_length=40)
    key = models.CharField(_("delivery key"), max_length=120, unique=True)  # one delivery per event and subject
    payload = models.JSONField(_("payload"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=WebhookStatus.choices,
                              default=WebhookStatus.WAITING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=None, null=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last HTTP status"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["next_attempt_at"], name="webhook_due",
                                condition=Q(status__in=["waiting", "sending"]))]

    def __str__(self):
        return f"{self.event} → {self.partner_id}"
