"""Purchases (TRN-2), redeem codes (TRN-3), completions and certificates (TRN-4), reviews (TRN-5)."""

import uuid

from django.conf import settings
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

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)  # API payment_id
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
    otp_hash = models.CharField(_("OTP hash"), max_length=64)  # HMAC of the OTP under a server key; never the OTP
    otp_expires_at = models.DateTimeField(_("OTP expires"))
    otp_attempts = models.PositiveSmallIntegerField(_("wrong OTPs"), default=0)
    # Unique by constraints in Meta, not unique=True: PostgreSQL would get a second (LIKE) index for each,
    # written by every confirm, and nobody looks a code up by prefix.
    voucher_code = models.CharField(_("voucher code"), max_length=16, null=True, blank=True)
    redeem_code = models.CharField(_("redeem code"), max_length=16, null=True, blank=True)
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
            # The names PostgreSQL gave the unique=True constraints these were (learning 0006).
            models.UniqueConstraint(fields=["voucher_code"], name="learning_payment_voucher_code_key"),
            models.UniqueConstraint(fields=["redeem_code"], name="learning_payment_redeem_code_key"),
        ]
        indexes = [models.Index(fields=["paid_at"], name="payment_paid_at", condition=Q(paid_at__isnull=False))]

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

    card = models.ForeignKey("cards.Card", on_delete=models.PROTECT, related_name="+", db_index=False,
                             verbose_name=_("card"))
    platform = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("digital platform"))
    platform_user_id = models.CharField(_("platform user"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("card binding")
        verbose_name_plural = _("card bindings")
        constraints = [models.UniqueConstraint(fields=["card", "platform"], name="one_platform_user_per_card")]

    def __str__(self):
        return f"{self.card_id}@{self.platform_id}: {self.platform_user_id}"


class VoidedRedeemCode(models.Model):
    """A redeem code an operator replaced (leaked, mistyped by a provider...): it answers "sudah dibatalkan" (TRN-3)."""

    code = models.CharField(_("redeem code"), max_length=16, unique=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="voided_codes",
                                verbose_name=_("payment"))
    reason = models.CharField(_("reason"), max_length=300)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("voided by"))
    voided_at = models.DateTimeField(_("voided"), auto_now_add=True)

    class Meta:
        verbose_name = _("voided redeem code")
        verbose_name_plural = _("voided redeem codes")

    def __str__(self):
        return self.code


class CompletionStatus(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    HELD = "held", _("Held for review")
    REJECTED = "rejected", _("Rejected")


class Completion(models.Model):
    """A provider's report that a participant finished a training (TRN-4), as reported, and what became of it.

    A report whose participant data match the account is accepted and gets a
    certificate at once; one that does not is held for an operator, who
    accepts it (with a reason) or rejects it. A rejected report stays; the
    provider may report the training again. At most one report per purchase
    is accepted or held.
    """

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True,
                                 editable=False)  # the API's completion_id
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="completions",
                                verbose_name=_("purchase"))
    provider = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("training provider"), db_index=False)
    completed_at = models.DateTimeField(_("completed"))
    reported_at = models.DateTimeField(_("reported"))
    provider_certificate_number = models.CharField(_("provider's certificate number"), max_length=64)
    certificate_url = models.URLField(_("provider's certificate link"), max_length=500)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    # As the provider reported them; compared with the account (and the purchase's buyer) on arrival.
    participant_name = models.CharField(_("participant name"), max_length=200)
    participant_email = models.CharField(_("participant email"), max_length=254)
    participant_phone = models.CharField(_("participant phone"), max_length=20)
    mismatches = models.JSONField(_("mismatched fields"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=CompletionStatus.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("completion")
        verbose_name_plural = _("completions")
        permissions = [("decide_completion", _("Can accept or reject held completions"))]
        constraints = [
            models.UniqueConstraint(fields=["payment"], condition=Q(status__in=["accepted", "held"]),
                                    name="one_live_completion_per_purchase"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__lte=100), name="completion_score_0_100"),
            models.CheckConstraint(condition=Q(status="held") | Q(mismatches=[]) | Q(decided_at__isnull=False),
                                   name="mismatched_completion_decided_by_operator"),
        ]
        indexes = [models.Index(fields=["reported_at"], name="completion_held", condition=Q(status="held")),
                   models.Index(fields=["reported_at"], name="completion_reported_at")]

    def __str__(self):
        return f"{self.public_id} ({self.status})"


# What an anonymised participant's certificate holds instead of the name (PRV-8, prakerja.retention); the pages
# show a translated note in its place.
ANONYMOUS_PARTICIPANT = "Peserta anonim"


class Certificate(models.Model):
    """The certificate a participant shows (TRN-4): ours, verifiable by anyone who has its number.

    The number is random (not the provider's, which is often sequential), so
    the public check cannot be walked to harvest names. What the public page
    shows is kept here as it was at issue: the certificate does not change
    when a course is renamed.
    """

    number = models.CharField(_("certificate number"), max_length=24, unique=True)
    completion = models.OneToOneField(Completion, on_delete=models.PROTECT, related_name="certificate",
                                      verbose_name=_("completion"))
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="certificate",
                                   verbose_name=_("purchase"))
    participant_name = models.CharField(_("participant name"), max_length=200)
    course_title = models.CharField(_("course"), max_length=200)
    provider_name = models.CharField(_("training provider"), max_length=200)
    completed_on = models.DateField(_("completed on"))
    issued_at = models.DateTimeField(_("issued"))

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [models.Index(fields=["issued_at"], name="certificate_issued_at")]

    def __str__(self):
        return self.number

    @property
    def anonymised(self) -> bool:
        """PRV-8: the participant's data was erased; the certificate stays genuine, with no name."""
        return self.participant_name == ANONYMOUS_PARTICIPANT


class Review(models.Model):
    """A participant's review of a finished training (TRN-5): 1 to 5 stars and a text; one per purchase.

    The first reviewed training with a certificate is what schedules the
    post-training incentive (INC-1), hence ``created_at`` and the link to the
    purchase.
    """

    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="review",
                                   verbose_name=_("purchase"))
    course = models.ForeignKey("catalog.Course", on_delete=models.PROTECT, related_name="reviews",
                               verbose_name=_("course"), db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews",
                             verbose_name=_("participant"))
    stars = models.PositiveSmallIntegerField(_("stars"))
    text = models.TextField(_("review"), max_length=1000)
    created_at = models.DateTimeField(_("written"))

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [models.CheckConstraint(condition=Q(stars__gte=1, stars__lte=5), name="review_stars_1_to_5")]
        indexes = [models.Index(fields=["course", "-created_at"], name="review_by_course")]

    def __str__(self):
        return f"{self.stars}★ {self.course_id}"
