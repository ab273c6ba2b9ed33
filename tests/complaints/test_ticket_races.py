"""CMP-2 under real concurrency (PostgreSQL, real threads): the ticket row is locked before its status is
read, so moves that exclude each other never both happen."""

import pytest

from prakerja.complaints.models import Author, TicketMessage, TicketStatus
from prakerja.complaints.services import (
    ticket_assign,
    ticket_close_by_participant,
    ticket_open,
    ticket_reply_agent,
    ticket_reply_participant,
    ticket_resolve,
)
from prakerja.complaints.states import TicketStateError
from tests.accounts.operators import make_operator
from tests.registry.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]


@pytest.fixture
def people(make_user):
    participant = make_user(email="rina@example.id", full_name="Rina Kartika")
    agents = [make_operator("complaints_agent", email=f"agent{i}@prakerja.test") for i in range(2)]
    return participant, agents


def opened(participant):
    return ticket_open(user=participant, name="Rina Kartika", phone="+6281200000098", email=participant.email,
                       category="videos", subcategory="video_wont_play", description="Video 2 macet.", consent=True)


def test_a_reply_racing_the_close_of_a_resolved_ticket_one_wins(people):
    """Closing and writing again exclude each other: never a closed ticket with a message after it closed."""
    participant, (agent, _other) = people
    for _round in range(5):
        ticket = opened(participant)
        ticket_resolve(ticket_id=ticket.pk, agent=agent, body="Sudah kami perbaiki.")
        results = run_together(
            lambda pk=ticket.pk: ticket_reply_participant(ticket_id=pk, user=participant, body="Masih macet."),
            lambda pk=ticket.pk: ticket_close_by_participant(ticket_id=pk, user=participant))
        ticket.refresh_from_db()
        refused = [r for r in results if isinstance(r, TicketStateError)]
        if ticket.status == TicketStatus.CLOSED:
            # The close went first; the reply then met a closed ticket.
            assert [r.code for r in refused] == ["ticket_closed"], results
            assert not TicketMessage.objects.filter(ticket=ticket, author=Author.PARTICIPANT).exists()
        else:
            # The reply went first and reopened it; a resolved ticket may close, an open one may not.
            assert ticket.status == TicketStatus.IN_PROGRESS
            assert [r.code for r in refused] == ["ticket_bad_move"], results
            assert TicketMessage.objects.filter(ticket=ticket, author=Author.PARTICIPANT).count() == 1


def test_two_agents_resolving_at_once_resolve_it_once(people):
    participant, agents = people
    ticket = opened(participant)
    results = run_together(*[
        (lambda a=a: ticket_resolve(ticket_id=ticket.pk, agent=a, body=f"Selesai oleh {a.email}."))
        for a in agents])
    refused = [r for r in results if isinstance(r, TicketStateError)]
    assert len(refused) == 1, results
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert TicketMessage.objects.filter(ticket=ticket, author=Author.AGENT).count() == 1


def test_two_agents_taking_one_ticket_leave_one_assignee_and_two_audit_rows(people):
    from prakerja.audit.models import AuditEntry

    participant, agents = people
    ticket = opened(participant)
    results = run_together(*[(lambda a=a: ticket_assign(ticket_id=ticket.pk, agent=a, assignee=a)) for a in agents])
    assert not [r for r in results if isinstance(r, Exception)], results
    ticket.refresh_from_db()
    assert ticket.assigned_to in agents and ticket.status == TicketStatus.IN_PROGRESS
    rows = AuditEntry.objects.filter(action="complaint.assign", target_id=str(ticket.public_id)).order_by("id")
    # The second saw the first's assignment under the lock: its row says whom it took the ticket from.
    assert [row.data["from"] for row in rows] == [None, rows[0].data["to"]]


def test_an_answer_racing_the_participants_reply_keeps_both_messages(people):
    participant, (agent, _other) = people
    ticket = opened(participant)
    ticket_reply_agent(ticket_id=ticket.pk, agent=agent, body="Perangkat apa yang kamu pakai?",
                       wait_for_participant=True)
    results = run_together(
        lambda: ticket_reply_participant(ticket_id=ticket.pk, user=participant, body="HP Android."),
        lambda: ticket_reply_agent(ticket_id=ticket.pk, agent=agent, body="Kami cek dulu."))
    assert not [r for r in results if isinstance(r, Exception)], results
    ticket.refresh_from_db()
    assert ticket.messages.count() == 3
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.due_at is not None
