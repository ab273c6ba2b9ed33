from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from prakerja.audit.reads import ReadAuditedAdmin
from prakerja.waves.forms import WaveAdminForm
from prakerja.waves.models import Application, ConsentVersion, Wave
from prakerja.waves.services import wave_save, wave_validate


@admin.register(Wave)
class WaveAdmin(admin.ModelAdmin):
    form = WaveAdminForm
    list_display = ["number", "kind", "opens_at", "closes_at", "announce_at", "national_quota", "joined"]
    filter_horizontal = ["eligible_provinces"]
    readonly_fields = ["closed_at", "seed_commitment"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(joined_count=Count("applications"))

    @admin.display(description=_("joined"), ordering="joined_count")
    def joined(self, obj):
        return obj.joined_count

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class Validated(form_class):
            def validate_unique(self):
                # The check constraints repeat wave_validate's rules (which give
                # per-field messages); the database still enforces them.
                self.instance.validate_unique(exclude=self._get_validation_exclusions())

            def clean(self):
                data = super().clean()
                needed = ["number", "opens_at", "closes_at", "announce_at", "national_quota"]
                if all(data.get(f) is not None for f in needed):
                    try:
                        wave_validate(number=data["number"], opens_at=data["opens_at"], closes_at=data["closes_at"],
                                      announce_at=data["announce_at"], national_quota=data["national_quota"],
                                      provinces=data["eligible_provinces"],
                                      province_quotas=data.get("province_quotas") or {},
                                      exclude_pk=self.instance.pk)
                    except ValidationError as exc:
                        for field, messages in exc.message_dict.items():
                            self.add_error(field if field in self.fields else None, messages)
                return data

        return Validated

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = wave_save(actor=request.user, wave=obj if change else None, number=data["number"],
                          kind=data["kind"], opens_at=data["opens_at"], closes_at=data["closes_at"],
                          announce_at=data["announce_at"], national_quota=data["national_quota"],
                          provinces=list(data["eligible_provinces"]), province_quotas=data["province_quotas"])
        obj.pk = saved.pk

    def save_related(self, request, form, formsets, change):
        pass  # wave_save already set the provinces and quotas, in its transaction

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentVersion)
class ConsentVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "published_at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadAuditedAdmin, admin.ModelAdmin):
    read_action = "waves.application_view"  # the person's email and result: a read they see (PRV-5)
    list_display = ["public_id", "wave", "province", "status", "joined_at"]
    list_filter = ["status", "wave"]
    list_select_related = ["wave", "province"]
    search_fields = ["public_id"]
    readonly_fields = ["public_id", "wave", "user", "province", "status", "status_reason", "consent", "joined_at",
                       "decided_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
