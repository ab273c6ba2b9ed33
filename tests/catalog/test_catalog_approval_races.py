"""TRN-1 under real concurrency (PostgreSQL, real threads): partner managers deciding at the same moment."""

import pytest
from django.db import transaction

from prakerja.audit.models import AuditEntry
from prakerja.catalog.models import Listing, ListingStatus
from prakerja.catalog.services import CatalogError, listing_approve, listing_reject
from tests.registry.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


def approving(listing, actor):
    def call():
        with transaction.atomic():
            return listing_approve(listing=listing, actor=actor)
    return call


def rejecting(listing, actor):
    def call():
        with transaction.atomic():
            return listing_reject(listing=listing, actor=actor, reason="harga tidak wajar")
    return call


def test_two_approvers_of_a_conflicted_listing_at_once_approve_it_together(conflicted, manager, second_manager):
    results = run_together(approving(conflicted, manager), approving(conflicted, second_manager))
    assert all(isinstance(r, Listing) for r in results), results
    conflicted.refresh_from_db()
    # One gave the first approval, the other, seeing it under the lock, the second.
    assert conflicted.status == ListingStatus.APPROVED
    assert {conflicted.first_approver, conflicted.decided_by} == {manager, second_manager}
    assert AuditEntry.objects.filter(action="listing.approve_first").count() == 1
    assert AuditEntry.objects.filter(action="listing.approve").count() == 1


def test_one_approver_twice_at_once_never_approves_a_conflicted_listing_alone(conflicted, manager):
    results = run_together(approving(conflicted, manager), approving(conflicted, manager))
    refused = [r for r in results if isinstance(r, CatalogError)]
    assert len(refused) == 1 and refused[0].code == "second_approver_required", results
    conflicted.refresh_from_db()
    assert conflicted.status == ListingStatus.PENDING and conflicted.first_approver == manager


def test_two_approvers_of_a_plain_listing_at_once_decide_it_once(listing, manager, second_manager):
    results = run_together(approving(listing, manager), approving(listing, second_manager))
    refused = [r for r in results if isinstance(r, CatalogError)]
    assert len(refused) == 1 and refused[0].code == "listing_already_decided", results
    listing.refresh_from_db()
    assert listing.status == ListingStatus.APPROVED
    assert AuditEntry.objects.filter(action="listing.approve").count() == 1


def test_an_approval_racing_a_rejection_one_wins(listing, manager, second_manager):
    results = run_together(approving(listing, manager), rejecting(listing, second_manager))
    refused = [r for r in results if isinstance(r, CatalogError)]
    assert len(refused) == 1 and refused[0].code == "listing_already_decided", results
    listing.refresh_from_db()
    winner = next(r for r in results if isinstance(r, Listing))
    assert listing.status == winner.status and listing.decided_by == winner.decided_by
    assert AuditEntry.objects.filter(action__in=["listing.approve", "listing.reject"]).count() == 1
