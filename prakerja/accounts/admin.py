from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.models import User
from prakerja.accounts.roles import ROLES
from prakerja.accounts.services import (
    MANAGE_OPERATORS,
    OperatorAccessRefused,
    operator_access_check,
    operator_roles,
    operator_set_access,
)
from prakerja.audit.reads import ReadAuditedAdmin
from prakerja.core.admin import ReadOnlyAdminMixin

# Saved by the model form; staff, superuser, groups and active are not among
# them: they change only through operator_set_access (issue 14, finding 6).
PLAIN_FIELDS = ["email", "full_name", "language"]


class OperatorAccessForm(UserChangeForm):
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=[(slug, role["name"]) for slug, role in ROLES.items()])
    active = forms.BooleanField(label=_("Active"), required=False)
    access_reason = forms.CharField(label=_("Reason for the change of access"), required=False, max_length=500,
                                    help_text=_("Written to the audit log with the access before and after."))
    actor = None  # the operator making the change, set by UserAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].initial = operator_roles(self.instance)
        self.fields["active"].initial = self.instance.is_active

    def access_changed(self) -> bool:
        return bool({"roles", "active"} & set(self.changed_data))

    def clean(self):
        data = super().clean()
        if not self.access_changed():
            return data
        if not (data.get("access_reason") or "").strip():
            self.add_error("access_reason", _("Give a reason for the change of access."))
        try:
            operator_access_check(actor=self.actor, user=self.instance, roles=data.get("roles") or [],
                                  is_active=bool(data.get("active")))
        except OperatorAccessRefused as exc:
            self.add_error(None, str(exc))
        return data


@admin.register(User)
class UserAdmin(ReadAuditedAdmin, BaseUserAdmin):
    read_action = "accounts.user_view"  # a person's email and name: a read they see (PRV-5)
    ordering = ["-date_joined"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["email", "full_name"]
    readonly_fields = ["public_id", "date_joined", "last_login", "role_list", "is_active", "is_staff", "is_superuser"]
    filter_horizontal = []
    access_form = OperatorAccessForm
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})]

    def may_manage(self, request) -> bool:
        return request.user.has_perm(MANAGE_OPERATORS) and self.has_change_permission(request)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        if self.may_manage(request):
            access = ["roles", "active", "access_reason", "is_staff", "is_superuser"]
        else:
            access = ["role_list", "is_active", "is_staff", "is_superuser"]
        return [
            (None, {"fields": ["public_id", "email", "full_name", "language", "password"]}),
            (_("Access"), {"fields": access}),
            (_("Dates"), {"fields": ["date_joined", "last_login"]}),
        ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None and self.may_manage(request):
            kwargs["form"] = self.access_form
        form = super().get_form(request, obj, **kwargs)
        if issubclass(form, OperatorAccessForm):
            form = type(form.__name__, (form,), {"actor": request.user})
        return form

    @admin.display(description=_("Roles"))
    def role_list(self, obj):
        return ", ".join(str(ROLES[slug]["name"]) for slug in operator_roles(obj)) or "-"

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        plain = [name for name in form.changed_data if name in PLAIN_FIELDS]
        if plain:
            obj.save(update_fields=plain)
        if isinstance(form, OperatorAccessForm) and form.access_changed():
            data = form.cleaned_data
            operator_set_access(actor=request.user, user=obj, roles=data["roles"], is_active=data["active"],
                                reason=data["access_reason"].strip())
            obj.refresh_from_db(fields=["is_staff", "is_superuser", "is_active"])

    def save_related(self, request, form, formsets, change):
        pass  # groups are set by operator_set_access, in its transaction


class RoleGroupAdmin(ReadOnlyAdminMixin, BaseGroupAdmin):
    """Roles and their permissions are code (accounts/roles.py), synced after every
    migrate: a permission added here by hand would bypass review and vanish on
    the next deploy."""


# Importing django.contrib.auth.admin above registered its own GroupAdmin.
admin.site.unregister(Group)
admin.site.register(Group, RoleGroupAdmin)


def _name_authenticators():
    """allauth's Authenticator (an operator's TOTP, shown to administrators) has no verbose names: Django
    derives English ones from the class and field names, which gettext never sees, so the admin showed
    "Authenticators", "Type", "Last used at" in Indonesian too. Only the shown names are set here; the
    migration state reads Meta's original attributes and each field's own argument, so allauth's
    migrations stay as they are (``makemigrations --check``)."""
    opts = Authenticator._meta
    opts.verbose_name, opts.verbose_name_plural = _("authenticator"), _("authenticators")
    for name, label in {"user": _("user"), "type": _("type"), "data": _("stored data"), "created_at": _("created"),
                        "last_used_at": _("last used")}.items():
        opts.get_field(name).verbose_name = label


_name_authenticators()


class AuthenticatorAdmin(admin.ModelAdmin):
    """An operator's second factor, for an administrator to remove when a phone is lost.

    allauth's own admin shows ``data``, which for TOTP holds the secret: whoever reads it can make the
    operator's codes. Here nothing of it is shown, and nothing can be added or changed; deleting one makes
    the operator set up a new one at the next sign-in (StaffSecondFactorMiddleware).
    """

    list_display = ("user", "type", "created_at", "last_used_at")
    list_filter = ("type",)
    fields = ("user", "type", "created_at", "last_used_at")
    readonly_fields = fields
    list_select_related = ("user",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


import allauth.mfa.admin  # noqa: E402, F401  (registers allauth's admin first, so it can be replaced)

admin.site.unregister(Authenticator)
admin.site.register(Authenticator, AuthenticatorAdmin)
