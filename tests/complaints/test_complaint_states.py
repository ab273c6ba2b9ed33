"""CMP-2: the ticket's state machine (states.py), every allowed and every refused move, and the services that
move tickets: what each does from each status, what it records, and what it refuses.
"""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.complaints import states
from prakerja.complaints.models import Author, Evidence, PendingComplaint, Ticket, TicketMessage, TicketStatus
from prakerja.complaints.services import (
    CODE_ATTEMPTS,
    ComplaintError,
    EvidenceFile,
    pending_complaint_start,
    pending_complaints_purge,
    system_ticket_close,
    system_ticket_open,
    ticket_assign,
    ticket_close_by_participant,
    ticket_open,
    ticket_reply_agent,
    ticket_reply_participant,
    ticket_resolve,
    tickets_close_resolved,
)

pytestmark = pytest.mark.django_db

S = TicketStatus
ALLOWED = {
    (S.RECEIVED, S.IN_PROGRESS), (S.RECEIVED, S.WAITING), (S.RECEIVED, S.RESOLVED),
    (S.IN_PROGRESS, S.WAITING), (S.IN_PROGRESS, S.RESOLVED),
    (S.WAITING, S.IN_PROGRESS), (S.WAITING, S.RESOLVED),
    (S.RESOLVED, S.IN_PROGRESS), (S.RESOLVED, S.WAITING), (S.RESOLVED, S.CLOSED),
}
EVERY_PAIR = list(itertools.product(S.values, S.values))


class FakeTicket:
    def __init__(self, status):
        self.status = status


@pytest.mark.parametrize(("old", "new"), EVERY_PAIR)
def test_every_move_is_allowed_or_refused_as_the_diagram_says(old, new):
    ticket = FakeTicket(old)
    assert states.can_move(old, new) is ((old, new) in ALLOWED)
    if (old, new) in ALLOWED:
        states.move(ticket, new)
        assert ticket.status == new
        return
    with pytest.raises(states.TicketStateError) as error:
        states.move(ticket, new)
    assert error.value.code == ("ticket_closed" if old == S.CLOSED else "ticket_bad_move")
    assert ticket.status == old


def test_every_status_is_in_the_table():
    assert set(states.MOVES) == set(S.values)
    assert states.MOVES[S.CLOSED] == frozenset()  # closed is final


def test_the_refusal_names_both_statuses():
    from django.utils import translation

    with translation.override("en"), pytest.raises(states.TicketStateError) as error:
        states.move(FakeTicket(S.RECEIVED), S.CLOSED)
    assert str(error.value.message) == "This ticket cannot go from Received to Closed."


# --- the services, from each status -------------------------------------------------------------------------

@pytest.fixture
def at(participant, make_ticket):
    """A ticket of ``participant`` put straight into ``status``."""
    def make(status):
        ticket = make_ticket(participant)
        now = timezone.now()
        Ticket.objects.filter(pk=ticket.pk).update(
            status=status, resolved_at=now if status in (S.RESOLVED, S.CLOSED) else None,
            closed_at=now if status == S.CLOSED else None)
        ticket.refresh_from_db()
        return ticket
    return make


def status_of(ticket) -> str:
    ticket.refresh_from_db()
    return ticket.status


@pytest.mark.parametrize(("start", "end"), [(S.RECEIVED, S.RECEIVED), (S.IN_PROGRESS, S.IN_PROGRESS),
                                            (S.WAITING, S.IN_PROGRESS), (S.RESOLVED, S.IN_PROGRESS),
                                            (S.CLOSED, None)])
def test_the_participant_writes(at, participant, start, end):
    ticket = at(start)
    if end is None:
        with pytest.raises(states.TicketStateError) as error:
            ticket_reply_participant(ticket_id=ticket.pk, user=participant, body="Masih bermasalah.")
        assert error.value.code == "ticket_closed" and not TicketMessage.objects.exists()
        return
    message = ticket_reply_participant(ticket_id=ticket.pk, user=participant, body="Masih bermasalah.")
    assert message.author == Author.PARTICIPANT and status_of(ticket) == end
    assert ticket.due_at is not None and ticket.resolved_at is None  # the desk owes an answer again
    assert AuditEntry.objects.filter(action="complaint.participant_reply", target_id=str(ticket.public_id)).exists()


@pytest.mark.parametrize(("start", "wait", "end"), [
    (S.RECEIVED, False, S.IN_PROGRESS), (S.RECEIVED, True, S.WAITING),
    (S.IN_PROGRESS, False, S.IN_PROGRESS), (S.IN_PROGRESS, True, S.WAITING),
    (S.WAITING, False, S.IN_PROGRESS), (S.WAITING, True, S.WAITING),
    (S.RESOLVED, False, S.IN_PROGRESS), (S.RESOLVED, True, S.WAITING),
    (S.CLOSED, False, None), (S.CLOSED, True, None),
])
def test_the_desk_answers(at, complaints_agent, start, wait, end):
    ticket = at(start)
    if end is None:
        with pytest.raises(states.TicketStateError):
            ticket_reply_agent(ticket_id=ticket.pk, agent=complaints_agent, body="Jawaban.", wait_for_participant=wait)
        assert status_of(ticket) == start
        return
    ticket_reply_agent(ticket_id=ticket.pk, agent=complaints_agent, body="Jawaban.", wait_for_participant=wait)
    assert status_of(ticket) == end
    assert ticket.first_response_at is not None and ticket.assigned_to == complaints_agent
    assert (ticket.due_at is None) is wait  # nothing owed while the participant is asked


@pytest.mark.parametrize(("start", "ok"), [(S.RECEIVED, True), (S.IN_PROGRESS, True), (S.WAITING, True),
                                           (S.RESOLVED, False), (S.CLOSED, False)])
def test_the_desk_resolves(at, complaints_agent, start, ok):
    ticket = at(start)
    if not ok:
        with pytest.raises(states.TicketStateError):
            ticket_resolve(ticket_id=ticket.pk, agent=complaints_agent, body="Selesai.")
        return
    ticket_resolve(ticket_id=ticket.pk, agent=complaints_agent, body="Selesai.")
    assert status_of(ticket) == S.RESOLVED and ticket.resolved_at is not None and ticket.due_at is None


@pytest.mark.parametrize(("start", "ok"), [(S.RECEIVED, False), (S.IN_PROGRESS, False), (S.WAITING, False),
                                           (S.RESOLVED, True), (S.CLOSED, False)])
def test_the_participant_closes_only_a_resolved_ticket(at, participant, start, ok):
    ticket = at(start)
    if not ok:
        with pytest.raises(states.TicketStateError):
            ticket_close_by_participant(ticket_id=ticket.pk, user=participant)
        assert status_of(ticket) == start
        return
    ticket_close_by_participant(ticket_id=ticket.pk, user=participant)
    assert status_of(ticket) == S.CLOSED and ticket.closed_at is not None
    assert AuditEntry.objects.get(action="complaint.close").data == {"by": "participant"}


@pytest.mark.parametrize(("start", "end"), [(S.RECEIVED, S.IN_PROGRESS), (S.IN_PROGRESS, S.IN_PROGRESS),
                                            (S.WAITING, S.WAITING), (S.RESOLVED, S.RESOLVED), (S.CLOSED, None)])
def test_assigning(at, complaints_agent, start, end):
    ticket = at(start)
    if end is None:
        with pytest.raises(states.TicketStateError):
            ticket_assign(ticket_id=ticket.pk, agent=complaints_agent, assignee=complaints_agent)
        return
    ticket_assign(ticket_id=ticket.pk, agent=complaints_agent, assignee=complaints_agent)
    assert status_of(ticket) == end and ticket.assigned_to == complaints_agent


def test_only_an_agent_works_tickets(at, participant):
    ticket = at(S.RECEIVED)
    for action in (lambda: ticket_assign(ticket_id=ticket.pk, agent=participant, assignee=participant),
                   lambda: ticket_reply_agent(ticket_id=ticket.pk, agent=participant, body="Halo."),
                   lambda: ticket_resolve(ticket_id=ticket.pk, agent=participant, body="Halo.")):
        with pytest.raises(ComplaintError) as error:
            action()
        assert error.value.code == "not_an_agent"
    assert status_of(ticket) == S.RECEIVED


def test_resolved_tickets_nobody_reopened_close_after_the_set_days(at, settings):
    quiet, recent = at(S.RESOLVED), at(S.RESOLVED)
    Ticket.objects.filter(pk=quiet.pk).update(
        resolved_at=timezone.now() - timedelta(days=settings.COMPLAINT_CLOSE_AFTER_DAYS, minutes=1))
    assert tickets_close_resolved() == 1
    assert (status_of(quiet), status_of(recent)) == (S.CLOSED, S.RESOLVED)
    assert tickets_close_resolved() == 0  # safe to run twice


def test_the_form_needs_consent_and_a_matching_pair(participant):
    base = {"user": participant, "name": "Siti", "phone": "", "email": participant.email, "description": "Halo."}
    for extra, code in [({"category": "registration", "subcategory": "cannot_sign_in", "consent": False},
                         "consent_required"),
                        ({"category": "purchase", "subcategory": "cannot_sign_in", "consent": True}, "bad_category"),
                        ({"category": "nope", "subcategory": "other", "consent": True}, "bad_category")]:
        with pytest.raises(ComplaintError) as error:
            ticket_open(**base, **extra)
        assert error.value.code == code
    assert not Ticket.objects.exists()


def test_a_wrong_code_is_counted_even_though_it_is_refused(db):
    from prakerja.complaints.services import pending_complaint_confirm

    pending = pending_complaint_start(email="a@example.id", data={
        "name": "A", "phone": "", "category": "other", "subcategory": "other", "description": "Halo.",
        "consent": True})
    for _ in range(CODE_ATTEMPTS):
        with pytest.raises(ComplaintError):
            pending_complaint_confirm(public_id=pending.public_id, code="abc")
    pending.refresh_from_db()
    assert pending.attempts == CODE_ATTEMPTS


def test_unconfirmed_complaints_are_purged_with_their_files(db):
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    name = storages["private"].save("complaints/x.pdf", ContentFile(b"%PDF-1.4"))
    pending_complaint_start(
        email="a@example.id", evidence=[EvidenceFile(file=name, original_name="x.pdf", content_type="application/pdf",
                                                     size=8)],
        data={"name": "A", "phone": "", "category": "other", "subcategory": "other", "description": "Halo.",
              "consent": True}, now=timezone.now() - timedelta(hours=3))
    assert pending_complaints_purge() == 1
    assert not PendingComplaint.objects.exists() and not Evidence.objects.exists()
    assert not storages["private"].exists(name)


def test_a_system_ticket_opens_once_per_event_and_closes_with_a_note(participant):
    first = system_ticket_open(event_key="completion:1", user=participant, category="certificate",
                               subcategory="completion_held", description="Ditahan.")
    again = system_ticket_open(event_key="completion:1", user=participant, category="certificate",
                               subcategory="completion_held", description="Ditahan.")
    assert first == again and Ticket.objects.count() == 1
    system_ticket_close(event_key="completion:1", note="Diterima.")
    assert status_of(first) == S.CLOSED
    assert list(first.messages.values_list("author", "body")) == [(Author.SYSTEM, "Ditahan."),
                                                                   (Author.SYSTEM, "Diterima.")]
    assert system_ticket_close(event_key="completion:1", note="Lagi.").messages.count() == 2  # closed stays closed
