"""The demo shop's catalogue and its demo shoppers: the platform's own data, kept on the platform's side.

A real platform knows its listings because it created them (listing code,
price) and had them approved by Prakerja's operators; the partner API has no
catalogue endpoint. So the shop reads its own copy: a JSON file of the
approved Tokopedia listings of the demo data (prakerja/demo/partners.py),
``data/shop_tokopedia.json``. The sandbox never imports the platform's
models; tests/sandbox/test_sandbox_shop_catalogue.py rebuilds the demo
catalogue in the platform's test database and fails when the file has
drifted (``UPDATE_SHOP_CATALOGUE=1`` rewrites it). ``SANDBOX_SHOP_CATALOGUE``
points the shop at another file (the end-to-end tests use their own).
"""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class ShopListing:
    code: str
    title: str
    provider: str
    category: str  # the category's Indonesian label
    kind: str  # "Webinar", "Self-Paced Learning", "Luring"...
    hours: int
    price: int
    schedule: str = ""
    location: str = ""
    description: str = ""

    @property
    def price_label(self) -> str:
        return rupiah(self.price)


@dataclass(frozen=True)
class Shopper:
    """A demo account "logged in" at the shop: ``user_id`` is the contract's ``platform_user_id``."""

    user_id: str
    name: str
    email: str
    phone: str


# Rina Kartika is `make run`'s demo participant (passed an announced wave, her card is on her dashboard).
SHOPPERS = (
    Shopper("u-10001", "Rina Kartika", "rina@prakerja.test", "+6281200000098"),
    Shopper("u-10002", "Siti Rahmawati", "siti@prakerja.test", "+6281200000011"),
    Shopper("u-10003", "Budi Santoso", "budi@example.id", "+6281300000003"),
)


def shopper(user_id: str | None) -> Shopper:
    return next((s for s in SHOPPERS if s.user_id == user_id), SHOPPERS[0])


def rupiah(amount: int | None) -> str:
    return "" if amount is None else "Rp" + f"{amount:,}".replace(",", ".")


@lru_cache(maxsize=4)
def _load(path: str) -> tuple[ShopListing, ...]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(ShopListing(**item) for item in data["listings"])


def listings() -> tuple[ShopListing, ...]:
    return _load(settings.SHOP_CATALOGUE)


def listing(code: str) -> ShopListing | None:
    return next((x for x in listings() if x.code == code), None)


def categories() -> list[str]:
    return sorted({x.category for x in listings()})
