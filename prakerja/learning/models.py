"""Purchases (TRN-2): a card pays for a listing at its platform, confirmed by an SMS OTP; voucher and redeem code."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PaymentStatus(models.TextChoices):
    OTP_SENT = "otp_sent", _("OTP sent")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class Payment(models.Model):
    """One attempt to pay for a listing with a card; once paid, a purchase with a voucher and a redeem code.

    The card is debited under the key ``payment:<public_id>``, so the debit
    happens once however often the confirm is retried; a cancellation refunds
    under ``refund:<public_id>``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # the API's payment_id
    platform = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="payments",
                                 verbose_name=_("digital platform"), db_index=False)
    listing = models.ForeignKey("catalog.Listing", on_delete=models.PROTECT, related_name="payments",
                                verbose_name=_("listing"))
    card = models.ForeignKey("cards.Card", on_delete=models.PROTECT, related_name="payments",
                             verbose_name=_("card"))
    amount = models.PositiveIntegerField(_("amount (Rp)"))
    platform_order_id = models.CharField(_("platform order"), max_length=64)
    platform_user_id = models.CharField(_("platform user"), max_length=64)
    # As the buyer gave them at the platform; matched with the account on completion (TRN-4).
    buyer_name = models.CharField(_("buyer name"), max_length=200)
    buyer_email = models.EmailField(_("buyer email"), max_length=254)
    buyer_phone = models.CharField(_("buyer phone"), max_length=20)
    status = models.CharField(_("status"), max_length=9, choices=PaymentStatus.choices,
                              default=PaymentStatus.OTP_SENT)
    otp_hash = models.CharField(max_length=64)  # HMAC of the OTP under a server key; never the OTP
    otp_expires_at = models.DateTimeField(_("OTP expires"))
    otp_attempts = models.PositiveSmallIntegerField(_("wrong OTPs"), default=0)
    voucher_code = models.CharField(_("voucher code"), max_length=16, null=True, blank=True, unique=True)
    redeem_code = models.CharField(_("redeem code"), max_length=16, null=True, blank=True, unique=True)
    redeemed_at = models.DateTimeField(_("redeemed"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.CharField(_("cancelled by"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        permissions = [("cancel_payment", _("Can cancel a payment as an operator"))]
        constraints = [
            models.CheckConstraint(condition=Q(status="paid", voucher_code__isnull=False, paid_at__isnull=False)
                                   | ~Q(status="paid"), name="paid_payment_has_voucher"),
            models.CheckConstraint(condition=Q(redeemed_at__isnull=True) | Q(paid_at__isnull=False),
                                   name="only_paid_payments_are_redeemed"),
        ]

    def __str__(self):
        return f"{self.public_id} ({self.status})"

    @property
    def debit_key(self) -> str:
        return f"payment:{self.public_id}"

    @property
    def refund_key(self) -> str:
        return f"refund:{self.public_id}"


class CardBinding(models.Model):
    """TRN-2, one card per platform account: the platform user a card first paid for on a platform."""

    card = models.ForeignKey("cards.Card", on_delete=models.PROTECT, related_name="+", db_index=False)
    platform = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+")
    platform_user_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("card binding")
        verbose_name_plural = _("card bindings")
        constraints = [models.UniqueConstraint(fields=["card", "platform"], name="one_platform_user_per_card")]

    def __str__(self):
        return f"{self.card_id}@{self.platform_id}: {self.platform_user_id}"
