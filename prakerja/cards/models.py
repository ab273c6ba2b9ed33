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

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="card")
    application = models.OneToOneField("waves.Application", on_delete=models.PROTECT, related_name="card")
    wave = models.ForeignKey("waves.Wave", on_delete=models.PROTECT, related_name="+")
    programme = models.ForeignKey("programme.Programme", on_delete=models.PROTECT, related_name="+",
                                  db_index=False)
    account = models.OneToOneField("ledger.Account", on_delete=models.PROTECT, related_name="card")
    number_encrypted = models.TextField()
    number_index = models.CharField(max_length=64, unique=True)  # blind index: partners look a card up by it
    last4 = models.CharField(max_length=4)
    status = models.CharField(max_length=8, choices=CardStatus.choices, default=CardStatus.ACTIVE)
    status_reason = models.CharField(max_length=300, blank=True)
    issued_at = models.DateTimeField()
    credited_at = models.DateTimeField(null=True, blank=True)  # until then the balance is "on its way"
    purchase_deadline = models.DateTimeField()  # CRD-5: no first purchase by then, participation revoked
    first_purchase_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)  # revoked or expired

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
    position: issue cards to passed applications, then credit them. A crash
    loses at most the chunk in flight; whoever holds the lease next resumes.
    """

    wave = models.OneToOneField("waves.Wave", on_delete=models.PROTECT, related_name="card_issuance")
    total = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    credited = models.PositiveIntegerField(default=0)
    last_application_id = models.BigIntegerField(default=0)
    last_card_id = models.BigIntegerField(default=0)
    issued_all_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("card issuance")
        verbose_name_plural = _("card issuances")

    def __str__(self):
        return f"card issuance, wave {self.wave_id}"
