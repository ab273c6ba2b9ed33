"""Payments for operators: read-only, buyers' personal data masked; an operator's cancel with a reason.

A payment changes only through ``learning.services``. The things an
operator may do here are cancel (``learning.cancel_payment``): a POST with
CSRF and a typed reason, through ``payment_cancel`` (refund and audit row),
after which the platform is told by a ``payment.cancelled`` webhook (the
partners app listens to ``payment_cancelled_by_operator``; a platform's own
cancel through the API sends no webhook: it knows); and replace an unused
redeem code that leaked (TRN-3, ``learning.add_voidedredeemcode``: voiding
a code is adding a ``VoidedRedeemCode``), the same way, through
``redemptions.redeem_code_replace``.

Completions, certificates, reviews and voided codes are read-only records
here; held completions are decided on the operators' queue
(``operator_completions``), not in the admin.

Opening a payment's, a completion's or a certificate's page is a read of a
participant's data, audited once per operator per record per ten minutes
(``audit.reads.ReadAuditedAdmin``); the participant sees it (PRV-5).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prakerja.audit.reads import ReadAuditedAdmin
from prakerja.core.admin import ReadOnlyAdminMixin
from prakerja.learning.models import Certificate, Completion, Payment, PaymentStatus, Review, VoidedRedeemCode
from prakerja.learning.redemptions import RedeemError, redeem_code_replace
from prakerja.learning.services import PaymentError, payment_cancel
from prakerja.learning.signals import payment_cancelled_by_operator

CANCEL = "learning.cancel_payment"
REPLACE_CODE = "learning.add_voidedredeemcode"
# An operator cancels a purchase that is paid and unredeemed, or one still waiting for its OTP.
CANCELLABLE = (PaymentStatus.PAID, PaymentStatus.OTP_SENT)


def mask_name(name: str) -> str:
    """'Siti Rahma' -> 'S*** R****': enough to tell two buyers apart on a list, not to name them."""
    return " ".join(word[:1] + "*" * (len(word) - 1) for word in name.split())


def mask_email(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_phone(phone: str) -> str:
    return f"{'•' * max(len(phone) - 4, 0)}{phone[-4:]}" if phone else ""


class ReplaceCodeForm(forms.Form):
    # Typed, never taken from a link: the audit log and the voided code's record both keep it.
    reason = forms.CharField(label=gettext_lazy("Reason"), min_length=10, max_length=300, strip=True,
                             help_text=gettext_lazy("Written to the audit log."),
                             widget=forms.TextInput(attrs={"size": 60, "autocomplete": "off"}))


class CancelForm(forms.Form):
    # Typed, never taken from a link: the audit log and the platform (in the webhook) both read it.
    reason = forms.CharField(label=gettext_lazy("Reason"), min_length=10, max_length=500, strip=True,
                             help_text=gettext_lazy("Written to the audit log and sent to the platform."),
                             widget=forms.TextInput(attrs={"size": 60, "autocomplete": "off"}))


@admin.register(Payment)
class PaymentAdmin(ReadAuditedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("public_id", "platform", "listing_code", "card_masked", "amount", "status", "buyer_name_masked",
                    "buyer_email_masked", "buyer_phone_masked", "paid_at", "cancelled_at")
    list_filter = ("status", ("platform", admin.RelatedOnlyFieldListFilter))  # platforms with payments, not providers
    list_select_related = ("platform", "listing", "card")
    search_fields = ("=public_id", "=platform_order_id")  # never the buyer's data: no lookups by a person
    fields = ("public_id", "platform", "listing_code", "card_masked", "amount", "status", "platform_order_id",
              "platform_user_id", "buyer_name_masked", "buyer_email_masked", "buyer_phone_masked", "paid_at",
              "redeemed_at", "cancelled_at", "cancelled_by", "created_at", "cancel_link", "replace_code_link")
    readonly_fields = fields
    show_full_result_count = False
    read_action = "learning.payment_view"

    def read_data(self, payment):
        return {"payment": str(payment.public_id)}

    @admin.display(description=gettext_lazy("listing"))
    def listing_code(self, payment):
        return payment.listing.code

    @admin.display(description=gettext_lazy("card"))
    def card_masked(self, payment):
        return payment.card.masked

    @admin.display(description=gettext_lazy("buyer name"))
    def buyer_name_masked(self, payment):
        return mask_name(payment.buyer_name)

    @admin.display(description=gettext_lazy("buyer email"))
    def buyer_email_masked(self, payment):
        return mask_email(payment.buyer_email)

    @admin.display(description=gettext_lazy("buyer phone"))
    def buyer_phone_masked(self, payment):
        return mask_phone(payment.buyer_phone)

    @admin.display(description=gettext_lazy("cancel"))
    def cancel_link(self, payment):
        if payment.status not in CANCELLABLE or payment.redeemed_at is not None:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("admin:learning_payment_cancel", args=[payment.pk]),
                           _("Cancel this payment"))

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not request.user.has_perm(REPLACE_CODE):
            fields = [field for field in fields if field != "replace_code_link"]
        return fields

    @admin.display(description=gettext_lazy("redeem code"))
    def replace_code_link(self, payment):
        if payment.status != PaymentStatus.PAID or payment.redeemed_at is not None:
            return "-"
        return format_html('<a href="{}">{}</a>', reverse("admin:learning_payment_replace_code", args=[payment.pk]),
                           _("Replace the redeem code"))

    def get_urls(self):
        cancel = self.admin_site.admin_view(self.cancel_view)  # admin_view adds the CSRF check
        replace = self.admin_site.admin_view(self.replace_code_view)
        return [path("<path:object_id>/cancel/", cancel, name="learning_payment_cancel"),
                path("<path:object_id>/replace-code/", replace, name="learning_payment_replace_code"),
                *super().get_urls()]

    def replace_code_view(self, request, object_id):
        """TRN-3: void a leaked, unused redeem code and issue a new one; the old one answers "sudah dibatalkan"."""
        payment = self.get_object(request, object_id)
        if payment is None or not self.has_view_permission(request, payment):
            raise Http404
        if not request.user.has_perm(REPLACE_CODE):
            raise PermissionDenied
        form = ReplaceCodeForm(request.POST if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    with transaction.atomic():
                        redeem_code_replace(payment=payment, actor=request.user, reason=form.cleaned_data["reason"])
                except RedeemError as refusal:
                    form.add_error(None, refusal.message)
                else:
                    # The new code is the participant's secret: it shows on their dashboard, not here.
                    self.message_user(request, _("Redeem code replaced. The participant sees the new code on the "
                                                 "dashboard; the old one is refused as cancelled."), messages.SUCCESS)
                    return redirect("admin:learning_payment_change", payment.pk)
            status = 400
        context = {**self.admin_site.each_context(request), "opts": self.opts, "original": payment,
                   "title": _("Replace the redeem code"), "form": form,
                   "change_url": reverse("admin:learning_payment_change", args=[payment.pk])}
        return TemplateResponse(request, "learning/operators/admin_payment_replace_code.html", context,
                                status=status)

    def cancel_view(self, request, object_id):
        payment = self.get_object(request, object_id)
        if payment is None or not self.has_view_permission(request, payment):
            raise Http404
        if not request.user.has_perm(CANCEL):
            raise PermissionDenied
        form = CancelForm(request.POST if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            if form.is_valid():
                try:
                    refunded = self._cancel(request, payment, form.cleaned_data["reason"])
                except PaymentError as refusal:
                    form.add_error(None, refusal.message)
                else:
                    self.message_user(request, _("Payment cancelled; %(amount)s rupiah returned to the card. "
                                                 "The platform is told by webhook.") % {"amount": refunded},
                                      messages.SUCCESS)
                    return redirect("admin:learning_payment_change", payment.pk)
            status = 400
        context = {**self.admin_site.each_context(request), "opts": self.opts, "original": payment,
                   "title": _("Cancel payment"), "form": form,
                   "change_url": reverse("admin:learning_payment_change", args=[payment.pk])}
        return TemplateResponse(request, "learning/admin_payment_cancel.html", context, status=status)

    @staticmethod
    def _cancel(request, payment: Payment, reason: str) -> int:
        with transaction.atomic():
            # Locked before the check: a platform's own cancel racing this one makes this one a refusal,
            # so the platform is never told that an operator cancelled what it cancelled itself.
            payment = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
            if payment.status not in CANCELLABLE:
                raise PaymentError("payment_not_cancellable", _("Only a paid payment or one waiting for its "
                                                                "OTP can be cancelled."))
            refunded = payment_cancel(payment=payment, actor=request.user, reason=reason)
            payment.refresh_from_db(fields=["status", "cancelled_at", "cancelled_by"])
            payment_cancelled_by_operator.send(sender=Payment, payment=payment, refunded=refunded, reason=reason,
                                               actor=request.user)
        return refunded


@admin.register(Completion)
class CompletionAdmin(ReadAuditedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Reports as they came and what became of them; held ones are decided on the operators' queue."""

    list_display = ("public_id", "provider", "status", "mismatches", "reported_at", "decided_at", "queue_link")
    list_filter = ("status", ("provider", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("provider",)
    search_fields = ("=public_id", "=provider_certificate_number")
    fields = ("public_id", "payment_id_public", "provider", "status", "mismatches", "completed_at", "reported_at",
              "provider_certificate_number", "certificate_url", "score", "participant_name_masked",
              "participant_email_masked", "participant_phone_masked", "decided_by", "decided_at", "decision_reason",
              "queue_link")
    readonly_fields = fields
    show_full_result_count = False
    read_action = "learning.completion_view"

    def read_data(self, completion):
        return {"payment": str(completion.payment.public_id)}

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "title": _("Completions (the held ones are decided on the queue)")}
        return super().changelist_view(request, extra_context)

    @admin.display(description=gettext_lazy("purchase"))
    def payment_id_public(self, completion):
        return completion.payment.public_id

    @admin.display(description=gettext_lazy("participant name"))
    def participant_name_masked(self, completion):
        return mask_name(completion.participant_name)

    @admin.display(description=gettext_lazy("participant email"))
    def participant_email_masked(self, completion):
        return mask_email(completion.participant_email)

    @admin.display(description=gettext_lazy("participant phone"))
    def participant_phone_masked(self, completion):
        return mask_phone(completion.participant_phone)

    @admin.display(description=gettext_lazy("operators' queue"))
    def queue_link(self, completion):
        return format_html('<a href="{}">{}</a>', reverse("operator_completion", args=[completion.public_id]),
                           _("Open in the queue"))


@admin.register(Certificate)
class CertificateAdmin(ReadAuditedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "course_title", "provider_name", "completed_on", "issued_at")
    search_fields = ("=number",)  # the number a participant or an employer quotes; never a name
    fields = ("number", "course_title", "provider_name", "participant_name", "completed_on", "issued_at")
    readonly_fields = fields
    show_full_result_count = False
    read_action = "learning.certificate_view"  # the participant's full name

    def read_data(self, certificate):
        return {"payment": str(certificate.payment.public_id)}


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("course", "stars", "created_at")
    list_filter = ("stars",)
    list_select_related = ("course",)
    fields = ("course", "stars", "text", "created_at")
    readonly_fields = fields
    show_full_result_count = False


@admin.register(VoidedRedeemCode)
class VoidedRedeemCodeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Replaced codes (TRN-3): when, by whom and why. The code is void, so showing it tells nothing usable."""

    list_display = ("code", "payment", "voided_by", "voided_at")
    list_select_related = ("payment", "voided_by")
    search_fields = ("=code",)
    fields = ("code", "payment", "reason", "voided_by", "voided_at")
    readonly_fields = fields
    show_full_result_count = False
