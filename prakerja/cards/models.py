"""The Kartu Prakerja (CRD-1..6): one card per participant, its number, its place in the ledger."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CardStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Participation revoked (kepesertaan dicabut)")
    EXPIRED = "expired", _("Programme ended; unused balance returned")


class Card(models.Model):
    """A participant's card. The number is stored encrypted, found by a keyed hash, shown masked.

    The balance is the ledger account's (``account.balance``), never a copy.
    """

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="card",
                                verbose_name=_("participant"))
    application = models.OneToOneField("waves.Application", on_delete=models.PROTECT, related_name="card",
                                       verbose_name=_("application"))
    wave = models.ForeignKey("waves.Wave", on_delete=models.PROTECT, related_name="+", verbose_name=_("wave"))
    programme = models.ForeignKey("programme.Programme", on_delete=models.PROTECT, related_name="+",
                                  db_index=False, verbose_name=_("programme period"))
    account = models.OneToOneField("ledger.Account", on_delete=models.PROTECT, related_name="card",
                                   verbose_name=_("ledger account"))
    number_encrypted = models.TextField(_("card number (encrypted)"))
    # blind index: partners look a card up by it
    number_index = models.CharField(_("card number blind index"), max_length=64, unique=True)
    last4 = models.CharField(_("last 4 digits"), max_length=4)
    status = models.CharField(_("status"), max_length=8, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    issued_at = models.DateTimeField(_("issued"))
    # until then the balance is "on its way"
    credited_at = models.DateTimeField(_("balance credited"), null=True, blank=True)
    # CRD-5: no first purchase by then, participation revoked
    purchase_deadline = models.DateTimeField(_("first purchase deadline"))
    first_purchase_at = models.DateTimeField(_("first purchase"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)  # revoked or expired

    class Meta:
        verbose_name = _("card")
        verbose_name_plural = _("cards")
        # Operators see how many places revocation gave back, per wave and province (CRD-5, WAV-1).
        permissions = [("view_revocations", "Can see the revoked places per wave and province")]
        constraints = [
            models.CheckConstraint(condition=Q(status="active", ended_at__isnull=True)
                                   | (~Q(status="active") & Q(ended_at__isnull=False)),
                                   name="card_ended_when_not_active"),
        ]
        indexes = [
            # The revocation sweep: active cards with no purchase, by deadline.
            models.Index(fields=["purchase_deadline"], name="card_revocation_due",
                         condition=Q(status="active", first_purchase_at__isnull=True)),
        ]

    def __str__(self):
        return f"Kartu Prakerja •••• {self.last4}"

    @property
    def masked(self) -> str:
        return f"•••• •••• •••• {self.last4}"


class CardIssuance(models.Model):
    """The chunked, resumable job that issues and credits a wave's cards after its announcement.

    Two passes, each by id range and each chunk one transaction with its
    position: issue cards to passed applications, each credited as it is
    issued, then credit any card of the wave still uncredited (services/
    issuance.py). A crash loses at most the chunk in flight; whoever holds
    the lease next resumes.
    """

    wave = models.OneToOneField("waves.Wave", on_delete=models.PROTECT, related_name="card_issuance",
                                verbose_name=_("wave"))
    total = models.PositiveIntegerField(_("cards to issue"), default=0)
    issued = models.PositiveIntegerField(_("cards issued"), default=0)
    credited = models.PositiveIntegerField(_("cards credited"), default=0)
    last_application_id = models.BigIntegerField(_("last application done (id)"), default=0)
    last_card_id = models.BigIntegerField(_("last card credited (id)"), default=0)
    issued_all_at = models.DateTimeField(_("all issued"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("card issuance")
        verbose_name_plural = _("card issuances")

    def __str__(self):
        return f"card issuance, wave {self.wave_id}"
