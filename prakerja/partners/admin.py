from django.contrib import admin

from prakerja.core.admin import ReadOnlyAdminMixin
from prakerja.partners.models import IdempotencyRecord, Partner, WebhookDelivery


@admin.register(Partner)
class PartnerAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Partners are made and their secrets rotated by command (create_partner, rotate_partner_secret),
    through the audited services. Secrets never show here: not even encrypted."""

    list_display = ("name", "code", "kind", "group", "enabled", "created_at")
    list_filter = ("kind", "enabled")
    search_fields = ("code", "name", "group")
    fields = ("public_id", "kind", "code", "name", "enabled", "group", "webhook_url", "contact_name",
              "contact_email", "contact_phone", "created_at")
    readonly_fields = fields


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("event", "partner", "status", "attempts", "last_status_code", "next_attempt_at", "delivered_at",
                    "created_at")
    list_filter = ("status", "event")
    list_select_related = ("partner",)
    search_fields = ("partner__code", "event")
    fields = ("public_id", "partner", "event", "key", "payload", "status", "attempts", "next_attempt_at",
              "last_status_code", "last_error", "delivered_at", "created_at")
    readonly_fields = fields
    show_full_result_count = False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which keys a partner used and what status it got; not the stored answer (it holds voucher codes)."""

    list_display = ("partner", "key", "status_code", "created_at")
    list_select_related = ("partner",)
    search_fields = ("partner__code", "key")
    fields = ("partner", "key", "request_hash", "status_code", "created_at")
    readonly_fields = fields
    show_full_result_count = False
