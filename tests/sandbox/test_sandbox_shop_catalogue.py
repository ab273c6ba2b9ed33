"""The demo shop's catalogue file is the demo data's Tokopedia listings, as Prakerja approved them.

The sandbox shop cannot read the platform's database (it is the outside
world); it keeps its own copy, prakerja/sandbox/data/shop_tokopedia.json.
This test rebuilds the demo catalogue and compares. When the demo generator
changes on purpose, refresh the file with

    UPDATE_SHOP_CATALOGUE=1 .venv/bin/pytest tests/sandbox/test_sandbox_shop_catalogue.py
"""

import json
import os
from pathlib import Path

from django.utils import translation

from prakerja.catalog.models import Listing, ListingStatus
from prakerja.demo.partners import load_partners
from prakerja.sandbox import shop_catalogue

FILE = Path(shop_catalogue.__file__).parent / "data" / "shop_tokopedia.json"
PLATFORM = "tokopedia"


def export(platform: str) -> dict:
    """What the platform knows of its own listings: the approved ones, with the shopper-facing texts."""
    listings = (Listing.objects.filter(platform__code=platform, status=ListingStatus.APPROVED)
                .select_related("course__provider").order_by("code"))
    with translation.override("id"):
        rows = [{"code": x.code, "title": x.course.title, "provider": x.course.provider.name,
                 "category": str(x.course.get_category_display()), "kind": str(x.course.get_kind_display()),
                 "hours": x.course.hours, "price": x.price, "schedule": x.course.schedule,
                 "location": x.course.location, "description": x.course.description} for x in listings]
    return {"platform": platform, "source": "prakerja/demo/partners.py, approved listings", "listings": rows}


def test_the_shop_catalogue_file_is_the_demo_datas_tokopedia_listings(operator):
    load_partners(operator=operator)
    expected = export(PLATFORM)
    assert expected["listings"], "the demo data has no approved Tokopedia listing"
    if os.environ.get("UPDATE_SHOP_CATALOGUE") == "1":
        FILE.write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    on_file = json.loads(FILE.read_text(encoding="utf-8"))
    assert on_file == expected, ("the demo catalogue changed: refresh the shop's copy with UPDATE_SHOP_CATALOGUE=1 "
                                 ".venv/bin/pytest tests/sandbox/test_sandbox_shop_catalogue.py")


def test_the_shop_reads_every_listing_of_the_file(settings):
    settings.SHOP_CATALOGUE = str(FILE)
    listings = shop_catalogue.listings()
    assert len(listings) == len(json.loads(FILE.read_text(encoding="utf-8"))["listings"])
    example = shop_catalogue.listing("TKP-00123")  # the contract's example listing
    assert example is not None and example.price_label == "Rp750.000"
