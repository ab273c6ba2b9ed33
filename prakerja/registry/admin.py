from django.contrib import admin

from prakerja.registry.models import Profile, Question, StatementVersion


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["text", "passage"]


@admin.register(StatementVersion)
class StatementVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "published_at"]

    def has_change_permission(self, request, obj=None):
        return False  # accepted texts are evidence: publish a new version instead


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    # Masked NIK only; the encrypted columns and blind indexes stay out of sight.
    list_display = ["public_id", "nik_masked", "identity_status", "personal_data_at", "phone_verified_at",
                    "completed_at"]
    list_filter = ["identity_status"]
    search_fields = ["public_id", "user__email"]
    fields = ["public_id", "user", "nik_masked", "birth_date", "identity_status", "identity_reasons",
              "identity_checked_at", "domicile_regency", "education", "employment_status", "phone_verified_at",
              "statement_version", "statement_accepted_at", "completed_at"]
    readonly_fields = fields
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
