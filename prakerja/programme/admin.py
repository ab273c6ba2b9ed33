from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from prakerja.programme.models import Programme
from prakerja.programme.services import programme_activate


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "preset", "is_active", "training_balance", "post_training_incentive_amount",
                    "post_training_incentive_count", "first_purchase_deadline_days"]
    readonly_fields = ["is_active", "preset"]
    actions = ["activate"]

    @admin.action(description=_("Make the selected period the active one"))
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one period."), messages.ERROR)
            return
        programme_activate(actor=request.user, programme=queryset.get())
        self.message_user(request, _("Activated."), messages.SUCCESS)

    def has_delete_permission(self, request, obj=None):
        return False
