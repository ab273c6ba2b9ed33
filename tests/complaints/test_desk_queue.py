"""CMP-3, OPS-1: the complaints desk's queue: order and overdue marking against a fixed clock, the counts,
the filters, paging, a query count that does not grow with the page, who may open it (a refusal is
audited), and the tickets the system opens for held completion reports (TRN-4).

The clock is fixed (``desk._now``): Monday 2 March 2026, 10.00 WIB.
"""

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.urls import reverse

from prakerja.audit.models import AuditEntry
from prakerja.complaints import desk
from prakerja.complaints.desk_selectors import desk_counts, normalise_number
from prakerja.complaints.models import Source, Ticket, TicketStatus
from prakerja.complaints.services import ticket_number
from prakerja.learning.completions import completion_decide, completion_report
from tests.accounts.operators import make_operator, sign_in
from tests.learning.conftest import announced_wave, card, issue, watched  # noqa: F401
from tests.learning.trainings import purchase
from tests.partners.conftest import listing, make_listing, platform, provider, ready_card  # noqa: F401

pytestmark = pytest.mark.django_db

WIB = ZoneInfo("Asia/Jakarta")
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=WIB)
QUEUE = reverse("desk_queue")
_n = itertools.count(1)


def make_ticket(*, due=timedelta(hours=5), status=TicketStatus.RECEIVED, category="registration",
                subcategory="cannot_sign_in", source=Source.PARTICIPANT, assigned_to=None, created=None,
                user=None, event_key="") -> Ticket:
    """A ticket written straight to the table; ``due`` is relative to NOW (None: nothing owed)."""
    n = next(_n)
    created = created or NOW - timedelta(days=1, minutes=n)
    if source == Source.SYSTEM and not event_key:
        event_key = f"test:{n}"
    return Ticket.objects.create(
        number=ticket_number(), user=user, source=source, name=f"Peserta {n}", phone="+6281234567890",
        email=f"peserta{n}@example.id", category=category, subcategory=subcategory, description="Tolong dibantu.",
        status=status, assigned_to=assigned_to, event_key=event_key, created_at=created, updated_at=created,
        due_at=NOW + due if due is not None else None,
        resolved_at=created if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED) else None,
        closed_at=created if status == TicketStatus.CLOSED else None)


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(desk, "_now", lambda: NOW)


@pytest.fixture
def agent(client, clock):
    """A complaints agent, reading the pages in English."""
    client.cookies["django_language"] = "en"
    user = sign_in(client, "complaints_agent")
    assert user.has_perm("complaints.view_ticket") and user.has_perm("complaints.work_ticket")
    return user


def ids(response) -> list:
    return [row.pk for row in response.context["rows"]]


# --- order, overdue, counts -----------------------------------------------------------------------------

def test_the_queue_puts_the_most_overdue_first_and_marks_the_overdue(client, agent):
    soon = make_ticket(due=timedelta(hours=5))
    late = make_ticket(due=-timedelta(hours=2), status=TicketStatus.IN_PROGRESS, assigned_to=agent)
    very_late = make_ticket(due=-timedelta(days=1))
    on_the_dot = make_ticket(due=timedelta(0))  # due now: not yet overdue (CMP-2: due_at < now)
    waiting = make_ticket(due=None, status=TicketStatus.WAITING, assigned_to=agent)
    make_ticket(due=None, status=TicketStatus.RESOLVED, assigned_to=agent)
    make_ticket(due=None, status=TicketStatus.CLOSED)

    response = client.get(QUEUE)
    assert response.status_code == 200
    assert ids(response) == [very_late.pk, late.pk, on_the_dot.pk, soon.pk, waiting.pk]
    flags = {row.pk: row.overdue for row in response.context["rows"]}
    assert flags == {very_late.pk: True, late.pk: True, on_the_dot.pk: False, soon.pk: False, waiting.pk: False}
    page = response.content.decode()
    # In words and by a class, not by colour alone.
    assert page.count('data-testid="overdue"') == 2 and page.count('class="ticket-row overdue"') == 2
    assert f'id="ticket-{very_late.public_id}"' in page
    row = page.split(f'id="ticket-{very_late.public_id}"')[1].split("</tr>")[0]
    assert "Overdue" in row and very_late.number in row and "Registration" in row
    assert "I cannot sign in to my account" in row and "Signed-in participant" in row
    assert reverse("desk_ticket", args=[very_late.public_id]) in page
    assert "<caption" in page and 'scope="col"' in page and 'scope="row"' in page
    assert response.context["counts"] == {"new": 3, "overdue": 2, "waiting": 1, "mine": 2}


def test_desk_counts_for_the_back_office_home(agent):
    other = make_operator("complaints_agent", email="agent-2@prakerja.test")
    make_ticket()  # new
    make_ticket(due=-timedelta(minutes=1))  # new and overdue
    make_ticket(status=TicketStatus.IN_PROGRESS, assigned_to=agent, due=-timedelta(hours=1))  # mine, overdue
    make_ticket(status=TicketStatus.RECEIVED, assigned_to=other)  # received but someone has it: not new
    make_ticket(status=TicketStatus.WAITING, assigned_to=agent, due=None)  # mine, waiting
    make_ticket(status=TicketStatus.RESOLVED, assigned_to=agent, due=None)  # not open: counted nowhere
    make_ticket(status=TicketStatus.CLOSED, due=-timedelta(days=3))  # a closed ticket is never overdue
    assert desk_counts(agent, NOW) == {"new": 2, "overdue": 2, "waiting": 1, "mine": 2}
    assert desk_counts(other, NOW)["mine"] == 1
    assert desk_counts(agent, NOW + timedelta(hours=6))["overdue"] == 4  # the clock is the caller's


# --- filters -------------------------------------------------------------------------------------------

@pytest.fixture
def spread(agent):
    other = make_operator("complaints_agent", email="agent-2@prakerja.test")
    return {
        "new": make_ticket(due=timedelta(hours=3)),
        "late_mine": make_ticket(due=-timedelta(hours=1), status=TicketStatus.IN_PROGRESS, assigned_to=agent,
                                 category="purchase", subcategory="redeem_code"),
        "others": make_ticket(due=timedelta(hours=9), status=TicketStatus.IN_PROGRESS, assigned_to=other),
        "waiting": make_ticket(due=None, status=TicketStatus.WAITING, assigned_to=agent, category="purchase",
                               subcategory="payment_failed"),
        "system": make_ticket(due=-timedelta(hours=4), source=Source.SYSTEM, category="certificate",
                              subcategory="completion_held"),
        "locked_out": make_ticket(due=timedelta(hours=20), source=Source.LOCKED_OUT),
        "resolved": make_ticket(due=None, status=TicketStatus.RESOLVED, assigned_to=agent, created=NOW),
        "closed": make_ticket(due=None, status=TicketStatus.CLOSED, assigned_to=other,
                              created=NOW - timedelta(hours=1)),
    }


@pytest.mark.parametrize(("query", "expected"), [
    ({}, ["system", "late_mine", "new", "others", "locked_out", "waiting"]),
    ({"status": "waiting"}, ["waiting"]),
    ({"status": "resolved"}, ["resolved"]),
    ({"status": "closed"}, ["closed"]),
    # Every status, newest first (a look-up list, not the work queue).
    ({"status": "all"}, ["resolved", "closed", "new", "late_mine", "others", "waiting", "system", "locked_out"]),
    ({"category": "purchase"}, ["late_mine", "waiting"]),
    ({"assigned": "mine"}, ["late_mine", "waiting"]),
    ({"assigned": "mine", "status": "all"}, ["resolved", "late_mine", "waiting"]),
    ({"assigned": "unassigned"}, ["system", "new", "locked_out"]),
    ({"overdue": "on"}, ["system", "late_mine"]),
    ({"source": "system"}, ["system"]),
    ({"source": "locked_out"}, ["locked_out"]),
    ({"category": "purchase", "assigned": "mine", "overdue": "on"}, ["late_mine"]),
])
def test_the_filters(client, spread, query, expected):
    response = client.get(QUEUE, query)
    assert response.status_code == 200
    assert ids(response) == [spread[name].pk for name in expected]


def test_a_ticket_number_finds_the_ticket_whatever_the_other_filters_say(client, spread):
    closed = spread["closed"]
    digits = closed.number.replace("PGD-", "").replace("-", "")
    for typed in (closed.number, closed.number.lower(), digits.lower(), f"pgd {digits[:4]} {digits[4:]}"):
        response = client.get(QUEUE, {"number": typed, "status": "waiting", "source": "system"})
        assert ids(response) == [closed.pk], typed
    assert ids(client.get(QUEUE, {"number": "PGD-XXXX-0000"})) == []
    assert "No ticket matches these filters." in client.get(QUEUE, {"number": "PGD-XXXX-0000"}).content.decode()
    assert normalise_number("abcd-efgh") == "PGD-ABCD-EFGH" and normalise_number(" nope ") == "NOPE"


def test_an_unknown_filter_value_shows_the_open_queue(client, spread):
    response = client.get(QUEUE, {"status": "exploded", "category": "nope"})
    assert response.status_code == 200
    assert set(ids(response)) == {t.pk for name, t in spread.items() if name not in ("resolved", "closed")}


def test_the_queue_pages_by_fifty(client, agent):
    made = [make_ticket(due=timedelta(minutes=i)) for i in range(51)]
    first = client.get(QUEUE)
    assert ids(first) == [t.pk for t in made[:50]]
    assert "Page 1 of 2" in first.content.decode()
    assert ids(client.get(QUEUE, {"page": 2})) == [made[50].pk]


def test_an_empty_desk_says_so(client, agent):
    assert "No open ticket: the desk is up to date." in client.get(QUEUE).content.decode()


def test_the_queue_takes_the_same_queries_for_5_rows_and_50(client, agent, django_assert_max_num_queries):
    agents = [make_operator("complaints_agent", email=f"agent-{i}@prakerja.test") for i in range(5)]
    for i in range(5):
        make_ticket(assigned_to=agents[i], status=TicketStatus.IN_PROGRESS, due=-timedelta(hours=i))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(QUEUE).status_code == 200
    for i in range(45):
        make_ticket(assigned_to=agents[i % 5], status=TicketStatus.IN_PROGRESS, source=Source.SYSTEM,
                    category="certificate", subcategory="completion_held", due=timedelta(hours=i))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(QUEUE)
    assert len(response.context["rows"]) == 50


# --- who may --------------------------------------------------------------------------------------------

def test_the_auditor_reads_the_queue(client, clock):
    make_ticket()
    auditor = sign_in(client, "auditor")
    assert auditor.has_perm("complaints.view_ticket") and not auditor.has_perm("complaints.work_ticket")
    response = client.get(QUEUE)
    assert response.status_code == 200 and len(response.context["rows"]) == 1


def test_the_administrator_works_the_queue(client, clock):
    make_ticket()
    sign_in(client, "administrator")
    assert len(client.get(QUEUE).context["rows"]) == 1


@pytest.mark.parametrize("role", ["wave_manager", "finance", "verifier", "partner_manager"])
def test_operators_without_the_role_are_refused_and_audited(client, clock, role):
    ticket = make_ticket()
    user = sign_in(client, role)
    assert not user.has_perm("complaints.view_ticket")
    assert client.get(QUEUE).status_code == 403
    assert client.get(reverse("desk_ticket", args=[ticket.public_id])).status_code == 403
    denied = AuditEntry.objects.filter(action="operator.denied", actor=user).order_by("pk")
    assert [entry.data for entry in denied] == [
        {"path": QUEUE, "method": "GET"},
        {"path": reverse("desk_ticket", args=[ticket.public_id]), "method": "GET"}]


def test_anonymous_and_participants_are_refused(client, clock, make_user):
    login = reverse("account_login")
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(login)
    client.force_login(make_user())
    assert client.get(QUEUE).status_code == 403


def test_an_operator_without_the_second_factor_is_sent_to_it(client, clock):
    client.force_login(make_operator("complaints_agent"))
    response = client.get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_activate_totp"))


# --- tickets the system opens (CMP-3, TRN-4) -----------------------------------------------------------

def _held_report(card, listing):  # noqa: F811
    """A provider reports a redeemed training with another name: the report is held, a ticket opens."""
    payment = purchase(card, listing, state="redeemed")
    with transaction.atomic():
        return completion_report(
            provider=listing.course.provider, code=payment.redeem_code, completed_at=NOW - timedelta(hours=2),
            certificate_number="SKN/2026/0001", certificate_url="https://skillnesia.example/c/1", score=88,
            participant={"name": "Siti Rahmawati", "email": card.user.email, "phone": "+6281234567890"},
            now=NOW - timedelta(hours=1))


def test_a_held_completion_opens_a_system_ticket_in_the_queue_with_its_link(client, agent,
                                                                            ready_card, listing):  # noqa: F811
    completion = _held_report(ready_card, listing)
    ticket = Ticket.objects.get(event_key=f"completion:{completion.public_id}")
    assert (ticket.source, ticket.status, ticket.category, ticket.user) == (
        Source.SYSTEM, TicketStatus.RECEIVED, "certificate", ready_card.user)

    response = client.get(QUEUE, {"source": "system"})
    assert ids(response) == [ticket.pk]
    assert "Opened by the system" in response.content.decode()

    page = client.get(reverse("desk_ticket", args=[ticket.public_id])).content.decode()
    assert f'href="{reverse("operator_completion", args=[completion.public_id])}"' in page
    assert listing.course.title in page and "Held for review" in page

    # The partner manager decides the report: the ticket closes and leaves the open queue.
    with transaction.atomic():
        completion_decide(completion_id=completion.public_id, actor=make_operator("partner_manager"),
                          accept=True, reason="Nama sama, salah ketik di penyedia")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert ids(client.get(QUEUE, {"source": "system"})) == []
    assert ids(client.get(QUEUE, {"source": "system", "status": "closed"})) == [ticket.pk]
