"""Demo partners and catalogue (TRN-1): the nine platforms, providers with public demo secrets, a few
hundred courses; loaded once, refused in production."""

import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from prakerja.accounts.models import User
from prakerja.audit.models import AuditEntry
from prakerja.catalog.models import Course, CourseKind, Listing, ListingStatus
from prakerja.demo.partners import PLATFORMS, PROVIDERS, load_partners
from prakerja.partners import signing
from prakerja.partners.models import Partner
from prakerja.partners.services import current_secret, signature_valid
from prakerja.regions.models import Regency

pytestmark = pytest.mark.django_db
NINE = {"tokopedia": "Tokopedia", "bukalapak": "Bukalapak", "pintaria": "Pintaria", "pijarmahir": "Pijar Mahir",
        "maubelajarapa": "MauBelajarApa", "sekolahmu": "Sekolahmu", "sisnaker": "Sisnaker",
        "kariermu": "Kariermu", "skillacademy": "Skill Academy"}


@pytest.fixture
def operator(db):
    from prakerja.accounts.services import operator_create

    return operator_create(actor="system", email="admin@prakerja.test", full_name="Admin", roles=["administrator"],
                           password="Prakerja-Demo-2026")


@pytest.fixture
def loaded(operator):
    from django.db import transaction

    with transaction.atomic():
        load_partners(operator=operator)
    return operator


def snapshot():
    return (sorted(Partner.objects.values_list("code", "name", "kind", "group")),
            sorted(Course.objects.values_list("code", "title", "kind", "province_id", "location", "hours")),
            sorted(Listing.objects.values_list("code", "course__code", "platform__code", "price", "status")),
            AuditEntry.objects.count())


def test_the_nine_platforms_of_trn1_and_the_providers(loaded):
    platforms = dict(Partner.objects.filter(kind="platform").values_list("code", "name"))
    assert platforms == NINE
    providers = Partner.objects.filter(kind="provider")
    assert 4 <= providers.count() <= 6


def test_demo_secrets_are_fixed_and_tokopedias_is_the_contracts_test_vector(loaded):
    tokopedia = Partner.objects.get(code="tokopedia")
    assert current_secret(tokopedia) == "sandbox-secret"
    # The contract's vector (docs/partner-api.md) verifies against the demo Tokopedia.
    body = b'{"card_number":"5000000000000001"}'
    assert signing.signature("sandbox-secret", client_code="tokopedia", timestamp="1763800000", method="POST",
                             path="/api/partner/v1/payments", body=body) == \
        "7b8fb0118f6619c84c3efcdf8084c94497dcfec2188d5f6413b81e493b84ea91"
    assert signature_valid(tokopedia, timestamp="1763800000", method="POST", path="/api/partner/v1/payments",
                           body=body, given="7b8fb0118f6619c84c3efcdf8084c94497dcfec2188d5f6413b81e493b84ea91")
    for partner in Partner.objects.exclude(code="tokopedia"):
        assert current_secret(partner) == f"sandbox-{partner.code}"


def test_a_catalogue_of_a_few_hundred_courses(loaded):
    courses = Course.objects.all()
    assert 200 <= courses.count() <= 600
    assert len(set(courses.values_list("category", flat=True))) >= 10
    kinds = Counter(courses.values_list("kind", flat=True))
    assert set(kinds) == set(CourseKind.values) and kinds[CourseKind.OFFLINE] > 0
    for course in courses.filter(kind=CourseKind.OFFLINE)[:20]:  # a street in a real city of its province
        street, city = course.location.rsplit(", ", 1)
        assert street.startswith("Jl. ") and Regency.objects.filter(province=course.province_id, name=city).exists()
    assert not courses.filter(hours__lt=1).exists() and not courses.filter(schedule="").exists()
    assert all(len(d) > 80 for d in courses.values_list("description", flat=True))


def test_listings_at_real_prices_mostly_approved(loaded):
    listings = Listing.objects.select_related("platform", "course__provider")
    prices = list(listings.values_list("price", flat=True))
    assert all(100_000 <= p <= 1_000_000 and p % 1_000 == 0 for p in prices)
    statuses = Counter(listings.values_list("status", flat=True))
    assert statuses[ListingStatus.APPROVED] > 0.9 * len(prices)
    assert 2 <= statuses[ListingStatus.PENDING] <= 20 and not statuses[ListingStatus.REJECTED]
    # Exactly one conflict of interest, awaiting its approvals; flags follow the groups.
    conflicted = listings.filter(conflict_of_interest=True)
    assert conflicted.count() == 1 and conflicted.get().status == ListingStatus.PENDING
    for listing in listings:
        assert listing.conflict_of_interest == listing.platform.related_to(listing.course.provider)
    # Approved listings name who approved them.
    assert not listings.filter(status=ListingStatus.APPROVED, decided_by__isnull=True).exists()
    # Listing codes per platform, Tokopedia's as in the contract.
    prefixes = {p.code: p.prefix for p in PLATFORMS}
    for code, platform in listings.values_list("code", "platform__code"):
        assert re.fullmatch(rf"{prefixes[platform]}-\d{{5}}", code)
    example = Listing.objects.get(code="TKP-00123")
    assert example.platform.code == "tokopedia" and example.status == ListingStatus.APPROVED
    assert example.price == 750_000
    assert set(listings.values_list("platform__code", flat=True)) == set(NINE)


def test_loading_twice_changes_nothing(loaded):
    from django.db import transaction

    before = snapshot()
    with transaction.atomic():
        assert load_partners(operator=loaded) is False
    assert snapshot() == before


def test_load_demo_twice_changes_nothing(settings):
    settings.PRODUCTION = False
    call_command("load_demo", stdout=StringIO())
    before = snapshot()
    assert Partner.objects.count() == len(PLATFORMS) + len(PROVIDERS)
    call_command("load_demo", stdout=StringIO())
    assert snapshot() == before


def test_load_demo_refuses_in_production_and_creates_no_partner(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="PRAKERJA_ENV=production"):
        call_command("load_demo")
    assert not Partner.objects.exists() and not Course.objects.exists() and not User.objects.exists()


def test_the_banner_prints_the_demo_credentials_marked_demo_only(settings):
    settings.PRODUCTION = False
    out = StringIO()
    call_command("demo_banner", stdout=out)
    text = out.getvalue()
    assert "DEMO ONLY" in text
    for demo in PLATFORMS + PROVIDERS:
        assert re.search(rf"^\s+{re.escape(demo.code)}\s+{re.escape(demo.secret)}\s", text, re.M), demo.code
    assert re.search(r"^\s+tokopedia\s+sandbox-secret\s", text, re.M)
