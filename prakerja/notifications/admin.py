from django.contrib import admin

from prakerja.notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "template", "status", "attempts", "sent_at"]
    list_filter = ["channel", "status", "template"]
    search_fields = ["public_id", "idempotency_key"]
    readonly_fields = [f.name for f in Message._meta.fields]
    # Bodies may hold an OTP or a confirmation link: shown to operators with
    # the view permission only, never logged.
    exclude = ["html_body"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
