from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from prakerja.audit.reads import ReadAuditedAdmin
from prakerja.cards.models import Card, CardIssuance
from prakerja.core.admin import ReadOnlyAdminMixin


@admin.register(Card)
class CardAdmin(ReadAuditedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Cards change only through the services (issuance, purchases, revocation). The number never shows here.

    The balance and dates are the person's: opening a card is a read they see (PRV-5)."""

    read_action = "cards.admin_view"

    list_display = ("masked", "wave", "status", "issued_at", "credited_at", "purchase_deadline", "first_purchase_at")
    list_filter = ("status",)
    list_select_related = ("wave",)
    fields = ("public_id", "masked", "wave", "status", "status_reason", "issued_at", "credited_at",
              "purchase_deadline", "first_purchase_at", "ended_at", "balance")
    readonly_fields = fields
    show_full_result_count = False  # a COUNT(*) over millions of cards on every page is not worth it

    @admin.display(description=_("card"))
    def masked(self, card):
        return card.masked

    @admin.display(description=_("balance (Rp)"))
    def balance(self, card):
        return card.account.balance


@admin.register(CardIssuance)
class CardIssuanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("wave", "total", "issued", "credited", "issued_all_at", "finished_at")
    list_select_related = ("wave",)
