from django.contrib import admin

from prakerja.core.admin import ReadOnlyAdminMixin
from prakerja.ledger.models import Posting, Transaction


class PostingInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Posting
    fields = ("account", "amount")
    readonly_fields = fields
    extra = 0


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The books, read-only: money moves only through the services (CRD-3)."""

    list_display = ("key", "kind", "amount", "actor_label", "created_at")
    list_filter = ("kind",)
    search_fields = ("=key",)
    fields = ("key", "kind", "amount", "actor_label", "memo", "refund_of", "created_at", "fingerprint")
    readonly_fields = fields
    inlines = [PostingInline]
    show_full_result_count = False
