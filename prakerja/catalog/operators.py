"""Partner managers' pages (TRN-1, OPS-2): listings awaiting approval, and the partners.

Thin views: decisions are ``services.listing_approve`` and ``listing_reject``,
each in its own transaction (the view owns it). Operators pass the second
factor before any of this (``StaffSecondFactorMiddleware``). Reading needs the
view permissions (the auditor has them); deciding needs
``catalog.approve_listing`` (the partner manager).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from prakerja.catalog.models import Course, Listing, ListingStatus
from prakerja.catalog.services import APPROVE_PERMISSION, REASON_MAX, CatalogError, listing_approve, listing_reject

# The catalogue stands below the partners app (tests/platform/test_layers.py), so it reaches the
# partner model through its own foreign key instead of importing it.
Partner = Course._meta.get_field("provider").related_model
PER_PAGE = 50


class ApproveForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Note (optional)"), required=False, max_length=REASON_MAX)


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=REASON_MAX)


def _pending():
    return (Listing.objects.filter(status=ListingStatus.PENDING)
            .select_related("platform", "course", "course__provider", "course__province", "first_approver")
            .order_by("-conflict_of_interest", "created_at", "pk"))


def _listings_page(request, *, errors=None, status=200):
    page = Paginator(_pending(), PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.errors = (errors or {}).get(row.pk, [])
    return render(request, "catalog/operators/listings.html", {
        "page": page, "listings": rows,
        "can_decide": request.user.has_perm(APPROVE_PERMISSION), "reason_max": REASON_MAX}, status=status)


@login_required
@permission_required("catalog.view_listing", raise_exception=True)
@require_GET
def listings(request):
    """TRN-1: listings awaiting approval; the conflicted first, with who gave the first approval."""
    return _listings_page(request)


def _decide(request, public_id, form_class, decide, done_message):
    listing = get_object_or_404(Listing, public_id=public_id)
    form = form_class(request.POST)
    if not form.is_valid():
        return _listings_page(request, errors={listing.pk: [e for errs in form.errors.values() for e in errs]},
                              status=400)
    try:
        with transaction.atomic():
            listing = decide(listing=listing, actor=request.user, reason=form.cleaned_data["reason"])
    except CatalogError as refusal:
        status = 400 if refusal.field else 409
        return _listings_page(request, errors={listing.pk: [refusal.message]}, status=status)
    messages.success(request, done_message(listing) % {"code": listing.code})
    return redirect("catalog_operators_listings")


def _approved_message(listing):
    if listing.status == ListingStatus.APPROVED:
        return _("Listing %(code)s is approved.")
    return _("First approval of listing %(code)s recorded: another partner manager must give the second.")


@login_required
@permission_required(["catalog.view_listing", APPROVE_PERMISSION], raise_exception=True)
@require_POST
def listing_approve_view(request, public_id):
    return _decide(request, public_id, ApproveForm, listing_approve, _approved_message)


@login_required
@permission_required(["catalog.view_listing", APPROVE_PERMISSION], raise_exception=True)
@require_POST
def listing_reject_view(request, public_id):
    return _decide(request, public_id, RejectForm, listing_reject,
                   lambda listing: _("Listing %(code)s is rejected."))


@login_required
@permission_required("partners.view_partner", raise_exception=True)
@require_GET
def partners(request):
    """OPS-2: the platforms and providers, with their listings and courses counted in the same query."""
    rows = (Partner.objects.order_by("kind", "name")
            .annotate(listings_approved=Count("listings", filter=Q(listings__status=ListingStatus.APPROVED),
                                              distinct=True),
                      listings_pending=Count("listings", filter=Q(listings__status=ListingStatus.PENDING),
                                             distinct=True),
                      course_count=Count("courses", distinct=True)))
    return render(request, "catalog/operators/partners.html", {"partners": rows})
