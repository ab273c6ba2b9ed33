"""TRN-1: courses and listings, and the operators' decisions on listings (audited, OPS-4).

A listing whose platform and provider belong to one corporate group is a
conflict of interest and needs two different approvers.
"""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from prakerja.audit.models import AuditEntry
from prakerja.catalog.models import Listing, ListingStatus
from prakerja.catalog.services import (
    CatalogError,
    listing_approve,
    listing_create,
    listing_reject,
)
from prakerja.regions.models import Province
from tests.accounts.operators import make_operator

pytestmark = pytest.mark.django_db


def approve(listing, actor, reason=""):
    with transaction.atomic():
        return listing_approve(listing=listing, actor=actor, reason=reason)


def reject(listing, actor, reason):
    with transaction.atomic():
        return listing_reject(listing=listing, actor=actor, reason=reason)


# --- courses ---------------------------------------------------------------------------------------------

def test_a_course_is_created_and_audited(provider, make_course):
    course = make_course(provider, title="Copywriting untuk Jualan")
    assert course.provider == provider and course.title == "Copywriting untuk Jualan"
    entry = AuditEntry.objects.get(action="course.create")
    assert entry.target_id == str(course.public_id) and entry.data["provider"] == provider.code


def test_an_offline_course_says_where(provider, make_course):
    jabar = Province.objects.get(code="32")
    course = make_course(provider, kind="offline", province=jabar, location="Jl. Merdeka 1, Kota Bandung")
    assert course.province == jabar
    with pytest.raises(CatalogError) as refused:
        make_course(provider, kind="offline")
    assert refused.value.code == "offline_needs_location" and refused.value.field == "location"
    with pytest.raises(CatalogError) as refused:
        make_course(provider, kind="webinar", province=jabar, location="Bandung")
    assert refused.value.code == "location_offline_only"


def test_a_course_belongs_to_a_provider(platform, make_course):
    with pytest.raises(CatalogError) as refused:
        make_course(platform)
    assert refused.value.code == "not_a_provider"


def test_a_course_code_is_taken_once(provider, make_course):
    make_course(provider, code="CRS-7777")
    with pytest.raises(CatalogError) as refused:
        make_course(provider, code="CRS-7777")
    assert refused.value.code == "course_code_taken"
    with pytest.raises(ValidationError):
        make_course(provider, code="lowercase")


# --- listings --------------------------------------------------------------------------------------------

def test_a_listing_waits_for_approval_and_is_audited(listing, platform):
    assert listing.status == ListingStatus.PENDING and not listing.conflict_of_interest
    entry = AuditEntry.objects.get(action="listing.create")
    assert entry.data == {"code": listing.code, "platform": platform.code, "course": listing.course.code,
                          "price": 750_000, "conflict_of_interest": False}


def test_a_listing_of_the_platforms_own_group_is_flagged(conflicted):
    # The group matches whatever its case ("Grup Contoh" and "GRUP CONTOH").
    assert conflicted.conflict_of_interest
    assert AuditEntry.objects.get(action="listing.create", target_id=str(conflicted.public_id)).data[
        "conflict_of_interest"] is True


def test_partners_without_a_group_are_never_related(make_listing, provider, platform):
    type(platform).objects.filter(pk=platform.pk).update(group="")
    platform.refresh_from_db()
    assert not make_listing(provider, platform=platform).conflict_of_interest


@pytest.mark.parametrize("price", [0, -1, 1.5, "750000", True])
def test_a_price_is_whole_rupiah_above_zero(make_listing, provider, price):
    with pytest.raises(CatalogError) as refused:
        make_listing(provider, price=price)
    assert refused.value.code == "price_invalid" and refused.value.field == "price"
    assert not Listing.objects.exists()


def test_listing_codes_and_platform_course_pairs_are_unique(listing, platform, provider, make_course):
    with pytest.raises(CatalogError) as refused:
        listing_create(platform=platform, course=make_course(provider), code=listing.code, price=1000, actor="system")
    assert refused.value.code == "listing_code_taken"
    with pytest.raises(CatalogError) as refused:
        listing_create(platform=platform, course=listing.course, code="TKP-99999", price=1000, actor="system")
    assert refused.value.code == "listing_exists"


def test_only_a_platform_lists(provider, make_course):
    with pytest.raises(CatalogError) as refused:
        listing_create(platform=provider, course=make_course(provider), code="TKP-00001", price=1000, actor="system")
    assert refused.value.code == "not_a_platform"


# --- approval --------------------------------------------------------------------------------------------

def test_a_listing_is_approved_by_one_partner_manager(listing, manager):
    result = approve(listing, manager, reason="harga wajar")
    listing.refresh_from_db()
    assert result.status == listing.status == ListingStatus.APPROVED
    assert listing.decided_by == manager and listing.decided_at is not None and listing.reason == "harga wajar"
    assert listing.first_approver is None
    entry = AuditEntry.objects.get(action="listing.approve")
    assert entry.actor_id == manager.pk and entry.reason == "harga wajar"


def test_a_conflicted_listing_needs_two_different_approvers(conflicted, manager, second_manager):
    first = approve(conflicted, manager)
    conflicted.refresh_from_db()
    assert first.status == conflicted.status == ListingStatus.PENDING
    assert conflicted.first_approver == manager and conflicted.decided_by is None
    assert AuditEntry.objects.filter(action="listing.approve_first", actor=manager).count() == 1
    # The same person again is refused, and nothing changes.
    with pytest.raises(CatalogError) as refused:
        approve(conflicted, manager)
    assert refused.value.code == "second_approver_required"
    conflicted.refresh_from_db()
    assert conflicted.status == ListingStatus.PENDING
    assert not AuditEntry.objects.filter(action="listing.approve").exists()
    # Another partner manager decides.
    approve(conflicted, second_manager)
    conflicted.refresh_from_db()
    assert conflicted.status == ListingStatus.APPROVED
    assert (conflicted.first_approver, conflicted.decided_by) == (manager, second_manager)
    entry = AuditEntry.objects.get(action="listing.approve")
    assert entry.actor_id == second_manager.pk and entry.data["first_approver"] == manager.email


def test_the_database_refuses_a_conflicted_listing_approved_by_one_person(conflicted, manager):
    for first_approver in (None, manager):
        with pytest.raises(IntegrityError), transaction.atomic():
            Listing.objects.filter(pk=conflicted.pk).update(status="approved", first_approver=first_approver,
                                                            decided_by=manager)


def test_the_first_approval_is_read_under_the_lock_not_from_the_callers_copy(conflicted, manager, second_manager,
                                                                             make_listing, sister_provider):
    stale = Listing.objects.get(pk=conflicted.pk)
    approve(conflicted, manager)
    # A page opened before the first approval: the second approver completes it, never overwrites it.
    approve(stale, second_manager)
    conflicted.refresh_from_db()
    assert (conflicted.status, conflicted.first_approver, conflicted.decided_by) == (
        ListingStatus.APPROVED, manager, second_manager)
    # And the first approver, with a copy from before their own approval, cannot approve alone.
    other = make_listing(sister_provider)
    stale = Listing.objects.get(pk=other.pk)
    approve(other, manager)
    with pytest.raises(CatalogError) as refused:
        approve(stale, manager)
    assert refused.value.code == "second_approver_required"


@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_a_decided_listing_stays_decided(listing, manager, second_manager, decide):
    approve(listing, manager) if decide == "approve" else reject(listing, manager, "kurikulum tidak jelas")
    for attempt in (lambda: approve(listing, second_manager), lambda: reject(listing, second_manager, "nanti")):
        with pytest.raises(CatalogError) as refused:
            attempt()
        assert refused.value.code == "listing_already_decided"
    listing.refresh_from_db()
    assert listing.decided_by == manager
    assert AuditEntry.objects.filter(action__in=["listing.approve", "listing.reject"]).count() == 1


def test_rejecting_needs_a_reason(listing, manager):
    for reason in ("", "   "):
        with pytest.raises(CatalogError) as refused:
            reject(listing, manager, reason)
        assert refused.value.code == "reason_required" and refused.value.field == "reason"
    with pytest.raises(CatalogError) as refused:
        reject(listing, manager, "x" * 301)
    assert refused.value.code == "reason_too_long"
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING
    assert not AuditEntry.objects.filter(action="listing.reject").exists()


def test_a_rejection_is_recorded_with_its_reason(conflicted, manager):
    # Rejecting takes one person, conflicted or not: nothing goes on sale.
    reject(conflicted, manager, "  harga tidak wajar  ")
    conflicted.refresh_from_db()
    assert conflicted.status == ListingStatus.REJECTED and conflicted.reason == "harga tidak wajar"
    assert conflicted.decided_by == manager
    entry = AuditEntry.objects.get(action="listing.reject")
    assert entry.actor_id == manager.pk and entry.reason == "harga tidak wajar"


@pytest.mark.parametrize("role", ["wave_manager", "auditor", "finance"])
def test_deciding_needs_the_permission(listing, role):
    outsider = make_operator(role)
    for attempt in (lambda: approve(listing, outsider), lambda: reject(listing, outsider, "tidak")):
        with pytest.raises(CatalogError) as refused:
            attempt()
        assert refused.value.code == "not_allowed"
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING


@pytest.mark.parametrize("actor", [None, "system", "partner:tokopedia"])
def test_a_decision_is_a_persons(listing, actor):
    with pytest.raises(CatalogError) as refused:
        approve(listing, actor)
    assert refused.value.code == "approver_required"


def test_the_administrator_may_decide(listing):
    admin = make_operator("administrator")
    assert approve(listing, admin).status == ListingStatus.APPROVED
