"""Personas of the catalogue (TRN-1): a platform, providers (one of the platform's own group), courses,
listings, and the operators who decide on them."""

import pytest

from prakerja.catalog.services import course_create, listing_create
from prakerja.partners.models import Partner
from prakerja.partners.services import partner_create
from tests.accounts.operators import make_operator

GROUP = "Grup Contoh"


def make_partner(kind: str, code: str, **fields) -> Partner:
    partner_create(kind=kind, code=code, name=code.replace("-", " ").title(), actor="system",
                   secret=f"secret-{code}", **fields)
    return Partner.objects.get(code=code)


@pytest.fixture
def platform(db):
    return make_partner("platform", "tokopedia", group=GROUP)


@pytest.fixture
def provider(db):
    return make_partner("provider", "lpk-mandiri")


@pytest.fixture
def sister_provider(db):
    """A provider of the platform's own corporate group: its listings there are conflicts of interest."""
    return make_partner("provider", "lpk-saudara", group=GROUP.upper())


@pytest.fixture
def make_course():
    counter = iter(range(1, 10_000))

    def make(provider, **fields):
        n = next(counter)
        values = {"code": f"CRS-{n:04d}", "title": f"Pemasaran Digital {n}", "description": "Belajar berjualan.",
                  "category": "sales", "kind": "webinar", "hours": 8, "schedule": "Sabtu 09.00 WIB", **fields}
        return course_create(provider=provider, actor="system", **values)

    return make


@pytest.fixture
def make_listing(platform, make_course):
    counter = iter(range(1, 10_000))

    def make(provider, *, price=750_000, platform=platform):
        n = next(counter)
        return listing_create(platform=platform, course=make_course(provider), code=f"TKP-{n:05d}", price=price,
                              actor="system")

    return make


@pytest.fixture
def listing(make_listing, provider):
    return make_listing(provider)


@pytest.fixture
def conflicted(make_listing, sister_provider):
    return make_listing(sister_provider)


@pytest.fixture
def manager(db):
    return make_operator("partner_manager", email="manager-1@prakerja.test")


@pytest.fixture
def second_manager(db):
    return make_operator("partner_manager", email="manager-2@prakerja.test")
