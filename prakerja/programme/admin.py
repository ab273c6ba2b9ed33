from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from prakerja.programme.models import Programme, Switches
from prakerja.programme.services import EDITABLE_FIELDS, programme_activate, programme_update, switches_set


def rupiah(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "preset", "is_active", "balance", "post_training_incentive", "survey_incentive",
                    "first_purchase_deadline_days", "ages", "max_recipients_per_kk", "exclude_social_assistance"]
    list_display_links = ["name"]
    # The one-active rule is kept by programme_activate (the action below), not by a checkbox.
    readonly_fields = ["preset", "is_active"]
    actions = ["activate"]

    @admin.display(description=_("training balance"), ordering="training_balance")
    def balance(self, obj):
        return rupiah(obj.training_balance)

    @admin.display(description=_("post-training incentive"))
    def post_training_incentive(self, obj):
        return f"{rupiah(obj.post_training_incentive_amount)} x {obj.post_training_incentive_count}"

    @admin.display(description=_("survey incentive"))
    def survey_incentive(self, obj):
        return f"{rupiah(obj.survey_incentive_amount)} x {obj.survey_count}"

    @admin.display(description=_("age"))
    def ages(self, obj):
        return f"{obj.min_age}-{obj.max_age}" if obj.max_age is not None else f"{obj.min_age}+"

    @admin.action(description=_("Make the selected period the active one"), permissions=["change"])
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one period."), messages.ERROR)
            return
        programme = programme_activate(actor=request.user, programme=queryset.get())
        self.message_user(request, _("%(name)s is now the active period.") % {"name": programme.name},
                          messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
        programme_update(actor=request.user, programme=obj, changes=changes)

    def has_add_permission(self, request):
        # The presets are the periods; preset is unique and read-only here.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Switches)
class SwitchesAdmin(admin.ModelAdmin):
    list_display = ["signups_open", "joins_open", "updated_at"]

    def save_model(self, request, obj, form, change):
        switches_set(actor=request.user, signups_open=obj.signups_open, joins_open=obj.joins_open,
                     reason=request.POST.get("_reason", "admin"))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
