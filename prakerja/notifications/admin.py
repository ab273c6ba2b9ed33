from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from prakerja.audit.reads import ReadAuditedAdmin
from prakerja.notifications.models import Message

VIEW_BODY = "notifications.view_message_body"

# What a message is, when and whether it arrived: operations, for anyone who
# may list messages. The body is not among them (see ``get_fields``).
METADATA = ["public_id", "created_at", "channel", "template", "user", "to_address", "subject", "status",
            "attempts", "next_attempt_at", "locked_until", "sent_at", "read_at", "last_error",
            "provider_message_id", "idempotency_key", "sensitive"]


@admin.register(Message)
class MessageAdmin(ReadAuditedAdmin, admin.ModelAdmin):
    read_action = "notifications.message_view"  # the address and perhaps the body: a read the person sees (PRV-5)
    list_display = ["created_at", "channel", "template", "status", "attempts", "sent_at"]
    list_filter = ["channel", "status", "template"]
    # Never the body: a search must not find a message by the link inside it.
    search_fields = ["public_id", "idempotency_key"]
    readonly_fields = [*METADATA, "body_shown"]

    def read_data(self, obj) -> dict:
        return {"person": str(obj.user.public_id)} if obj.user_id else {}

    def get_fields(self, request, obj=None):
        # The body of a stored message is personal data (accounts/roles.py):
        # without the permission the field is not on the page at all.
        if request.user.has_perm(VIEW_BODY):
            return [*METADATA, "body_shown"]
        return METADATA

    @admin.display(description=_("body"))
    def body_shown(self, obj):
        # A confirmation or reset link, a login code or an OTP opens someone's
        # account: no one reads it here, administrators included, not even
        # while it waits to be sent (issue 14). It is erased once sent.
        if obj.sensitive:
            return _("[hidden: authentication message]")
        return obj.body

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a message is what was sent: evidence, not a draft

    def has_delete_permission(self, request, obj=None):
        return False
