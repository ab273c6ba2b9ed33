"""What holds a person's anonymisation back (PRV-8), each with a stable reason code.

A reason is a function of ``OuterRef("pk")`` (a user) that returns an
``Exists``, so the job asks for thousands of people in one query.

Incentives (INC) are not built yet: when they are, the incentives app
registers its own reason here from its ``AppConfig.ready``:

    register("unpaid_incentive", lambda user: Exists(Incentive.objects.filter(user=user, paid_at__isnull=True)))

and the job, the dry-run and deletion requests honour it with no other change.
"""

from collections.abc import Callable

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from prakerja.cards.models import Card
from prakerja.complaints.models import OPEN_STATUSES, Ticket
from prakerja.waves.models import Application
from prakerja.waves.states import ACTIVE

REASONS: dict[str, Callable] = {}
LABELS = {
    "open_complaint": _("An open complaint ticket"),
    "balance": _("A balance on the card"),
    "active_application": _("An application in a wave that is not decided yet"),
    "unpaid_incentive": _("An incentive not paid yet"),
}


def register(code: str, exists: Callable) -> None:
    REASONS[code] = exists


register("open_complaint", lambda user: Exists(Ticket.objects.filter(user=user, status__in=OPEN_STATUSES)))
# CRD-3: the money on a card is the programme's until spent, forfeited or expired; the ledger needs its owner.
register("balance", lambda user: Exists(Card.objects.filter(user=user, account__balance__gt=0)))
# WAV-2: a person in a wave being selected; anonymising would pull the NIK out from under the selection.
register("active_application", lambda user: Exists(Application.objects.filter(user=user, status__in=ACTIVE)))


def annotate(queryset, codes):
    """Each reason as a boolean ``hold_<code>`` annotation on a queryset of users."""
    return queryset.annotate(**{f"hold_{code}": REASONS[code](OuterRef("pk")) for code in codes})


def reasons_for(user, codes) -> list[str]:
    from prakerja.accounts.models import User

    row = annotate(User.objects.filter(pk=user.pk), codes).values(*(f"hold_{code}" for code in codes)).get()
    return [code for code in codes if row[f"hold_{code}"]]
