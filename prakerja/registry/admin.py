from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from prakerja.audit.reads import audit_read
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


REVEAL = "accounts.view_personal_data"
PROFILE_VIEW = "registry.profile_view"


class RevealForm(forms.Form):
    # Typed by the operator, never taken from a link: the reason is what the
    # audit log and the person (PRV: "who accessed my data") will read.
    reason = forms.CharField(label=_("Reason"), min_length=10, max_length=500, strip=True,
                             widget=forms.TextInput(attrs={"size": 50, "autocomplete": "off"}))


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    # Masked NIK only; the encrypted columns and blind indexes stay out of sight.
    list_display = ["public_id", "nik_masked", "identity_status", "personal_data_at", "phone_verified_at",
                    "completed_at"]
    list_filter = ["identity_status"]
    search_fields = ["public_id", "user__email"]
    fields = ["public_id", "user", "nik_masked", "birth_year", "birth_month", "identity_status", "identity_reasons",
              "identity_checked_at", "domicile_regency", "education", "employment_status", "phone_verified_at",
              "statement_version", "statement_accepted_at", "completed_at"]
    readonly_fields = fields
    list_select_related = ["user"]
    change_form_template = "registry/admin_profile_change.html"

    def get_urls(self):
        reveal = self.admin_site.admin_view(require_POST(self.reveal_view))  # admin_view adds CSRF
        return [path("<path:object_id>/reveal/", reveal, name="registry_profile_reveal"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        extra_context["may_reveal"] = request.user.has_perm(REVEAL)
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            self._audit_view(request, object_id)
        return response

    def _audit_view(self, request, object_id):
        """PRV-5: an operator's look at a profile is a read the person sees ("who accessed my data")."""
        profile = self.get_object(request, object_id)
        if profile is not None:
            # A refresh or a back-and-forth between the profile and its photos is one look, not many rows.
            audit_read(actor=request.user, action=PROFILE_VIEW, target=profile)

    def reveal_view(self, request, object_id):
        """The full NIK and KK, for an operator with the personal-data permission and
        a typed reason; every reveal is written to the audit log first (PRV).

        POST only, behind the admin's CSRF check: a reveal by GET let a link
        make an operator reveal a NIK under the link's reason (issue 14, finding 11).
        """
        profile = self.get_object(request, object_id)
        if profile is None or not self.has_view_permission(request, profile):
            raise Http404
        if not request.user.has_perm(REVEAL):
            raise PermissionDenied
        form = RevealForm(request.POST)
        revealed = None
        if form.is_valid() and profile.nik_encrypted:
            with transaction.atomic():
                audit_record(actor=request.user, action="registry.identity_reveal", target=profile,
                             reason=form.cleaned_data["reason"])
            revealed = {"nik": crypto.decrypt(profile.nik_encrypted), "kk": crypto.decrypt(profile.kk_encrypted)}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts, "original": profile, "title": _("Full NIK and KK"),
            "form": form, "revealed": revealed, "nothing_to_reveal": form.is_valid() and not revealed,
            "change_url": reverse("admin:registry_profile_change", args=[profile.pk]),
        }
        response = TemplateResponse(request, "registry/admin_profile_reveal.html", context,
                                    status=200 if form.is_valid() else 400)
        response["Cache-Control"] = "no-store, private"
        return response

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
