"""CMP-2/CMP-3 rules found in the issue-20 review, each with the way it was broken."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.complaints.models import Evidence, PendingComplaint, Source, Ticket, TicketStatus
from prakerja.complaints.services import (
    ComplaintError,
    pending_complaint_confirm,
    pending_complaint_start,
    pending_complaints_purge,
    system_ticket_close,
    system_ticket_open,
    ticket_assign,
    ticket_open,
    ticket_reply_agent,
    ticket_reply_participant,
    ticket_resolve,
)
from prakerja.notifications.models import Message

DATA = {"name": "Budi Santoso", "phone": "+6281234567891", "category": "registration",
        "subcategory": "cannot_sign_in", "description": "Saya tidak bisa masuk sejak kemarin.", "consent": True}


def test_chasing_an_overdue_ticket_keeps_it_overdue(participant, make_ticket):
    """Writing "any news?" never pushes the answer the desk owes later (it would hide a late ticket)."""
    ticket = make_ticket(participant)
    owed = ticket.due_at
    later = owed + timedelta(hours=30)  # long overdue
    ticket_reply_participant(ticket_id=ticket.pk, user=participant, body="Ada kabar?", now=later)
    ticket.refresh_from_db()
    assert ticket.due_at == owed and ticket.due_at < later


def test_writing_after_the_answer_starts_a_fresh_clock(participant, make_ticket, complaints_agent):
    ticket = make_ticket(participant)
    now = timezone.now() + timedelta(hours=1)
    ticket_reply_agent(ticket_id=ticket.pk, agent=complaints_agent, body="Perangkat apa?", wait_for_participant=True,
                       now=now)
    ticket_reply_participant(ticket_id=ticket.pk, user=participant, body="Android.", now=now + timedelta(hours=2))
    ticket.refresh_from_db()
    assert ticket.due_at > now + timedelta(hours=2)


def test_someone_else_cannot_write_on_a_ticket(participant, make_ticket, make_user):
    ticket = make_ticket(participant)
    stranger = make_user(email="orang.lain@example.id")
    with pytest.raises(ComplaintError) as refused:
        ticket_reply_participant(ticket_id=ticket.pk, user=stranger, body="Halo.")
    assert refused.value.code == "ticket_not_found"


def test_the_agent_who_has_the_ticket_is_told_when_the_participant_writes(participant, make_ticket,
                                                                           complaints_agent):
    ticket = make_ticket(participant)
    ticket_assign(ticket_id=ticket.pk, agent=complaints_agent, assignee=complaints_agent)
    ticket_reply_participant(ticket_id=ticket.pk, user=participant, body="Tambahan info.")
    [told] = Message.objects.filter(template="complaint_participant_reply")
    assert told.user == complaints_agent and told.channel == "inbox" and ticket.number in told.body


def test_the_audit_log_keeps_no_message_text(participant, make_ticket, complaints_agent):
    ticket = make_ticket(participant)
    ticket_resolve(ticket_id=ticket.pk, agent=complaints_agent, body="NIK 3273014503950001 sudah kami lepas.")
    row = AuditEntry.objects.get(action="complaint.resolve")
    assert "3273014503950001" not in f"{row.reason} {row.data}"


def test_a_person_cannot_use_the_systems_own_sub_categories(participant):
    for opener in (lambda: ticket_open(user=participant, email=participant.email, **{
                       **DATA, "category": "certificate", "subcategory": "completion_held"}),
                   lambda: pending_complaint_start(email="budi@example.id", data={
                       **DATA, "category": "incentive", "subcategory": "incentive_held"})):
        with pytest.raises(ComplaintError) as refused:
            opener()
        assert refused.value.code == "bad_category"


def test_a_system_ticket_has_no_clock_and_closes_only_with_its_event(participant, complaints_agent):
    ticket = system_ticket_open(event_key="completion:x", user=participant, category="certificate",
                                subcategory="completion_held", description="Laporan ditahan.")
    assert ticket.due_at is None
    ticket_reply_agent(ticket_id=ticket.pk, agent=complaints_agent, body="Sedang diperiksa mitra.")
    ticket.refresh_from_db()
    assert ticket.due_at is None and ticket.status == TicketStatus.IN_PROGRESS
    with pytest.raises(ComplaintError) as refused:
        ticket_resolve(ticket_id=ticket.pk, agent=complaints_agent, body="Selesai.")
    assert refused.value.code == "system_ticket"
    system_ticket_close(event_key="completion:x", note="Laporan diterima.")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED and ticket.messages.last().body == "Laporan diterima."


@pytest.mark.django_db
def test_a_confirmed_complaint_still_needs_its_code(mailoutbox):
    import re

    pending = pending_complaint_start(email="budi@example.id", data=dict(DATA))
    code = re.search(r"\b(\d{6})\b", Message.objects.get(template="complaint_code").body).group(1)
    ticket = pending_complaint_confirm(public_id=pending.public_id, code=code)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ComplaintError):
        pending_complaint_confirm(public_id=pending.public_id, code=wrong)
    assert pending_complaint_confirm(public_id=pending.public_id, code=code) == ticket


@pytest.mark.django_db
def test_the_locked_out_persons_emails_carry_the_signed_link(make_user):
    """Tied to an account they cannot sign in to, they still follow the ticket from the email."""
    import re

    make_user(email="budi@example.id", full_name="Budi Santoso")
    pending = pending_complaint_start(email="budi@example.id", data=dict(DATA))
    code = re.search(r"\b(\d{6})\b", Message.objects.get(template="complaint_code").body).group(1)
    ticket = pending_complaint_confirm(public_id=pending.public_id, code=code)
    assert ticket.user is not None and ticket.source == Source.LOCKED_OUT
    for message in Message.objects.filter(template="complaint_received"):
        assert "/complaints/t/" in message.body and f"/complaints/tickets/{ticket.public_id}" not in message.body


@pytest.mark.django_db
def test_the_purge_takes_expired_complaints_confirmed_or_not_and_keeps_tickets_files(mailoutbox):
    import re

    kept = pending_complaint_start(email="budi@example.id", data=dict(DATA))
    Evidence.objects.create(pending=kept, file="complaints/a.jpg", original_name="a.jpg", content_type="image/jpeg",
                            size=1)
    code = re.search(r"\b(\d{6})\b", Message.objects.get(template="complaint_code").body).group(1)
    ticket = pending_complaint_confirm(public_id=kept.public_id, code=code)
    dropped = pending_complaint_start(email="ani@example.id", data=dict(DATA))
    assert pending_complaints_purge(now=timezone.now() + timedelta(hours=3)) == 2
    assert not PendingComplaint.objects.exists()
    assert Ticket.objects.get() == ticket and ticket.evidence.count() == 1  # the ticket's evidence stays
    assert dropped.public_id  # purged unconfirmed
