from django.contrib import admin

from prakerja.core.admin import ReadOnlyAdminMixin
from prakerja.web.models import FaqEntry, FaqRevision
from prakerja.web.services import FAQ_FIELDS, faq_entry_save


class FaqRevisionInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FaqRevision
    fields = ["version", "question_id", "question_en", "published", "edited_by", "created_at"]
    readonly_fields = fields
    extra = 0


@admin.register(FaqEntry)
class FaqEntryAdmin(admin.ModelAdmin):
    """The home page's FAQ (issue 21): each save is a new version, audited, through faq_entry_save."""

    list_display = ["position", "question_id", "published", "version", "updated_at"]
    list_display_links = ["question_id"]
    list_filter = ["published"]
    fields = list(FAQ_FIELDS)
    inlines = [FaqRevisionInline]

    def has_delete_permission(self, request, obj=None):
        return False  # unpublish instead: the history stays

    def save_model(self, request, obj, form, change):
        saved = faq_entry_save(actor=request.user, entry=obj if change else None,
                               **{name: form.cleaned_data[name] for name in FAQ_FIELDS})
        obj.pk, obj.version = saved.pk, saved.version
