"""CMP-2: the ticket's statuses as an explicit state machine.

    received ──> in_progress <──> waiting
        │             │             │
        └─────────────┴──> resolved ┴──> closed
                              │
                              └──> in_progress or waiting (someone writes again: reopened)

A closed ticket is final: nothing moves it and nobody can write to it. Every move goes through
``move``; anything not listed raises ``TicketStateError``.
"""

from prakerja.complaints.errors import ComplaintError
from prakerja.complaints.models import TicketStatus as S

MOVES: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.IN_PROGRESS, S.WAITING, S.RESOLVED}),
    S.IN_PROGRESS: frozenset({S.WAITING, S.RESOLVED}),
    S.WAITING: frozenset({S.IN_PROGRESS, S.RESOLVED}),
    S.RESOLVED: frozenset({S.IN_PROGRESS, S.WAITING, S.CLOSED}),
    S.CLOSED: frozenset(),
}


class TicketStateError(ComplaintError):
    pass


def can_move(current: str, new: str) -> bool:
    return new in MOVES[current]


def move(ticket, new: str) -> None:
    """Set the new status on the (locked) ticket or raise; the caller saves."""
    from django.utils.translation import gettext as _

    if ticket.status == S.CLOSED:
        raise TicketStateError("ticket_closed", _("This ticket is closed. File a new complaint if you need help."))
    if not can_move(ticket.status, new):
        raise TicketStateError("ticket_bad_move", _("This ticket cannot go from %(old)s to %(new)s.")
                               % {"old": S(ticket.status).label, "new": S(new).label})
    ticket.status = new
