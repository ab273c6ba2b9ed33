"""PRV-8 in the admin: who was anonymised and the deletion requests, read only.

Both tables change only through the retention services (the nightly job,
a person's request). A person is shown by their public ID, never by the
account's name (User.__str__ is the email): a postponed request's account
still holds it, and these pages are about the request, not the person.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from prakerja.core.admin import ReadOnlyAdminMixin
from prakerja.retention.models import DeletionRequest, Erasure
from prakerja.retention.postponements import LABELS


@admin.display(description=_("participant"))
def participant(obj):
    return obj.user.public_id


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("erased_at", participant, "rule")
    list_filter = ("rule",)
    list_select_related = ("user",)
    fields = ("erased_at", participant, "rule")
    readonly_fields = fields
    ordering = ("-erased_at", "-pk")
    show_full_result_count = False  # every anonymised registrant has a row: millions in time


@admin.register(DeletionRequest)
class DeletionRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("requested_at", "public_id", participant, "status", "reasons_shown", "checked_at", "done_at")
    list_filter = ("status",)
    list_select_related = ("user",)
    fields = ("public_id", participant, "status", "reasons_shown", "requested_at", "checked_at", "done_at")
    readonly_fields = fields
    ordering = ("-requested_at", "-pk")
    show_full_result_count = False

    @admin.display(description=_("reasons for postponing"))
    def reasons_shown(self, obj):
        return ", ".join(str(LABELS.get(code, code)) for code in obj.reasons) or "-"
