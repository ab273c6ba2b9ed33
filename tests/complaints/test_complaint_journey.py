"""Issue 20, done-when: a complaint goes from the form to resolution with messages both ways, end to end
through the pages (the participant's form and ticket page, the agent's queue and ticket page), with
the inbox and email told at each answer."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from prakerja.audit.models import AuditEntry
from prakerja.complaints.models import Author, Ticket, TicketStatus
from prakerja.notifications.models import Message
from tests.accounts.operators import sign_in

DESCRIPTION = "Video kedua sudah saya tonton sampai habis, tetapi progresnya tetap 80 persen."


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG")
    return SimpleUploadedFile("layar.png", buffer.getvalue(), content_type="image/png")


def last_seen(ticket) -> str:
    last = ticket.messages.order_by("-created_at", "-pk").first()
    return str(last.public_id) if last else ""


def told(user, template) -> set[str]:
    return set(Message.objects.filter(user=user, template=template).values_list("channel", flat=True))


def test_from_the_form_to_resolution_with_messages_both_ways(client, participant):
    # 1. The participant files "Formulir Pengaduan" with a screenshot.
    client.force_login(participant)
    form = client.get(reverse("complaint_form"))
    assert form.status_code == 200 and "Formulir Pengaduan" in form.content.decode()
    response = client.post(reverse("complaint_form"), {
        "name": participant.full_name, "phone": "+6281234567890", "email": participant.email,
        "subcategory": "progress_not_saved", "description": DESCRIPTION, "consent": "on", "evidence": [png()]})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("complaint_ticket", args=[ticket.public_id])
    assert (ticket.category, ticket.status, ticket.evidence.count()) == ("videos", TicketStatus.RECEIVED, 1)
    assert re.fullmatch(r"PGD-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", ticket.number)
    assert told(participant, "complaint_received") == {"inbox", "email"}
    assert ticket.number in client.get(response["Location"]).content.decode()

    # 2. An agent finds it in the queue, takes it and asks a question (waiting for the participant).
    agent_client = Client()
    agent = sign_in(agent_client, "complaints_agent")
    queue = agent_client.get(reverse("desk_queue")).content.decode()
    assert ticket.number in queue
    desk = reverse("desk_ticket", args=[ticket.public_id])
    page = agent_client.get(desk).content.decode()
    assert DESCRIPTION in page and "layar" in page
    assert agent_client.post(reverse("desk_assign", args=[ticket.public_id]), {"me": "1"}).status_code == 302
    question = "Perangkat dan peramban apa yang kamu pakai?"
    response = agent_client.post(reverse("desk_reply", args=[ticket.public_id]), {
        "reply-body": question, "reply-wait": "on", "reply-seen": last_seen(ticket)})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.assigned_to, ticket.due_at) == (TicketStatus.WAITING, agent, None)
    assert told(participant, "complaint_reply") == {"inbox", "email"}
    assert question in client.get(reverse("complaint_ticket", args=[ticket.public_id])).content.decode()

    # 3. The participant answers on the ticket page: the desk owes an answer again, the agent is told.
    answer = "HP Android, peramban Chrome. Sudah saya coba ulang dua kali."
    response = client.post(reverse("complaint_ticket", args=[ticket.public_id]), {"action": "reply", "body": answer})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.due_at is not None
    assert told(agent, "complaint_participant_reply") == {"inbox"}
    assert answer in agent_client.get(desk).content.decode()

    # 4. The agent resolves it with a last answer; the participant is told.
    final = "Progresmu sudah kami perbaiki menjadi 100 persen. Silakan cek dashboard."
    response = agent_client.post(reverse("desk_resolve", args=[ticket.public_id]), {
        "resolve-body": final, "resolve-seen": last_seen(ticket)})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED and ticket.resolved_at is not None
    assert told(participant, "complaint_resolved") == {"inbox", "email"}

    # 5. The participant closes it; after that nobody can write on it.
    response = client.post(reverse("complaint_ticket", args=[ticket.public_id]), {"action": "close"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    late = client.post(reverse("complaint_ticket", args=[ticket.public_id]), {"action": "reply", "body": "Satu lagi"})
    assert late.status_code == 409 and "Tiket ini sudah ditutup" in late.content.decode()
    refused = agent_client.post(reverse("desk_reply", args=[ticket.public_id]), {
        "reply-body": "Tambahan", "reply-seen": last_seen(ticket)})
    assert refused.status_code == 409

    # The conversation, in order, and the trail.
    assert [(m.author, m.body) for m in ticket.messages.order_by("created_at", "pk")] == [
        (Author.AGENT, question), (Author.PARTICIPANT, answer), (Author.AGENT, final)]
    assert list(AuditEntry.objects.filter(target_id=str(ticket.public_id)).order_by("id")
                .values_list("action", flat=True)) == [
        "complaint.open", "complaint.desk_view", "complaint.assign", "complaint.reply", "complaint.participant_reply",
        "complaint.resolve", "complaint.close"]  # desk_view: the agent's look at the page (PRV-5), once in 10 min
