""""Cari Pelatihan" under real concurrency (PostgreSQL, real threads): the course's price and platform count
stay true when two listings of one course are approved at the same moment."""

import time

import pytest
from django.db import transaction

from prakerja.catalog import services
from prakerja.catalog.models import Course
from prakerja.catalog.services import listing_approve, listing_create
from tests.catalog.conftest import make_partner
from tests.registry.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


def approving(listing, actor):
    def call():
        with transaction.atomic():
            return listing_approve(listing=listing, actor=actor)
    return call


@pytest.fixture
def slow_audit(monkeypatch):
    """Each approval holds its transaction open a moment after updating the course, before its audit row."""
    audit_record = services.audit_record

    def slow(**kwargs):
        time.sleep(0.3)
        return audit_record(**kwargs)

    monkeypatch.setattr(services, "audit_record", slow)


@pytest.mark.parametrize("attempt", range(2))
def test_two_listings_of_a_course_approved_at_once_both_count(make_course, provider, manager, second_manager,
                                                               slow_audit, attempt):
    course = make_course(provider, title="Barista Dasar")
    first, second = (listing_create(platform=make_partner("platform", code), course=course, code=prefix,
                                    price=price, actor="system")
                     for code, prefix, price in (("bukalapak", "BKL-1", 600_000), ("pintaria", "PNT-1", 450_000)))
    results = run_together(approving(first, manager), approving(second, second_manager))
    assert not [r for r in results if isinstance(r, Exception)], results
    course = Course.objects.get(pk=course.pk)
    # Each approval counted the other's listing once it committed (the course's row is locked first).
    assert (course.listed_from, course.listed_on) == (450_000, 2)
