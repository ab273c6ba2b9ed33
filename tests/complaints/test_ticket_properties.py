"""Property tests (hypothesis): any sequence of what people and agents do to a ticket keeps CMP-2's rules.

After every step the ticket's status is what a plain model of the state machine says; a closed ticket
never changes again and gets no message; the desk owes an answer (``due_at``) exactly while the ticket is
received or in progress; the first answer's time never moves; every refused step changed nothing.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prakerja.complaints.models import TicketStatus as S
from prakerja.complaints.services import (
    ComplaintError,
    ticket_assign,
    ticket_close_by_participant,
    ticket_open,
    ticket_reply_agent,
    ticket_reply_participant,
    ticket_resolve,
    tickets_close_resolved,
)
from tests.accounts.operators import make_operator

ACTIONS = ["participant_reply", "agent_reply", "agent_ask", "assign", "resolve", "participant_close", "timeout"]


def model(status: str, action: str) -> str | None:
    """The rules written out plainly: the next status, or None when the step must be refused."""
    if action == "timeout":  # the periodic close, run long after: only a resolved ticket closes, nothing fails
        return S.CLOSED if status in (S.RESOLVED, S.CLOSED) else status
    if status == S.CLOSED:
        return None
    if action == "participant_reply":
        return S.IN_PROGRESS if status in (S.WAITING, S.RESOLVED) else status
    if action in ("agent_reply", "agent_ask"):  # an answer to a resolved ticket reopens it
        return S.WAITING if action == "agent_ask" else S.IN_PROGRESS
    if action == "assign":
        return S.IN_PROGRESS if status == S.RECEIVED else status
    if action == "resolve":
        return S.RESOLVED if status != S.RESOLVED else None
    if action == "participant_close":
        return S.CLOSED if status == S.RESOLVED else None
    raise AssertionError(action)


@pytest.mark.django_db
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(ACTIONS), max_size=12))
def test_any_sequence_follows_the_state_machine(make_user, actions):
    from prakerja.accounts.models import User

    participant = User.objects.filter(email="rina@example.id").first() or make_user(email="rina@example.id")
    agent = User.objects.filter(email="agent@prakerja.test").first() or make_operator(
        "complaints_agent", email="agent@prakerja.test")
    now = timezone.now()
    ticket = ticket_open(user=participant, name="Rina", phone="", email=participant.email, category="other",
                         subcategory="other", description="Tolong dibantu.", consent=True, now=now)
    status, first_response = S.RECEIVED, None
    for step, action in enumerate(actions, start=1):
        now += timedelta(hours=1)
        before = ticket.__class__.objects.get(pk=ticket.pk)
        messages_before = before.messages.count()
        expected = model(status, action)
        try:
            if action == "participant_reply":
                ticket_reply_participant(ticket_id=ticket.pk, user=participant, body=f"Pesan {step}", now=now)
            elif action in ("agent_reply", "agent_ask"):
                ticket_reply_agent(ticket_id=ticket.pk, agent=agent, body=f"Jawaban {step}", now=now,
                                   wait_for_participant=action == "agent_ask")
            elif action == "assign":
                ticket_assign(ticket_id=ticket.pk, agent=agent, assignee=agent, now=now)
            elif action == "resolve":
                ticket_resolve(ticket_id=ticket.pk, agent=agent, body=f"Selesai {step}", now=now)
            elif action == "participant_close":
                ticket_close_by_participant(ticket_id=ticket.pk, user=participant, now=now)
            elif action == "timeout":
                now += timedelta(days=30)
                tickets_close_resolved(now=now)
        except ComplaintError:
            assert expected is None, f"{action} refused from {status}"
            after = ticket.__class__.objects.get(pk=ticket.pk)
            assert (after.status, after.updated_at, after.messages.count()) == (
                before.status, before.updated_at, messages_before), "a refused step changed the ticket"
            continue
        assert expected is not None, f"{action} allowed from {status}"
        ticket.refresh_from_db()
        status = expected
        assert ticket.status == status, (actions[:step], ticket.status)
        # The desk owes an answer exactly while the ticket is received or in progress.
        assert (ticket.due_at is not None) == (status in (S.RECEIVED, S.IN_PROGRESS)), (actions[:step], ticket.due_at)
        if action in ("agent_reply", "agent_ask", "resolve") and first_response is None:
            first_response = now
        assert ticket.first_response_at == first_response
        assert (ticket.closed_at is not None) == (status == S.CLOSED)
        assert (ticket.resolved_at is not None) == (status in (S.RESOLVED, S.CLOSED))
    if status == S.CLOSED:
        assert not ticket.messages.filter(created_at__gt=ticket.closed_at).exists()
