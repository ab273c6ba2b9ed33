"""The complaints desk (CMP-3): the agents' queue and one ticket's page, at /backoffice/complaints/.

Thin views: the rows and counts come from ``desk_selectors``; assigning, answering and resolving
are ``services.ticket_assign`` / ``ticket_reply_agent`` / ``ticket_resolve`` (each audited) in a
transaction the view owns. Operators pass the second factor first (``StaffSecondFactorMiddleware``).
Reading needs ``complaints.view_ticket`` (complaints agent, auditor, administrator); acting needs
``complaints.work_ticket`` (agent, administrator). A refused operator's 403 is audited by
``audit.middleware.DeniedAuditMiddleware``. The auditor reads the contact details masked. Every
look at a ticket's page is audited (``DESK_VIEW``, throttled): the complainant sees it (PRV-5).

Every action is a POST that redirects to the ticket's page (POST-redirect-GET). A saved answer
fills the reply box through a plain link (``?answer=<id>``), no script: the agent edits it and sends.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from prakerja.audit.reads import audit_read
from prakerja.complaints import desk_selectors as reads
from prakerja.complaints.desk_forms import AssignForm, QueueFilter, ReplyForm, ResolveForm
from prakerja.complaints.models import SavedAnswer, Source, TicketStatus
from prakerja.complaints.services import ComplaintError, ticket_assign, ticket_reply_agent, ticket_resolve
from prakerja.complaints.states import TicketStateError
from prakerja.core.counts import CountBox
from prakerja.learning.admin import mask_email, mask_name, mask_phone

VIEW, WORK = "complaints.view_ticket", "complaints.work_ticket"
# PRV-5: the page shows what the person wrote and how to reach them (masked for a reader): a read the person
# sees, whoever looks, the agent working the ticket included.
DESK_VIEW = "complaint.desk_view"
PER_PAGE = 50
REFUSALS = (ComplaintError, TicketStateError)


def _now():
    """The instant lateness is measured against; a function so tests can fix the clock."""
    return timezone.now()


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def queue(request):
    """CMP-3: open tickets, the most overdue first; filters by status, category, assignee, source, number."""
    form = QueueFilter(request.GET or None)
    chosen = form.cleaned_data if form.is_valid() else {}
    now = _now()
    rows = reads.queue_rows(user=request.user, now=now, status=chosen.get("status") or reads.OPEN,
                            category=chosen.get("category") or "", assigned=chosen.get("assigned") or "",
                            overdue_only=bool(chosen.get("overdue")), source=chosen.get("source") or "",
                            number=chosen.get("number") or "")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    counts = reads.desk_counts(request.user, now)
    return render(request, "complaints/desk/queue.html", {
        "form": form, "page": page, "rows": reads.mark_overdue(page.object_list, now),
        "counts": counts, "count_boxes": _count_boxes(counts),
        "filtered": any(chosen.get(name) for name in QueueFilter.FILTERS)})


def _count_boxes(counts: dict) -> list[CountBox]:
    return [CountBox(_("New (nobody has them)"), counts["new"], "?status=received&assigned=unassigned", "count-new"),
            CountBox(_("Overdue"), counts["overdue"], "?overdue=on", "count-overdue"),
            CountBox(_("Waiting for the participant"), counts["waiting"], "?status=waiting", "count-waiting"),
            CountBox(_("Mine, open"), counts["mine"], "?assigned=mine", "count-mine")]


def _saved_answers(ticket):
    return SavedAnswer.objects.filter(Q(category="") | Q(category=ticket.category), active=True)


def _prefill(request, ticket, answers) -> tuple[dict, dict]:
    """``?answer=<id>`` (and ``&to=resolve``) puts a saved answer in the reply or the resolve box."""
    chosen = request.GET.get("answer", "")
    answer = next((a for a in answers if str(a.pk) == chosen), None) if chosen.isdigit() else None
    if answer is None:
        return {}, {}
    if request.GET.get("to") == "resolve":
        return {}, {"body": answer.body}
    return {"body": answer.body}, {}


def _contact(ticket, *, personal: bool) -> dict:
    if personal:
        return {"name": ticket.name, "phone": ticket.phone, "email": ticket.email}
    return {"name": mask_name(ticket.name), "phone": mask_phone(ticket.phone), "email": mask_email(ticket.email)}


def _ticket_page(request, ticket, *, assign_form=None, reply_form=None, resolve_form=None, refusal=None,
                 status=200):
    can_work = request.user.has_perm(WORK)
    # Written before the page is: once per operator per ticket per ten minutes (a refresh is the same look).
    audit_read(actor=request.user, action=DESK_VIEW, target=ticket,
               data={"contacts": "shown" if can_work else "masked"})
    now = _now()
    ticket.overdue = reads.is_overdue(ticket, now)
    answers, reply_initial, resolve_initial = [], {}, {}
    if can_work and ticket.status != TicketStatus.CLOSED:
        answers = list(_saved_answers(ticket))
        reply_initial, resolve_initial = _prefill(request, ticket, answers)
    event = reads.linked_event(ticket)
    return render(request, "complaints/desk/ticket.html", {
        "ticket": ticket, "thread": ticket.thread, "files": ticket.files,
        "contact": _contact(ticket, personal=can_work), "can_see_personal_data": can_work,
        "can_work": can_work and ticket.status != TicketStatus.CLOSED,
        "can_resolve": can_work and ticket.source != Source.SYSTEM and ticket.status in (
            TicketStatus.RECEIVED, TicketStatus.IN_PROGRESS, TicketStatus.WAITING),
        "event": event, "event_linked": bool(event and event.url_name and request.user.has_perm(
            "learning.view_completion")),
        "seen": reads.latest_message_id(ticket), "answers": answers,
        "assign_form": assign_form or AssignForm(prefix="assign"),
        "reply_form": reply_form or ReplyForm(prefix="reply", initial=reply_initial),
        "resolve_form": resolve_form or ResolveForm(prefix="resolve", initial=resolve_initial),
        "refusal": refusal}, status=status)


def _found(public_id):
    ticket = reads.ticket_detail(public_id)
    if ticket is None:
        raise Http404
    return ticket


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def ticket(request, public_id):
    """One ticket: who wrote, about what, the thread, the linked event, and (for an agent) the actions."""
    return _ticket_page(request, _found(public_id))


def _refused(request, public_id, refusal, form=None, form_name=""):
    """A service said no: the page as it now is, the agent's text kept, the reason beside the field or on top."""
    forms = {}
    if form is not None:
        form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        forms = {form_name: form}
    return _ticket_page(request, _found(public_id), refusal=None if forms and refusal.field else refusal.message,
                        status=409 if isinstance(refusal, TicketStateError) else 400, **forms)


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def assign(request, public_id):
    """Take the ticket ("me") or give it to another agent; a received ticket is then in progress."""
    found = _found(public_id)
    form = AssignForm(request.POST, prefix="assign")
    if "me" in request.POST:
        assignee = request.user
    elif form.is_valid():
        assignee = form.cleaned_data["assignee"]
    else:
        return _ticket_page(request, found, assign_form=form, status=400)
    try:
        with transaction.atomic():
            ticket_assign(ticket_id=found.pk, agent=request.user, assignee=assignee)
    except REFUSALS as refusal:
        return _refused(request, public_id, refusal)
    if assignee == request.user:
        messages.success(request, _("The ticket is yours."))
    else:
        messages.success(request, _("The ticket is assigned to %(name)s.") % {"name": assignee.full_name})
    return redirect("desk_ticket", found.public_id)


def _answer(request, found, form, form_name, act):
    """Reply or resolve: checked against the thread the agent saw, then the service, in one transaction."""
    if not form.is_valid():
        return _ticket_page(request, found, status=400, **{form_name: form})
    body = form.cleaned_data["body"]
    try:
        with transaction.atomic():
            thread = reads.thread_since(ticket_id=found.pk, seen=form.cleaned_data["seen"], agent=request.user,
                                        body=body)
            done = act(body) if thread == reads.Thread.SAME else None
    except REFUSALS as refusal:
        return _refused(request, found.public_id, refusal, form, form_name)
    if thread == reads.Thread.REPLAYED:
        messages.info(request, _("This message was already sent; it was not sent again."))
    elif thread == reads.Thread.CHANGED:
        form.add_error(None, _("Someone wrote on this ticket while you were writing. Read the new message below, "
                               "then send yours again: your text is kept."))
        return _ticket_page(request, _found(found.public_id), status=409, **{form_name: form})
    else:
        messages.success(request, done)
    return redirect("desk_ticket", found.public_id)


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def reply(request, public_id):
    """Answer the participant; ticked "wait", the ticket waits for them and owes nothing meanwhile."""
    found = _found(public_id)
    form = ReplyForm(request.POST, prefix="reply")

    def act(body):
        wait = form.cleaned_data["wait"]
        ticket_reply_agent(ticket_id=found.pk, agent=request.user, body=body, wait_for_participant=wait)
        return (_("Reply sent: the ticket waits for the participant's answer.") if wait
                else _("Reply sent to the participant."))

    return _answer(request, found, form, "reply_form", act)


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def resolve(request, public_id):
    """Resolve with a final message; the participant may still write and reopen it until it closes."""
    found = _found(public_id)
    form = ResolveForm(request.POST, prefix="resolve")

    def act(body):
        ticket_resolve(ticket_id=found.pk, agent=request.user, body=body)
        return _("Ticket resolved: the participant is told.")

    return _answer(request, found, form, "resolve_form", act)
