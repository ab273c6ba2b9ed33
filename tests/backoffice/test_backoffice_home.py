"""Issue 20, item 1: the operators' home says what needs doing, and each role sees exactly its part."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from prakerja.backoffice.selectors import ITEMS
from prakerja.catalog.models import ListingStatus
from prakerja.complaints.models import Source, Ticket, TicketStatus
from prakerja.registry.models import Profile
from prakerja.selection.models import SelectionRun
from prakerja.waves.models import Wave
from tests.accounts.operators import sign_in
from tests.learning.conftest import (  # noqa: F401
    announced_wave,
    card,
    issue,
    listing,
    make_listing,
    platform,
    provider,
    queued,
    watched,
)
from tests.learning.trainings import purchase

HOME = "/backoffice/"
WAVE_ITEMS = {"waves_to_close", "waves_to_run", "runs_failed", "waves_to_review", "waves_to_publish",
              "imports_running"}
TICKET_ITEMS = {"tickets_new", "tickets_overdue", "tickets_in_progress", "tickets_waiting"}
PARTS = {
    "administrator": {item.key for item in ITEMS},
    "wave_manager": WAVE_ITEMS,
    "verifier": {"identities_waiting"},
    "finance": set(),
    "complaints_agent": TICKET_ITEMS,
    "partner_manager": {"completions_held", "listings_pending"},
    "auditor": set(),
}


def shown(page: str) -> set[str]:
    import re

    return set(re.findall(r'data-testid="item-([a-z_]+)"', page))


@pytest.mark.parametrize("role", sorted(PARTS))
def test_each_role_sees_exactly_its_part(client, db, role):
    sign_in(client, role)
    response = client.get(HOME)
    assert response.status_code == 200
    assert shown(response.content.decode()) == PARTS[role]


def test_every_item_belongs_to_some_role_but_the_administrator():
    """No item only the superuser sees: each is somebody's work."""
    others = set().union(*(keys for role, keys in PARTS.items() if role != "administrator"))
    assert others == {item.key for item in ITEMS}


def test_a_participant_may_not_open_it(client, applicant):
    client.force_login(applicant)
    assert client.get(HOME).status_code == 403


def test_signed_out_goes_to_sign_in(client, db):
    response = client.get(HOME)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def ticket(number, status=TicketStatus.RECEIVED, *, due=None, assigned=None, **fields):
    now = timezone.now()
    return Ticket.objects.create(number=number, source=Source.PARTICIPANT, name="Siti", email="siti@example.id",
                                 category="other", subcategory="other", description="Tolong.", status=status,
                                 created_at=now, updated_at=now, due_at=due, assigned_to=assigned,
                                 closed_at=now if status == TicketStatus.CLOSED else None, **fields)


def count(page: str, key: str) -> int:
    import re

    found = re.search(rf'data-testid="count-{key}">([\d.,]+)<', page)
    return int(found.group(1).replace(".", "").replace(",", ""))


def test_counts_are_what_needs_doing(client, db, make_wave, card, listing, make_listing, platform):  # noqa: F811
    """Crafted work of every kind; the administrator's home counts each exactly."""
    now = timezone.now()
    make_wave(number=1, opens=-5, closes=-1, announce=3)  # past closing, not closed: to close
    to_run = make_wave(number=2, opens=-9, closes=-8, announce=4)
    Wave.objects.filter(pk=to_run.pk).update(closed_at=now)
    failed = make_wave(number=3, opens=-19, closes=-18, announce=5)
    Wave.objects.filter(pk=failed.pk).update(closed_at=now)
    SelectionRun.objects.create(wave=failed, status="failed")  # to run again, and a failed run
    review = make_wave(number=4, opens=-29, closes=-28, announce=6)
    Wave.objects.filter(pk=review.pk).update(closed_at=now)
    SelectionRun.objects.create(wave=review, status="done")  # announced later: to review
    publish = make_wave(number=5, opens=-39, closes=-38, announce=-1)
    Wave.objects.filter(pk=publish.pk).update(closed_at=now)
    SelectionRun.objects.create(wave=publish, status="done")  # announcement passed: to publish
    make_wave(number=6, opens=-1, closes=3, announce=5)  # open: nothing to do
    purchase(card, listing, state="held")
    purchase(card, listing, state="held")
    purchase(card, listing, state="finished")
    make_listing(platform, status=ListingStatus.PENDING)
    Profile.objects.filter(user=card.user).update(identity_status="pending")
    agent = sign_in(client, "administrator")
    ticket("PGD-AAAA-0001")  # new
    ticket("PGD-AAAA-0002", due=now - timedelta(hours=1))  # new and overdue
    ticket("PGD-AAAA-0003", TicketStatus.IN_PROGRESS, due=now + timedelta(hours=5), assigned=agent)
    ticket("PGD-AAAA-0004", TicketStatus.WAITING)
    ticket("PGD-AAAA-0005", TicketStatus.WAITING)
    ticket("PGD-AAAA-0006", TicketStatus.RESOLVED, due=now - timedelta(days=3))  # resolved: never overdue
    ticket("PGD-AAAA-0007", TicketStatus.CLOSED)

    page = client.get(HOME).content.decode()

    assert {key: count(page, key) for key in sorted(shown(page))} == {
        "completions_held": 2, "identities_waiting": 1, "imports_running": 0, "listings_pending": 1,
        "runs_failed": 1, "tickets_in_progress": 1, "tickets_new": 2, "tickets_overdue": 1, "tickets_waiting": 2,
        "waves_to_close": 1, "waves_to_publish": 1, "waves_to_review": 1, "waves_to_run": 2}


def test_each_item_links_where_the_work_is_done(client, db):
    sign_in(client, "administrator")
    page = client.get(HOME).content.decode()
    assert reverse("operator_completions") in page
    assert reverse("catalog_operators_listings") in page
    assert reverse("desk_queue") + "?overdue=on" in page
    assert reverse("stats_home") in page


def test_the_home_is_where_an_operator_lands(client, db):
    """Signing in as an operator opens the back office home, not the admin index."""
    from prakerja.accounts.adapter import AccountAdapter
    from tests.accounts.operators import make_operator

    user = make_operator("complaints_agent")
    request = type("R", (), {"user": user})()
    assert AccountAdapter().get_login_redirect_url(request) == reverse("backoffice_home")


def test_the_home_is_in_indonesian_by_default(client, db):
    sign_in(client, "complaints_agent")
    page = client.get(HOME).content.decode()
    assert "Pengaduan" in page
