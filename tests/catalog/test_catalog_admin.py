"""The back office for partners and the catalogue: read-only rows, secrets never shown, approval only
through the service (OPS-1, OPS-4)."""

import pytest
from django.urls import reverse

from prakerja.audit.models import AuditEntry
from prakerja.catalog.models import ListingStatus
from prakerja.partners.models import PartnerSecret
from tests.accounts.operators import make_operator
from tests.conftest import pass_second_factor

pytestmark = pytest.mark.django_db


def test_a_partner_page_never_shows_a_secret(client, platform):
    pass_second_factor(client, make_operator("administrator"))
    secret = PartnerSecret.objects.get(partner=platform)
    for url in (reverse("admin:partners_partner_changelist"), reverse("admin:partners_partner_change",
                                                                       args=[platform.pk])):
        page = client.get(url).content.decode()
        assert "Tokopedia" in page
        assert "secret-tokopedia" not in page and secret.secret_encrypted not in page
    assert client.get(reverse("admin:partners_partner_changelist"), {"q": "toko"}).status_code == 200


@pytest.mark.parametrize("role", ["partner_manager", "auditor"])
def test_partner_rows_are_read_only(client, platform, listing, role):
    pass_second_factor(client, make_operator(role))
    assert client.get(reverse("admin:partners_partner_changelist")).status_code == 200
    assert client.get(reverse("admin:catalog_listing_changelist")).status_code == 200
    assert client.get(reverse("admin:catalog_course_changelist")).status_code == 200
    assert client.get(reverse("admin:partners_webhookdelivery_changelist")).status_code == 200
    assert client.get(reverse("admin:partners_partner_add")).status_code == 403
    assert client.post(reverse("admin:catalog_listing_change", args=[listing.pk]),
                       {"status": "approved"}).status_code == 403
    assert client.get(reverse("admin:partners_idempotencyrecord_changelist")).status_code == 403
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING


def test_the_admin_action_approves_through_the_service(client, listing, conflicted, manager):
    pass_second_factor(client, manager)
    response = client.post(reverse("admin:catalog_listing_changelist"), {
        "action": "approve", "_selected_action": [listing.pk, conflicted.pk]})
    assert response.status_code == 302
    listing.refresh_from_db()
    conflicted.refresh_from_db()
    assert listing.status == ListingStatus.APPROVED and listing.decided_by == manager
    # Conflicted: the first approval only.
    assert conflicted.status == ListingStatus.PENDING and conflicted.first_approver == manager
    assert AuditEntry.objects.filter(action="listing.approve").count() == 1
    assert AuditEntry.objects.filter(action="listing.approve_first").count() == 1
    # The same person again through the admin: refused, still pending.
    client.post(reverse("admin:catalog_listing_changelist"), {"action": "approve",
                                                              "_selected_action": [conflicted.pk]})
    conflicted.refresh_from_db()
    assert conflicted.status == ListingStatus.PENDING


def test_the_auditor_has_no_approve_action(client, listing):
    pass_second_factor(client, make_operator("auditor"))
    response = client.post(reverse("admin:catalog_listing_changelist"), {
        "action": "approve", "_selected_action": [listing.pk]})
    assert response.status_code in (200, 302)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING
