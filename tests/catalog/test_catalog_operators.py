"""TRN-1, OPS-1, OPS-2: partner managers decide on listings from their pages; others read or are refused."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prakerja.audit.models import AuditEntry
from prakerja.catalog.models import Listing, ListingStatus
from tests.accounts.operators import make_operator
from tests.conftest import pass_second_factor

pytestmark = pytest.mark.django_db
LISTINGS, PARTNERS = "catalog_operators_listings", "catalog_operators_partners"


def approve_url(listing):
    return reverse("catalog_operators_listing_approve", args=[listing.public_id])


def reject_url(listing):
    return reverse("catalog_operators_listing_reject", args=[listing.public_id])


@pytest.fixture
def signed_in(client, manager):
    pass_second_factor(client, manager)
    return client


@pytest.mark.parametrize("role", ["partner_manager", "administrator"])
def test_deciders_see_pending_listings_with_forms(client, listing, conflicted, role):
    pass_second_factor(client, make_operator(role))
    response = client.get(reverse(LISTINGS))
    assert response.status_code == 200
    page = response.content.decode()
    assert listing.code in page and conflicted.code in page
    assert approve_url(listing) in page and reject_url(listing) in page
    # The conflicted listing first, and marked.
    assert [x.pk for x in response.context["listings"]] == [conflicted.pk, listing.pk]
    assert page.count('data-testid="conflict"') == 1


def test_the_auditor_reads_and_cannot_decide(client, listing):
    pass_second_factor(client, make_operator("auditor"))
    page = client.get(reverse(LISTINGS)).content.decode()
    assert listing.code in page and approve_url(listing) not in page and reject_url(listing) not in page
    assert client.get(reverse(PARTNERS)).status_code == 200
    assert client.post(approve_url(listing)).status_code == 403
    assert client.post(reject_url(listing), {"reason": "tidak"}).status_code == 403
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING


@pytest.mark.parametrize("role", ["wave_manager", "verifier", "finance", "complaints_agent"])
def test_other_roles_are_refused(client, listing, role):
    pass_second_factor(client, make_operator(role))
    for url in (reverse(LISTINGS), reverse(PARTNERS)):
        assert client.get(url).status_code == 403, url
    assert client.post(approve_url(listing)).status_code == 403
    assert client.post(reject_url(listing), {"reason": "tidak"}).status_code == 403
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING


def test_anonymous_and_participants_are_refused(client, listing, registrant):
    for url in (reverse(LISTINGS), reverse(PARTNERS)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.post(approve_url(listing))["Location"].startswith(reverse("account_login"))
    client.force_login(registrant)
    assert client.get(reverse(LISTINGS)).status_code == 403
    assert client.post(approve_url(listing)).status_code == 403


def test_an_operator_without_the_second_factor_is_sent_to_it(client, manager, listing):
    client.force_login(manager)  # never set up TOTP
    for url in (reverse(LISTINGS), reverse(PARTNERS)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_activate_totp"))
    TOTP.activate(manager, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")  # set up, but this session did not pass it
    response = client.post(approve_url(listing))
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauthenticate"))
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING


def test_approving_from_the_page(signed_in, listing, manager):
    response = signed_in.post(approve_url(listing), {"reason": "harga wajar"})
    assert response.status_code == 302 and response["Location"] == reverse(LISTINGS)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.APPROVED and listing.decided_by == manager
    assert AuditEntry.objects.get(action="listing.approve").reason == "harga wajar"
    assert list(signed_in.get(reverse(LISTINGS)).context["listings"]) == []  # only pending ones


def test_a_conflicted_listing_through_the_pages_needs_two_people(client, conflicted, manager, second_manager):
    pass_second_factor(client, manager)
    assert client.post(approve_url(conflicted)).status_code == 302
    conflicted.refresh_from_db()
    assert conflicted.status == ListingStatus.PENDING and conflicted.first_approver == manager
    page = client.get(reverse(LISTINGS)).content.decode()
    assert 'data-testid="first-approver"' in page and manager.email in page
    assert approve_url(conflicted) not in page  # no button to approve one's own listing twice
    response = client.post(approve_url(conflicted))  # posted anyway
    assert response.status_code == 409
    assert "pengelola mitra lain" in response.content.decode()
    conflicted.refresh_from_db()
    assert conflicted.status == ListingStatus.PENDING
    pass_second_factor(client, second_manager)
    page = client.get(reverse(LISTINGS)).content.decode()
    assert manager.email in page and approve_url(conflicted) in page
    assert client.post(approve_url(conflicted)).status_code == 302
    conflicted.refresh_from_db()
    assert conflicted.status == ListingStatus.APPROVED and conflicted.decided_by == second_manager


def test_rejecting_without_a_reason_is_refused_on_the_page(signed_in, listing):
    for data in ({}, {"reason": ""}, {"reason": "   "}):
        response = signed_in.post(reject_url(listing), data)
        assert response.status_code == 400
        row = next(x for x in response.context["listings"] if x.pk == listing.pk)
        assert row.errors, data
    listing.refresh_from_db()
    assert listing.status == ListingStatus.PENDING
    assert not AuditEntry.objects.filter(action="listing.reject").exists()


def test_rejecting_with_a_reason(signed_in, listing, manager):
    response = signed_in.post(reject_url(listing), {"reason": "Kurikulum tidak sesuai"})
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.status == ListingStatus.REJECTED and listing.reason == "Kurikulum tidak sesuai"
    assert AuditEntry.objects.get(action="listing.reject").actor_id == manager.pk


def test_a_decided_listing_cannot_be_decided_again(signed_in, listing):
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.REJECTED, reason="x")
    assert signed_in.post(approve_url(listing)).status_code == 409
    listing.refresh_from_db()
    assert listing.status == ListingStatus.REJECTED


def test_unknown_listings_and_gets_on_the_forms(signed_in, listing):
    import uuid

    missing = reverse("catalog_operators_listing_approve", args=[uuid.uuid4()])
    assert signed_in.post(missing).status_code == 404
    assert signed_in.get(approve_url(listing)).status_code == 405


def test_the_listings_page_costs_the_same_queries_however_many_listings(signed_in, make_listing, provider,
                                                                        sister_provider, manager, second_manager):
    make_listing(provider)
    first = make_listing(sister_provider)
    signed_in.get(reverse(LISTINGS))  # warm: the session, the permissions
    with CaptureQueriesContext(connection) as few:
        assert signed_in.get(reverse(LISTINGS)).status_code == 200
    for _n in range(8):
        make_listing(provider)
        make_listing(sister_provider)
    Listing.objects.filter(pk=first.pk).update(first_approver=second_manager)
    with CaptureQueriesContext(connection) as many:
        response = signed_in.get(reverse(LISTINGS))
    assert len(response.context["listings"]) == 18
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]


def test_the_listings_page_is_paged(signed_in, make_listing, provider):
    for _n in range(52):
        make_listing(provider)
    assert len(signed_in.get(reverse(LISTINGS)).context["listings"]) == 50
    assert len(signed_in.get(reverse(LISTINGS), {"page": 2}).context["listings"]) == 2


def test_the_partners_page_counts_in_one_query(signed_in, listing, conflicted, platform, provider, sister_provider,
                                               manager):
    signed_in.post(approve_url(listing))
    signed_in.get(reverse(PARTNERS))
    with CaptureQueriesContext(connection) as queries:
        response = signed_in.get(reverse(PARTNERS))
    rows = {p.code: p for p in response.context["partners"]}
    assert (rows["tokopedia"].listings_approved, rows["tokopedia"].listings_pending) == (1, 1)
    assert (rows["lpk-mandiri"].course_count, rows["lpk-saudara"].course_count) == (1, 1)
    partner_queries = [q["sql"] for q in queries.captured_queries if "partners_partner" in q["sql"]]
    assert len(partner_queries) == 1
    page = response.content.decode()
    assert "secret-tokopedia" not in page and "Tokopedia" in page
