"""CMP-3, TRN-4: a held completion report opens one ticket on the participant's account (however often the
event is seen), and deciding the report closes it with a note; an accepted report on the first try opens none.
The participant sees the system's ticket among their own.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from prakerja.audit.models import AuditEntry
from prakerja.complaints.models import Author, Source, Ticket, TicketStatus
from prakerja.complaints.receivers import completion_event, open_for_held_completion
from prakerja.learning.completions import completion_decide, completion_report
from prakerja.learning.models import Completion
from tests.accounts.operators import make_operator
from tests.learning.conftest import announced_wave, card, issue, watched  # noqa: F401
from tests.learning.trainings import purchase
from tests.partners.conftest import listing, make_listing, platform, provider, ready_card  # noqa: F401

pytestmark = pytest.mark.django_db


def report(holder, course_listing, *, name):
    """A provider reports a redeemed training under ``name``: held unless it is the account's."""
    payment = purchase(holder, course_listing, state="redeemed")
    with transaction.atomic():
        return completion_report(
            provider=course_listing.course.provider, code=payment.redeem_code,
            completed_at=timezone.now() - timedelta(hours=2), certificate_number="SKN/2026/0001",
            certificate_url="https://skillnesia.example/c/1", score=88,
            participant={"name": name, "email": holder.user.email, "phone": "+6281234567890"})


def decide(completion, *, accept):
    with transaction.atomic():
        completion_decide(completion_id=completion.public_id, actor=make_operator("partner_manager"), accept=accept,
                          reason="Nama sama, salah ketik di penyedia")


def test_a_held_completion_opens_one_ticket_on_the_participants_account(ready_card, listing):  # noqa: F811
    completion = report(ready_card, listing, name="Nama Yang Lain")
    ticket = Ticket.objects.get()
    assert (ticket.source, ticket.status, ticket.user, ticket.email) == (
        Source.SYSTEM, TicketStatus.RECEIVED, ready_card.user, ready_card.user.email)
    assert (ticket.category, ticket.subcategory, ticket.event_key) == (
        "certificate", "completion_held", completion_event(completion))
    assert listing.course.title in ticket.description and "name" in ticket.description
    [note] = ticket.messages.all()
    assert (note.author, note.body) == (Author.SYSTEM, ticket.description)
    assert AuditEntry.objects.filter(action="complaint.system_open", target_id=str(ticket.public_id)).count() == 1
    # The event seen again (a retried signal): still one ticket.
    with transaction.atomic():
        open_for_held_completion(sender=Completion, completion=completion)
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(("accept", "words"), [(True, "The report was accepted and the certificate issued: %(reason)s"),
                                              (False, "The report was rejected: %(reason)s")])
def test_deciding_the_report_closes_its_ticket_with_a_note(ready_card, listing, accept, words):  # noqa: F811
    completion = report(ready_card, listing, name="Nama Yang Lain")
    decide(completion, accept=accept)
    ticket = Ticket.objects.get()
    assert ticket.status == TicketStatus.CLOSED and ticket.closed_at is not None and ticket.due_at is None
    last = ticket.messages.last()
    with translation.override("id"):  # stored in the desk's language
        assert (last.author, last.body) == (Author.SYSTEM, gettext(words) % {"reason": "Nama sama, salah ketik di "
                                                                                      "penyedia"})
    assert AuditEntry.objects.filter(action="complaint.system_close").count() == 1


def test_a_matching_report_opens_no_ticket(ready_card, listing):  # noqa: F811
    report(ready_card, listing, name=ready_card.user.full_name)
    assert not Ticket.objects.exists()


def test_the_participant_sees_the_systems_ticket(client, ready_card, listing):  # noqa: F811
    report(ready_card, listing, name="Nama Yang Lain")
    ticket = Ticket.objects.get()
    client.force_login(ready_card.user)
    client.cookies["django_language"] = "en"
    assert ticket.number in client.get(reverse("complaint_list")).content.decode()
    page = client.get(reverse("complaint_ticket", args=[ticket.public_id])).content.decode()
    assert "Held completion report" in page and "Prakerja system" in page
