from django.contrib import admin
from django.db import transaction

from prakerja.audit.services import audit_record
from prakerja.registry import crypto
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
    change_form_template = "registry/admin_profile_change.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Operators with the personal-data permission may reveal the full NIK and
        KK, with a reason; every reveal is written to the audit log (PRV)."""
        extra_context = extra_context or {}
        may_reveal = request.user.has_perm("accounts.view_personal_data")
        extra_context["may_reveal"] = may_reveal
        reason = request.GET.get("reveal", "").strip()
        if may_reveal and reason:
            profile = self.get_object(request, object_id)
            if profile is not None and profile.nik_encrypted:
                with transaction.atomic():
                    audit_record(actor=request.user, action="registry.identity_reveal", target=profile,
                                 reason=reason[:500])
                extra_context["revealed"] = {"nik": crypto.decrypt(profile.nik_encrypted),
                                             "kk": crypto.decrypt(profile.kk_encrypted)}
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
