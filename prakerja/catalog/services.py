"""The catalogue (TRN-1): courses, listings, and the operators' approval of listings.

A listing is visible (and can be bought) only once approved. When its
platform and the course's provider belong to one corporate group
(``Partner.related_to``) it is a conflict of interest, the criticism the
real programme met, and two different partner managers must approve it: the
first approval is recorded and the listing stays pending; a second person's
approval decides it. The database holds the same rule
(``conflicted_listing_has_two_approvers``).

Approvals lock the listing's row first, so two approvers racing are taken one
after the other: the second sees the first's decision (or first approval)
and acts on it.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.audit.services import audit_record
from prakerja.catalog.models import Course, CourseKind, Listing, ListingStatus
from prakerja.core.errors import DomainError

APPROVE_PERMISSION = "catalog.approve_listing"
REASON_MAX = 300

# The listing's state machine: pending -> approved | rejected, and nothing else.
TRANSITIONS = {
    ListingStatus.PENDING: {ListingStatus.APPROVED, ListingStatus.REJECTED},
    ListingStatus.APPROVED: set(),
    ListingStatus.REJECTED: set(),
}


class CatalogError(DomainError):
    pass


def _lock(listing: Listing) -> Listing:
    """The listing's row, locked until commit, as it is now (not as the caller last read it)."""
    return Listing.objects.select_for_update().get(pk=listing.pk)


def _check_transition(listing: Listing, target: str) -> None:
    if target not in TRANSITIONS[ListingStatus(listing.status)]:
        raise CatalogError("listing_already_decided", _("This listing has already been decided."))


def _check_approver(actor) -> None:
    # Decisions are a person's: the audit log and the two-approver rule need one.
    if actor is None or isinstance(actor, str) or not getattr(actor, "pk", None):
        raise CatalogError("approver_required", _("Only a partner manager can decide on a listing."))
    if not actor.has_perm(APPROVE_PERMISSION):
        raise CatalogError("not_allowed", _("You are not allowed to decide on listings."))


def _clean_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise CatalogError("reason_required", _("Give a reason."), field="reason")
    if len(reason) > REASON_MAX:
        raise CatalogError("reason_too_long", _("Keep the reason to 300 characters."), field="reason")
    return reason


def course_create(*, provider, code: str, title: str, description: str, category: str, kind: str, hours: int,
                  actor, schedule: str = "", province=None, location: str = "") -> Course:
    """A provider's course (TRN-1). An offline course says where (province and place); the others do not."""
    if provider.kind != "provider":
        raise CatalogError("not_a_provider", _("Courses belong to training providers."), field="provider")
    if kind == CourseKind.OFFLINE and (province is None or not location.strip()):
        raise CatalogError("offline_needs_location", _("An offline course needs a province and a location."),
                           field="location")
    if kind != CourseKind.OFFLINE and (province is not None or location.strip()):
        raise CatalogError("location_offline_only", _("Only offline courses have a location."), field="location")
    course = Course(provider=provider, code=code, title=title, description=description, category=category,
                    kind=kind, hours=hours, schedule=schedule, province=province, location=location.strip())
    with transaction.atomic():
        if Course.objects.filter(code=code).exists():
            raise CatalogError("course_code_taken", _("A course with this code already exists."), field="code")
        course.full_clean()
        course.save(force_insert=True)
        audit_record(actor=actor, action="course.create", target=course,
                     data={"code": code, "provider": provider.code, "kind": kind})
    return course


def listing_create(*, platform, course: Course, code: str, price: int, actor) -> Listing:
    """A platform lists a course at a price (TRN-1); it waits for an operator's approval.

    Flagged as a conflict of interest when the platform and the course's provider are related.
    """
    if platform.kind != "platform":
        raise CatalogError("not_a_platform", _("Listings belong to digital platforms."), field="platform")
    if isinstance(price, bool) or not isinstance(price, int) or price < 1:
        raise CatalogError("price_invalid", _("The price is a whole number of rupiah above zero."), field="price")
    listing = Listing(platform=platform, course=course, code=code, price=price, status=ListingStatus.PENDING,
                      conflict_of_interest=platform.related_to(course.provider))
    with transaction.atomic():
        if Listing.objects.filter(code=code).exists():
            raise CatalogError("listing_code_taken", _("A listing with this code already exists."), field="code")
        if Listing.objects.filter(platform=platform, course=course).exists():
            raise CatalogError("listing_exists", _("This platform already lists this course."), field="course")
        listing.full_clean()
        listing.save(force_insert=True)
        audit_record(actor=actor, action="listing.create", target=listing,
                     data={"code": code, "platform": platform.code, "course": course.code, "price": price,
                           "conflict_of_interest": listing.conflict_of_interest})
    return listing


def listing_approve(*, listing: Listing, actor, reason: str = "", now=None) -> Listing:
    """Approve a pending listing; a conflicted one needs two different people (the first only records).

    Returns the listing as it is after the call: approved, or still pending with its first approver.
    """
    _check_approver(actor)
    reason = _clean_reason(reason, required=False)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(listing)
        _check_transition(locked, ListingStatus.APPROVED)
        if locked.conflict_of_interest and locked.first_approver_id is None:
            locked.first_approver = actor
            locked.save(update_fields=["first_approver"])
            audit_record(actor=actor, action="listing.approve_first", target=locked, reason=reason,
                         data={"code": locked.code, "conflict_of_interest": True})
            return locked
        if locked.conflict_of_interest and locked.first_approver_id == actor.pk:
            raise CatalogError("second_approver_required",
                               _("This listing has a conflict of interest: another partner manager must give "
                                 "the second approval."))
        locked.status = ListingStatus.APPROVED
        locked.decided_by = actor
        locked.decided_at = now
        locked.reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        audit_record(actor=actor, action="listing.approve", target=locked, reason=reason,
                     data={"code": locked.code, "conflict_of_interest": locked.conflict_of_interest,
                           "first_approver": locked.first_approver.email if locked.first_approver else None})
    return locked


def listing_reject(*, listing: Listing, actor, reason: str, now=None) -> Listing:
    """Reject a pending listing, with a reason. One person suffices, conflicted or not: nothing goes on sale."""
    _check_approver(actor)
    reason = _clean_reason(reason, required=True)
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(listing)
        _check_transition(locked, ListingStatus.REJECTED)
        locked.status = ListingStatus.REJECTED
        locked.decided_by = actor
        locked.decided_at = now
        locked.reason = reason
        locked.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        audit_record(actor=actor, action="listing.reject", target=locked, reason=reason,
                     data={"code": locked.code, "conflict_of_interest": locked.conflict_of_interest})
    return locked
