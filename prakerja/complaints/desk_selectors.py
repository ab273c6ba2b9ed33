"""Reads of the complaints desk (CMP-3): the queue and its filters, the counts, one ticket with its thread.

The open queue is ordered by when the next answer is due, the most overdue first, so the work that
is late is at the top; tickets that owe nothing (waiting for the participant) come after, oldest
first. That is the ``ticket_queue`` index (status, due_at): the open statuses are a small slice of
a table that grows with every closed ticket, and PostgreSQL sorts only that slice (a top-N sort
for one page). Resolved, closed and "all" are lists to look things up in, newest first: a backward
walk of ``ticket_created`` that stops after one page. A ticket number is the unique index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Prefetch, Q

from prakerja.complaints.models import OPEN_STATUSES, Author, Evidence, Ticket, TicketMessage, TicketStatus

OPEN = "open"  # the queue's default status filter: received, in progress, waiting
ALL = "all"
MINE, UNASSIGNED = "mine", "unassigned"
WORK_PERMISSION = ("complaints", "work_ticket")

# What a queue row shows; the description (up to 4000 characters) stays in the table.
_ROW_FIELDS = ("public_id", "number", "category", "subcategory", "status", "source", "created_at", "due_at",
               "assigned_to__full_name", "assigned_to__email")


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    """CMP-2: the desk owes an answer and its time has passed (``due_at`` is empty when nothing is owed)."""
    return ticket.status in OPEN_STATUSES and ticket.due_at is not None and ticket.due_at < now


def desk_counts(user, now: datetime) -> dict:
    """The back office's and the queue's counters, in one query over the open tickets.

    new: received and nobody has it; overdue: an answer is past due; waiting: the desk asked the
    participant something; mine: open and assigned to ``user``.
    """
    return Ticket.objects.filter(status__in=OPEN_STATUSES).aggregate(
        new=Count("pk", filter=Q(status=TicketStatus.RECEIVED, assigned_to__isnull=True)),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
        waiting=Count("pk", filter=Q(status=TicketStatus.WAITING)),
        mine=Count("pk", filter=Q(assigned_to=user)),
    )


def normalise_number(value: str) -> str:
    """'pgd abcd efgh', 'ABCDEFGH', 'PGD-ABCD-EFGH' -> 'PGD-ABCD-EFGH' (how people read it out)."""
    chars = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    if chars.startswith("PGD") and len(chars) == 11:
        chars = chars[3:]
    if len(chars) == 8:
        return f"PGD-{chars[:4]}-{chars[4:]}"
    return (value or "").strip().upper()


def queue_rows(*, user, now: datetime, status: str = OPEN, category: str = "", assigned: str = "",
               overdue_only: bool = False, source: str = "", number: str = ""):
    """The queue's tickets, filtered and ordered (see the module's docstring); assignee in the same query.

    A ticket number finds that ticket whatever the other filters say: someone on the phone reads it out.
    """
    rows = Ticket.objects.select_related("assigned_to").only(*_ROW_FIELDS)
    if number:
        return rows.filter(number=normalise_number(number)).order_by("pk")
    if status == OPEN or not status:
        rows = rows.filter(status__in=OPEN_STATUSES)
        order = [F("due_at").asc(nulls_last=True), "created_at", "pk"]
    else:
        if status != ALL:
            rows = rows.filter(status=status)
        order = ["-created_at", "-pk"]
    if category:
        rows = rows.filter(category=category)
    if assigned == MINE:
        rows = rows.filter(assigned_to=user)
    elif assigned == UNASSIGNED:
        rows = rows.filter(assigned_to__isnull=True)
    if overdue_only:
        rows = rows.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    if source:
        rows = rows.filter(source=source)
    return rows.order_by(*order)


def mark_overdue(rows, now: datetime) -> list[Ticket]:
    rows = list(rows)
    for row in rows:
        row.overdue = is_overdue(row, now)
    return rows


# --- one ticket ----------------------------------------------------------------------------------

def ticket_detail(public_id) -> Ticket | None:
    """The ticket with its messages in order (and their agents), and its evidence on ``files``
    (given with the complaint) and on each message's ``files``: three queries, whatever the thread's length."""
    ticket = (Ticket.objects.select_related("assigned_to")
              .prefetch_related(Prefetch("messages", queryset=TicketMessage.objects.select_related("agent")
                                         .order_by("created_at", "pk"), to_attr="thread"),
                                Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "pk"),
                                         to_attr="all_files"))
              .filter(public_id=public_id).first())
    if ticket is None:
        return None
    by_message: dict[int, list[Evidence]] = {}
    for item in ticket.all_files:
        by_message.setdefault(item.message_id, []).append(item)
    ticket.files = by_message.get(None, [])
    for message in ticket.thread:
        message.files = by_message.get(message.pk, [])
    return ticket


def latest_message_id(ticket: Ticket) -> str:
    """What the page's forms carry as ``seen``: the last message the agent had in front of them."""
    thread = getattr(ticket, "thread", None)
    if thread is not None:
        return str(thread[-1].public_id) if thread else ""
    last = ticket.messages.order_by("-created_at", "-pk").values_list("public_id", flat=True).first()
    return str(last) if last else ""


@dataclass(frozen=True)
class LinkedEvent:
    kind: str  # "completion", or the key's prefix for an event this page does not know yet
    key: str
    url_name: str | None = None
    url_arg: str | None = None
    label: str = ""
    status: str = ""


def linked_event(ticket: Ticket) -> LinkedEvent | None:
    """The event a system ticket is about (``event_key``), with what the desk can link to."""
    if not ticket.event_key:
        return None
    kind, _sep, ident = ticket.event_key.partition(":")
    if kind == "completion":
        from prakerja.learning.models import Completion

        completion = (Completion.objects.select_related("payment__listing__course", "provider")
                      .filter(public_id=ident).first()) if _is_uuid(ident) else None
        if completion is not None:
            return LinkedEvent(kind=kind, key=ticket.event_key, url_name="operator_completion",
                               url_arg=str(completion.public_id),
                               label=f"{completion.payment.listing.course.title} · {completion.provider.name}",
                               status=completion.get_status_display())
    return LinkedEvent(kind=kind, key=ticket.event_key)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def desk_agents():
    """Active operators who may work tickets: the assign list (directly, through a role, or a superuser)."""
    app_label, codename = WORK_PERMISSION
    by_group = Q(groups__permissions__codename=codename, groups__permissions__content_type__app_label=app_label)
    direct = Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app_label)
    matching = get_user_model().objects.filter(is_active=True, is_staff=True).filter(
        Q(is_superuser=True) | by_group | direct).values("pk")
    # The joins repeat a user once per matching grant; the outer query lists each once, in name order.
    return get_user_model().objects.filter(pk__in=matching).order_by("full_name", "email")


# --- a form sent twice, or after the thread moved on ---------------------------------------------

class Thread(Enum):
    SAME = "same"  # the agent saw the latest message: go on
    REPLAYED = "replayed"  # the agent's own identical message is already the latest: a second click or a resend
    CHANGED = "changed"  # someone wrote while the agent was writing


def thread_since(*, ticket_id: int, seen: str, agent, body: str) -> Thread:
    """Compare the thread with what the agent's form was shown (``seen``), the ticket row locked.

    Call it inside the transaction that then answers: the lock is the one the desk's services
    take, so a second copy of the same POST waits here until the first commits, and then sees its
    message. A closed ticket is the service's to refuse (``ticket_closed``), so it reads SAME.
    """
    locked = (Ticket.objects.select_for_update(of=("self",)).filter(pk=ticket_id)
              .values_list("status", flat=True).first())
    if locked is None or locked == TicketStatus.CLOSED:
        return Thread.SAME
    latest = (TicketMessage.objects.filter(ticket_id=ticket_id).order_by("-created_at", "-pk")
              .values("public_id", "author", "agent_id", "body").first())
    if latest is None or str(latest["public_id"]) == (seen or ""):
        return Thread.SAME
    if (latest["author"] == Author.AGENT and latest["agent_id"] == agent.pk
            and latest["body"].strip() == (body or "").strip()):
        return Thread.REPLAYED
    return Thread.CHANGED
