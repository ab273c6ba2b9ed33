from django import forms
from django.contrib import admin
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from prakerja.core.admin import ReadOnlyAdminMixin
from prakerja.registry.models import EmploymentStatus
from prakerja.selection.models import Announcement, NikList, NikListVersion, PriorityStatus, SelectionRun


@admin.register(NikList)
class NikListAdmin(admin.ModelAdmin):
    """The lists are seeded by migration; a new version comes from ``manage.py import_nik_list`` (SEL-2)."""

    list_display = ["name", "code", "kind", "social_assistance", "is_active", "current_version"]
    list_filter = ["kind", "social_assistance", "is_active"]
    readonly_fields = ["code", "kind", "social_assistance"]

    def get_queryset(self, request):
        # One query for every list's current version, not one per row.
        current = NikListVersion.objects.filter(is_current=True)
        return super().get_queryset(request).prefetch_related(Prefetch("versions", queryset=current,
                                                                       to_attr="current_versions"))

    @admin.display(description=_("current version"))
    def current_version(self, obj):
        if not obj.current_versions:
            return "-"
        version = obj.current_versions[0]
        return (f"v{version.number}: {version.rows_imported:,} NIK, {version.source_agency} "
                f"{version.source_date:%Y-%m-%d}")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NikListVersion)
class NikListVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["nik_list", "number", "status", "is_current", "rows_read", "rows_imported", "rows_rejected",
                    "percent_read", "source_agency", "source_date", "started_at", "finished_at"]
    list_filter = ["status", "is_current", "nik_list"]
    list_select_related = ["nik_list"]

    @admin.display(description=_("read"))
    def percent_read(self, obj):
        if not obj.bytes_total:
            return "-"
        return f"{min(100, obj.bytes_read * 100 // obj.bytes_total)}%"


class PriorityStatusForm(forms.ModelForm):
    # A choice of the statuses registrants declare: a typed value that matches
    # none would silently prioritise nobody (SEL-4).
    employment_status = forms.ChoiceField(label=_("employment status"), choices=EmploymentStatus.choices)

    class Meta:
        model = PriorityStatus
        fields = ["employment_status", "is_active"]


@admin.register(PriorityStatus)
class PriorityStatusAdmin(admin.ModelAdmin):
    form = PriorityStatusForm
    list_display = ["employment_status", "is_active"]
    list_editable = ["is_active"]


@admin.register(SelectionRun)
class SelectionRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["wave", "status", "started_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["wave"]


@admin.register(Announcement)
class AnnouncementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["wave", "done", "total", "started_at", "finished_at"]
    list_select_related = ["wave"]
