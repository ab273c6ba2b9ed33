"""The admin index links the operators' own pages, each only for a role that may open it."""

from django.urls import reverse

from tests.accounts.operators import sign_in


def test_the_partner_manager_finds_the_listings_page_from_the_admin(client, db):
    sign_in(client, "partner_manager")
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("catalog_operators_listings") in page
    assert reverse("cards_operators_revoked") not in page


def test_the_wave_manager_finds_the_revoked_places_but_not_the_listings(client, db):
    sign_in(client, "wave_manager")
    page = client.get(reverse("admin:index")).content.decode()
    assert reverse("cards_operators_revoked") in page
    assert reverse("catalog_operators_listings") not in page
