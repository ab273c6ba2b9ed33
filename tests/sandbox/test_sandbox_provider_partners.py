"""The provider desk signs as the demo providers of prakerja/demo/partners.py, with their demo secrets.

The sandbox keeps its own copy of the list (it cannot import the platform's
demo module); this test fails when the two drift apart.
"""

import json
from pathlib import Path

from prakerja.demo.partners import PROVIDERS as DEMO_PROVIDERS
from prakerja.sandbox import shop_catalogue
from prakerja.sandbox.provider_client import PROVIDERS, provider_by_code, provider_by_name


def test_the_desk_knows_the_demo_providers_and_their_secrets():
    assert [(p.code, p.name, p.prefix, p.secret) for p in PROVIDERS] == [
        (p.code, p.name, p.prefix, p.secret) for p in DEMO_PROVIDERS]


def test_providers_are_found_by_code_and_by_the_shops_provider_name():
    assert provider_by_code("widya-karya").name == "Widya Karya Edukasi"
    assert provider_by_name("LPK Nusantara Cendekia").code == "nusantara-cendekia"
    assert provider_by_code("tokopedia") is None and provider_by_name("") is None


def test_every_provider_the_demo_shop_sells_has_a_desk():
    """The shop's order page links to the desk with the course; the desk finds its provider by name."""
    data = json.loads((Path(shop_catalogue.__file__).parent / "data" / "shop_tokopedia.json").read_text())
    names = {item["provider"] for item in data["listings"]}
    assert names and all(provider_by_name(name) for name in names)
