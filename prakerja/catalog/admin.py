from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from prakerja.catalog.models import Course, Listing, ListingStatus
from prakerja.catalog.services import APPROVE_PERMISSION, CatalogError, listing_approve
from prakerja.core.admin import ReadOnlyAdminMixin


@admin.register(Course)
class CourseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("title", "code", "provider", "category", "kind", "hours")
    list_filter = ("kind", "category")
    list_select_related = ("provider",)
    search_fields = ("title", "code", "provider__code", "provider__name")
    fields = ("public_id", "code", "title", "provider", "category", "kind", "province", "location", "hours",
              "schedule", "description", "created_at")
    readonly_fields = fields


@admin.register(Listing)
class ListingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Listings change only through the catalogue's services: approval (two people for a conflicted
    listing) here as an action or on the operators' page; rejection, with its reason, on that page."""

    list_display = ("code", "course", "platform", "price", "status", "conflict_of_interest", "first_approver",
                    "decided_by", "decided_at")
    list_filter = ("status", "conflict_of_interest", "platform")
    list_select_related = ("course", "platform", "first_approver", "decided_by")
    search_fields = ("code", "course__title", "course__code")
    fields = ("public_id", "code", "course", "platform", "price", "status", "conflict_of_interest",
              "first_approver", "decided_by", "decided_at", "reason", "created_at")
    readonly_fields = fields
    actions = ["approve"]

    def has_approve_permission(self, request):
        return request.user.has_perm(APPROVE_PERMISSION)

    @admin.action(description=gettext_lazy("Approve the selected listings"), permissions=["approve"])
    def approve(self, request, queryset):
        approved = first = 0
        for listing in queryset.filter(status=ListingStatus.PENDING).order_by("pk"):
            try:
                with transaction.atomic():
                    listing = listing_approve(listing=listing, actor=request.user)
            except CatalogError as refusal:
                self.message_user(request, f"{listing.code}: {refusal.message}", messages.ERROR)
                continue
            if listing.status == ListingStatus.APPROVED:
                approved += 1
            else:
                first += 1
        self.message_user(request, _("%(approved)s approved; %(first)s given a first approval (a conflict of "
                                     "interest: another partner manager must approve).")
                          % {"approved": approved, "first": first})
