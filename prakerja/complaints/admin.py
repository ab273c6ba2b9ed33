"""Raw records of the complaints desk. Tickets change only through the desk's services (the queue at
/backoffice/complaints/), so they are read-only here; saved answers and response-time targets are
configuration, edited here by the administrator. Opening a ticket's page here is a read of the
complainant's data (the conversation, for the desk), audited like the desk's page (PRV-5)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from prakerja.audit.reads import ReadAuditedAdmin
from prakerja.complaints.models import ResponseTarget, SavedAnswer, Ticket, TicketMessage
from prakerja.core.admin import ReadOnlyAdminMixin


class TicketMessageInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The conversation; its words only for the complaints desk (the auditor sees who wrote when)."""

    model = TicketMessage
    fields = ["created_at", "author", "agent", "body"]
    readonly_fields = fields
    extra = 0

    def get_fields(self, request, obj=None):
        return self.fields if request.user.has_perm("complaints.work_ticket") else self.fields[:-1]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


@admin.register(Ticket)
class TicketAdmin(ReadAuditedAdmin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "category", "status", "source", "assigned_to", "created_at", "due_at"]
    list_filter = ["status", "category", "source"]
    search_fields = ["number"]
    date_hierarchy = "created_at"
    list_select_related = ["assigned_to"]
    exclude = ["user"]
    readonly_fields = ["number", "source", "category", "subcategory", "status", "assigned_to", "event_key",
                       "created_at", "due_at", "first_response_at", "resolved_at", "closed_at", "updated_at"]
    fields = readonly_fields  # contact details and words are on the desk's page, for the desk
    inlines = [TicketMessageInline]
    show_full_result_count = False
    read_action = "complaint.admin_view"


@admin.register(SavedAnswer)
class SavedAnswerAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "active"]
    list_filter = ["active", "category"]
    search_fields = ["title"]


@admin.register(ResponseTarget)
class ResponseTargetAdmin(admin.ModelAdmin):
    list_display = ["category", "hours"]

    @admin.display(description=_("category"))
    def category_label(self, obj):
        return obj.get_category_display()
