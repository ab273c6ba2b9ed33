from django.contrib import admin

from prakerja.core.admin import ReadOnlyAdminMixin
from prakerja.regions.models import Province, Regency


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The official list changes only through ``regions_refresh``, which checks references and audits."""


@admin.register(Province)
class ProvinceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]
