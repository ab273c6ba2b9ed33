# READY: the complaints domain's services (models, states, services) are in place; build on them.
"""Every write of the complaints desk (CMP-1..3), each in one transaction with its audit row.

People: ``ticket_open`` (signed in), ``pending_complaint_start`` + ``pending_complaint_confirm``
(locked out: the ticket opens when the code sent to the typed email comes back),
``ticket_reply_participant``, ``ticket_close_by_participant``.
The desk: ``ticket_assign``, ``ticket_reply_agent`` (an answer, or a question that waits for the
participant), ``ticket_resolve``. The system: ``system_ticket_open`` / ``system_ticket_close`` for
events that need a human (held completions now, held incentives later), and
``tickets_close_resolved`` (periodic: a resolved ticket nobody reopened closes after
``COMPLAINT_CLOSE_AFTER_DAYS``).

The person is told of every answer in the inbox (if they have an account) and by email; the
email of a ticket opened without signing in carries a signed link to the ticket (``ticket_link``).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from prakerja.audit.services import SYSTEM, audit_record
from prakerja.complaints import states
from prakerja.complaints.categories import CATEGORY_OF, SYSTEM_SUBCATEGORIES, Category
from prakerja.complaints.errors import ComplaintError
from prakerja.complaints.models import (
    OPEN_STATUSES,
    Author,
    Evidence,
    PendingComplaint,
    ResponseTarget,
    Source,
    Ticket,
    TicketMessage,
    TicketStatus,
)
from prakerja.notifications.models import Channel
from prakerja.notifications.services import notification_send

NUMBER_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read out over the phone
TICKET_LINK_SALT = "complaints.ticket"
PERSON_SUBCATEGORIES_EXCLUDED = frozenset(code for code, _label in SYSTEM_SUBCATEGORIES)  # the system's own
CODE_LIFETIME = timedelta(minutes=30)
CODE_ATTEMPTS = 5


@dataclass(frozen=True)
class EvidenceFile:
    """A file already checked and stored privately (``evidence.py``), to attach."""

    file: str
    original_name: str
    content_type: str
    size: int


# --- numbers, targets, links ------------------------------------------------------------------

def ticket_number() -> str:
    """"PGD-XXXX-XXXX": 40 random bits, unguessable, easy to read out."""
    chars = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))
    return f"PGD-{chars[:4]}-{chars[4:]}"


def response_hours(category: str) -> int:
    row = ResponseTarget.objects.filter(category=category).values_list("hours", flat=True).first()
    if row is not None:
        return row
    defaults = settings.COMPLAINT_RESPONSE_HOURS
    return defaults.get(category, defaults["default"])


def ticket_link(ticket: Ticket) -> str:
    """The ticket's page for someone who is not signed in: a signed token, no account needed."""
    token = signing.dumps(str(ticket.public_id), salt=TICKET_LINK_SALT)
    return settings.SITE_URL.rstrip("/") + reverse("complaint_ticket_link", args=[token])


def ticket_from_token(token: str) -> Ticket | None:
    try:
        public_id = signing.loads(token, salt=TICKET_LINK_SALT,
                                  max_age=timedelta(days=settings.COMPLAINT_LINK_DAYS))
    except signing.BadSignature:
        return None
    return Ticket.objects.filter(public_id=public_id).first()


# --- the certificate window (CMP-2, TRN-4) ---------------------------------------------------

@dataclass(frozen=True)
class CertificateGate:
    open: bool
    opens_on: date | None  # the first day a certificate complaint is accepted; None: no training to ask about


def certificate_gate(user, today: date | None = None) -> CertificateGate:
    """A certificate complaint needs a redeemed training with no certificate whose window has passed.

    The 7 business days of TRN-4 count from the provider's report; for a training with no report
    yet, from the redemption (the earliest day it could have been finished).
    """
    from prakerja.learning.completions import certificate_window
    from prakerja.learning.models import Certificate, Completion, Payment, PaymentStatus

    today = today or timezone.localdate()
    if user is None:
        return CertificateGate(open=False, opens_on=None)
    purchases = (Payment.objects.filter(card__user=user, status=PaymentStatus.PAID, redeemed_at__isnull=False)
                 .exclude(pk__in=Certificate.objects.values("payment_id")).values_list("pk", "redeemed_at"))
    reports = dict(Completion.objects.filter(payment_id__in=[pk for pk, _r in purchases])
                   .order_by("reported_at").values_list("payment_id", "reported_at"))
    days = [certificate_window(reports.get(pk) or redeemed).complaint_from for pk, redeemed in purchases]
    if not days:
        return CertificateGate(open=False, opens_on=None)
    return CertificateGate(open=min(days) <= today, opens_on=min(days))


def _check_category(user, category: str, subcategory: str, today: date) -> None:
    if (category not in Category.values or CATEGORY_OF.get(subcategory) != category
            or subcategory in PERSON_SUBCATEGORIES_EXCLUDED):
        raise ComplaintError("bad_category", _("Choose a category and a sub-category from the list."), "subcategory")
    if category == Category.CERTIFICATE:
        gate = certificate_gate(user, today)
        if gate.open:
            return
        if gate.opens_on is None:
            raise ComplaintError("certificate_no_training",
                                 _("A certificate complaint is about a training you have redeemed and finished; "
                                   "we found none without a certificate on this account."), "category")
        raise ComplaintError("certificate_too_early",
                             _("A certificate can take up to 7 business days to appear. You can file a certificate "
                               "complaint from %(day)s.") % {"day": _format_day(gate.opens_on)}, "category")


def _format_day(day: date) -> str:
    from django.utils.formats import date_format

    return date_format(day, "j F Y")


# --- opening ----------------------------------------------------------------------------------

def _create(*, user, source: str, name: str, phone: str, email: str, category: str, subcategory: str,
            description: str, consent: bool, evidence: list[EvidenceFile], now: datetime,
            event_key: str = "") -> Ticket:
    # A system ticket waits for its event, which the desk cannot hurry: no answer clock, never overdue.
    due = None if source == Source.SYSTEM else now + timedelta(hours=response_hours(category))
    for _attempt in range(5):
        try:
            with transaction.atomic():
                ticket = Ticket.objects.create(
                    number=ticket_number(), user=user, source=source, name=name[:200], phone=phone[:20],
                    email=email[:254], category=category, subcategory=subcategory, description=description[:4000],
                    consent_at=now if consent else None, created_at=now, updated_at=now, event_key=event_key,
                    due_at=due)
            break
        except IntegrityError:
            if event_key and Ticket.objects.filter(event_key=event_key).exists():
                raise
    else:
        raise RuntimeError("no free ticket number")
    Evidence.objects.bulk_create([Evidence(ticket=ticket, file=item.file, original_name=item.original_name[:120],
                                           content_type=item.content_type, size=item.size) for item in evidence])
    return ticket


def _tell_received(ticket: Ticket) -> None:
    channels = [Channel.INBOX, Channel.EMAIL] if ticket.user_id else [Channel.EMAIL]
    notification_send(template="complaint_received", key=f"complaint:{ticket.public_id}:received",
                      channels=channels, user=ticket.user, email=ticket.email,
                      context={"ticket": ticket, "number": ticket.number, "link": _link_for(ticket)})


def _link_for(ticket: Ticket) -> str:
    """Where the person's messages point: the signed-in page, or, for someone who wrote while locked
    out of the account (and may still be), the signed link that needs no sign-in."""
    if ticket.user_id and ticket.source != Source.LOCKED_OUT:
        return settings.SITE_URL.rstrip("/") + reverse("complaint_ticket", args=[ticket.public_id])
    return ticket_link(ticket)


def ticket_open(*, user, name: str, phone: str, email: str, category: str, subcategory: str, description: str,
                consent: bool, evidence: list[EvidenceFile] = (), now: datetime | None = None) -> Ticket:
    """CMP-1: a signed-in participant's complaint becomes a ticket (received), and they are told its number."""
    now = now or timezone.now()
    if not consent:
        raise ComplaintError("consent_required", _("Tick the consent box to send the complaint."), "consent")
    _check_category(user, category, subcategory, timezone.localdate(now))
    with transaction.atomic():
        ticket = _create(user=user, source=Source.PARTICIPANT, name=name, phone=phone, email=email,
                         category=category, subcategory=subcategory, description=description, consent=consent,
                         evidence=list(evidence), now=now)
        audit_record(actor=user, action="complaint.open", target=ticket,
                     data={"category": category, "subcategory": subcategory, "evidence": len(evidence)})
        _tell_received(ticket)
    return ticket


def _code_hash(pending_id, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"complaint:{pending_id}:{code}".encode(), hashlib.sha256).hexdigest()


def pending_complaint_start(*, email: str, data: dict, evidence: list[EvidenceFile] = (),
                            now: datetime | None = None) -> PendingComplaint:
    """CMP-1, locked out: keep the form and send a 6-digit code to the email typed.

    Only the owner of that address can read the code, so a person who types someone else's email
    opens nothing. ``data``: name, phone, category, subcategory, description (consent is required).
    """
    now = now or timezone.now()
    if not data.get("consent"):
        raise ComplaintError("consent_required", _("Tick the consent box to send the complaint."), "consent")
    if (data.get("category") not in Category.values or CATEGORY_OF.get(data.get("subcategory")) != data["category"]
            or data.get("subcategory") in PERSON_SUBCATEGORIES_EXCLUDED):
        raise ComplaintError("bad_category", _("Choose a category and a sub-category from the list."), "subcategory")
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic():
        pending = PendingComplaint(email=email, data={**data, "consent": True}, expires_at=now + CODE_LIFETIME,
                                   code_hash="")
        pending.code_hash = _code_hash(pending.public_id, code)
        pending.save()
        Evidence.objects.bulk_create([Evidence(pending=pending, file=item.file, original_name=item.original_name[:120],
                                               content_type=item.content_type, size=item.size)
                                      for item in evidence])
        notification_send(template="complaint_code", key=f"complaint-code:{pending.public_id}",
                          channels=[Channel.EMAIL], email=email, sensitive=True,
                          context={"code": code, "minutes": int(CODE_LIFETIME.total_seconds() // 60)})
    return pending


def pending_complaint_confirm(*, public_id, code: str, now: datetime | None = None) -> Ticket:
    """The code came back: the ticket opens, tied to the account that owns the email if there is one."""
    now = now or timezone.now()
    # Outermost on purpose: a wrong code is counted, committed, then refused; raised inside the
    # block (or a caller's transaction) the refusal would roll the count back and allow endless guesses.
    wrong = None
    with transaction.atomic(durable=True):
        pending = PendingComplaint.objects.select_for_update().filter(public_id=public_id).first()
        if pending is None or pending.expires_at <= now or pending.attempts >= CODE_ATTEMPTS:
            raise ComplaintError("code_expired", _("This code has expired. Fill in the form again."), "code")
        if not hmac.compare_digest(_code_hash(pending.public_id, str(code).strip()), pending.code_hash):
            PendingComplaint.objects.filter(pk=pending.pk).update(attempts=F("attempts") + 1)
            left = CODE_ATTEMPTS - pending.attempts - 1
            wrong = (ComplaintError("code_expired", _("Too many wrong codes. Fill in the form again."), "code")
                     if left <= 0 else
                     ComplaintError("code_wrong", _("The code is wrong. %(left)s attempts left.") % {"left": left},
                                    "code"))
    if wrong is not None:
        raise wrong
    if pending.ticket_id:  # the right code again (a second tab): the same ticket
        return pending.ticket
    data = pending.data
    user = get_user_model().objects.filter(email__iexact=pending.email, is_active=True).first()
    _check_category(user, data["category"], data["subcategory"], timezone.localdate(now))
    with transaction.atomic():
        pending = PendingComplaint.objects.select_for_update().get(pk=pending.pk)
        if pending.ticket_id:
            return pending.ticket
        ticket = _create(user=user, source=Source.LOCKED_OUT, name=data.get("name", ""), phone=data.get("phone", ""),
                         email=pending.email, category=data["category"], subcategory=data["subcategory"],
                         description=data.get("description", ""), consent=True, evidence=[], now=now)
        pending.evidence.update(ticket=ticket, pending=None)
        pending.ticket = ticket
        pending.save(update_fields=["ticket"])
        audit_record(actor=user or SYSTEM, action="complaint.open", target=ticket,
                     data={"category": ticket.category, "subcategory": ticket.subcategory, "locked_out": True})
        _tell_received(ticket)
    return ticket


# --- replies and moves ------------------------------------------------------------------------

def _locked(ticket_id) -> Ticket:
    ticket = Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id).first()
    if ticket is None:
        raise ComplaintError("ticket_not_found", _("Ticket not found."))
    return ticket


def _body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ComplaintError("message_required", _("Write a message."), "body")
    if len(body) > 4000:
        raise ComplaintError("message_too_long", _("A message has at most 4000 characters."), "body")
    return body


def ticket_reply_participant(*, ticket_id, user, body: str, evidence: list[EvidenceFile] = (),
                             now: datetime | None = None) -> TicketMessage:
    """The participant writes on their ticket: the desk owes an answer again (a resolved ticket reopens)."""
    now = now or timezone.now()
    body = _body(body)
    with transaction.atomic():
        ticket = _locked(ticket_id)
        if ticket.status == TicketStatus.CLOSED:
            states.move(ticket, TicketStatus.IN_PROGRESS)  # raises ticket_closed
        if user is not None and ticket.user_id is not None and ticket.user_id != user.pk:
            raise ComplaintError("ticket_not_found", _("Ticket not found."))
        owed = ticket.due_at  # the answer the desk already owes, if any
        if ticket.status in (TicketStatus.WAITING, TicketStatus.RESOLVED):
            states.move(ticket, TicketStatus.IN_PROGRESS)
            ticket.resolved_at = None
            owed = None
        message = TicketMessage.objects.create(ticket=ticket, author=Author.PARTICIPANT, body=body, created_at=now)
        Evidence.objects.bulk_create([Evidence(ticket=ticket, message=message, file=item.file,
                                               original_name=item.original_name[:120],
                                               content_type=item.content_type, size=item.size) for item in evidence])
        # Writing again never pushes an answer the desk already owes later (else a ticket chased with
        # "any news?" would stop being overdue); it only starts the clock when none was running.
        due = now + timedelta(hours=response_hours(ticket.category))
        ticket.due_at = min(owed, due) if owed is not None else due
        ticket.updated_at = now
        ticket.save(update_fields=["status", "resolved_at", "due_at", "updated_at"])
        if ticket.assigned_to_id:
            _tell_agent(ticket, message)
        audit_record(actor=user or SYSTEM, action="complaint.participant_reply", target=ticket,
                     data={"message": str(message.public_id), "evidence": len(evidence)})
    return message


def _tell_agent(ticket: Ticket, message: TicketMessage) -> None:
    """The agent who has the ticket learns in their inbox that the participant wrote (CMP-2, both ways)."""
    notification_send(template="complaint_participant_reply", key=f"complaint:{ticket.public_id}:{message.public_id}",
                      channels=[Channel.INBOX], user=ticket.assigned_to,
                      context={"number": ticket.number,
                               "link": settings.SITE_URL.rstrip("/") + reverse("desk_ticket", args=[ticket.public_id])})


def _require_agent(agent) -> None:
    if agent is None or not agent.has_perm("complaints.work_ticket"):
        raise ComplaintError("not_an_agent", _("Only a complaints agent can do this."))


def ticket_assign(*, ticket_id, agent, assignee, now: datetime | None = None) -> Ticket:
    """Give the ticket to an agent (oneself or another); a received ticket is then in progress."""
    now = now or timezone.now()
    _require_agent(agent)
    if assignee is not None:
        _require_agent(assignee)
    with transaction.atomic():
        ticket = _locked(ticket_id)
        if ticket.status == TicketStatus.CLOSED:
            states.move(ticket, TicketStatus.IN_PROGRESS)  # raises ticket_closed
        before = ticket.assigned_to_id
        ticket.assigned_to = assignee
        if ticket.status == TicketStatus.RECEIVED and assignee is not None:
            states.move(ticket, TicketStatus.IN_PROGRESS)
        ticket.updated_at = now
        ticket.save(update_fields=["assigned_to", "status", "updated_at"])
        audit_record(actor=agent, action="complaint.assign", target=ticket,
                     data={"from": before, "to": assignee.pk if assignee else None})
    return ticket


def ticket_reply_agent(*, ticket_id, agent, body: str, wait_for_participant: bool = False,
                       now: datetime | None = None) -> TicketMessage:
    """The desk answers: in progress, or waiting for the participant when the answer asks something."""
    now = now or timezone.now()
    _require_agent(agent)
    body = _body(body)
    with transaction.atomic():
        ticket = _locked(ticket_id)
        target = TicketStatus.WAITING if wait_for_participant else TicketStatus.IN_PROGRESS
        if ticket.status != target:
            states.move(ticket, target)  # a resolved ticket reopens; a closed one refuses
        ticket.resolved_at = None
        message = TicketMessage.objects.create(ticket=ticket, author=Author.AGENT, agent=agent, body=body,
                                               created_at=now)
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        if ticket.assigned_to_id is None:
            ticket.assigned_to = agent
        # Answered: nothing is owed while we wait; an answer that is not a question keeps the clock
        # for the resolution at the category's target from now.
        clock = not wait_for_participant and ticket.source != Source.SYSTEM
        ticket.due_at = now + timedelta(hours=response_hours(ticket.category)) if clock else None
        ticket.updated_at = now
        ticket.save(update_fields=["status", "resolved_at", "first_response_at", "assigned_to", "due_at",
                                   "updated_at"])
        audit_record(actor=agent, action="complaint.reply", target=ticket,
                     data={"message": str(message.public_id), "waiting": wait_for_participant})
        _tell_reply(ticket, message)
    return message


def _tell_reply(ticket: Ticket, message: TicketMessage, template: str = "complaint_reply") -> None:
    channels = [Channel.INBOX, Channel.EMAIL] if ticket.user_id else [Channel.EMAIL]
    notification_send(template=template, key=f"complaint:{ticket.public_id}:{message.public_id}",
                      channels=channels, user=ticket.user, email=ticket.email,
                      context={"ticket": ticket, "number": ticket.number, "body": message.body,
                               "link": _link_for(ticket), "status": ticket.get_status_display()})


def ticket_resolve(*, ticket_id, agent, body: str, now: datetime | None = None) -> Ticket:
    """The desk resolves the ticket with a last answer; the participant can still write to reopen it.

    A ticket the system opened for an event is resolved by the event (``system_ticket_close``), never
    by hand: resolved early, it could time out and close while the report still waits.
    """
    now = now or timezone.now()
    _require_agent(agent)
    body = _body(body)
    with transaction.atomic():
        ticket = _locked(ticket_id)
        if ticket.source == Source.SYSTEM and ticket.status != TicketStatus.CLOSED:
            raise ComplaintError("system_ticket", _("This ticket closes by itself when its report is decided; "
                                                    "answer the participant instead."))
        states.move(ticket, TicketStatus.RESOLVED)
        message = TicketMessage.objects.create(ticket=ticket, author=Author.AGENT, agent=agent, body=body,
                                               created_at=now)
        ticket.first_response_at = ticket.first_response_at or now
        ticket.resolved_at, ticket.due_at, ticket.updated_at = now, None, now
        ticket.assigned_to = ticket.assigned_to or agent
        ticket.save(update_fields=["status", "first_response_at", "resolved_at", "due_at", "updated_at",
                                   "assigned_to"])
        audit_record(actor=agent, action="complaint.resolve", target=ticket,  # the text stays on the ticket
                     data={"message": str(message.public_id)})
        _tell_reply(ticket, message, template="complaint_resolved")
    return ticket


def ticket_close_by_participant(*, ticket_id, user, now: datetime | None = None) -> Ticket:
    """The participant agrees the resolved ticket is done."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked(ticket_id)
        states.move(ticket, TicketStatus.CLOSED)
        ticket.closed_at = ticket.updated_at = now
        ticket.due_at = None
        ticket.save(update_fields=["status", "closed_at", "updated_at", "due_at"])
        audit_record(actor=user or SYSTEM, action="complaint.close", target=ticket, data={"by": "participant"})
    return ticket


def tickets_close_resolved(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Periodic: resolved tickets nobody reopened for ``COMPLAINT_CLOSE_AFTER_DAYS`` close."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.COMPLAINT_CLOSE_AFTER_DAYS)
    ids = list(Ticket.objects.filter(status=TicketStatus.RESOLVED, resolved_at__lte=cutoff)
               .values_list("pk", flat=True)[:limit])
    closed = 0
    for pk in ids:
        with transaction.atomic():
            ticket = _locked(pk)
            if ticket.status != TicketStatus.RESOLVED or ticket.resolved_at > cutoff:
                continue
            states.move(ticket, TicketStatus.CLOSED)
            ticket.closed_at = ticket.updated_at = now
            ticket.save(update_fields=["status", "closed_at", "updated_at"])
            audit_record(actor=SYSTEM, action="complaint.close", target=ticket, data={"by": "timeout"})
            closed += 1
    return closed


def pending_complaints_purge(*, now: datetime | None = None) -> int:
    """Periodic: complaints past their code's life go; an unconfirmed one's evidence files with it."""
    from django.core.files.storage import storages

    now = now or timezone.now()
    # Confirmed ones go too: their ticket stands on its own, and the row would only keep a way to it.
    stale = PendingComplaint.objects.filter(expires_at__lte=now - timedelta(hours=1))
    files = list(Evidence.objects.filter(pending__in=stale, ticket__isnull=True).values_list("file", flat=True))
    _total, deleted = stale.delete()  # the total counts the cascaded evidence rows too
    count = deleted.get(PendingComplaint._meta.label, 0)
    storage = storages["private"]
    for name in files:
        storage.delete(name)
    return count


# --- tickets the system opens (CMP-3) ---------------------------------------------------------

def system_ticket_open(*, event_key: str, user, category: str, subcategory: str, description: str,
                       now: datetime | None = None) -> Ticket | None:
    """An event needs a human: one ticket per event (a second call finds the first). Caller's transaction."""
    now = now or timezone.now()
    existing = Ticket.objects.filter(event_key=event_key).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        ticket = _create(user=user, source=Source.SYSTEM, name=getattr(user, "full_name", "") or "",
                         phone="", email=getattr(user, "email", "") or "", category=category, subcategory=subcategory,
                         description=description, consent=False, evidence=[], now=now, event_key=event_key)
        TicketMessage.objects.create(ticket=ticket, author=Author.SYSTEM, body=description, created_at=now)
        audit_record(actor=SYSTEM, action="complaint.system_open", target=ticket, data={"event": event_key})
    return ticket


def system_ticket_close(*, event_key: str, note: str, now: datetime | None = None) -> Ticket | None:
    """The event was dealt with: its ticket is resolved and closed with a note (caller's transaction)."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(event_key=event_key).first()
        if ticket is None or ticket.status == TicketStatus.CLOSED:
            return ticket
        if ticket.status != TicketStatus.RESOLVED:
            states.move(ticket, TicketStatus.RESOLVED)
            ticket.resolved_at = now
        TicketMessage.objects.create(ticket=ticket, author=Author.SYSTEM, body=note[:4000], created_at=now)
        states.move(ticket, TicketStatus.CLOSED)
        ticket.closed_at = ticket.updated_at = now
        ticket.due_at = None
        ticket.save(update_fields=["status", "resolved_at", "closed_at", "updated_at", "due_at"])
        audit_record(actor=SYSTEM, action="complaint.system_close", target=ticket, data={"event": event_key})
    return ticket


def evidence_viewed(*, actor, evidence: Evidence) -> None:
    """An operator opened a ticket's evidence file: the trail of who looked at whose files (PRV)."""
    with transaction.atomic():
        audit_record(actor=actor, action="complaint.evidence_view", target=evidence.ticket,
                     data={"evidence": str(evidence.public_id)})


def open_tickets_of(user):
    return Ticket.objects.filter(user=user, status__in=OPEN_STATUSES)
