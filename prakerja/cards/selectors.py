from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from prakerja.cards.models import Card, CardStatus
from prakerja.core.clock import WIB


@dataclass(frozen=True)
class CardPanel:
    """What the dashboard shows of a card (CRD-1, CRD-5): never the number."""

    public_id: object
    status: str
    status_reason: str
    masked: str
    balance: int
    credited: bool
    purchase_deadline: datetime
    first_purchase_at: datetime | None
    days_left: int | None  # calendar days (WIB) left to buy the first training; None once bought or ended

    @property
    def active(self) -> bool:
        return self.status == CardStatus.ACTIVE

    @property
    def status_label(self) -> str:
        return CardStatus(self.status).label

    @property
    def last_day(self):
        """The last calendar day (WIB) to buy: the deadline is the midnight that ends it."""
        return last_day_of(self.purchase_deadline)


def card_panel(*, user_id: int, now=None) -> CardPanel | None:
    card = (Card.objects.filter(user_id=user_id).select_related("account")
            .only("public_id", "status", "status_reason", "last4", "credited_at", "purchase_deadline",
                  "first_purchase_at", "account__balance").first())
    if card is None:
        return None
    now = now or timezone.now()
    days_left = None
    if card.status == CardStatus.ACTIVE and card.first_purchase_at is None:
        days_left = max(0, (last_day_of(card.purchase_deadline) - now.astimezone(WIB).date()).days)
    return CardPanel(card.public_id, card.status, card.status_reason, card.masked, card.account.balance,
                     card.credited_at is not None, card.purchase_deadline, card.first_purchase_at, days_left)


def formatted(number: str) -> str:
    return " ".join(number[i:i + 4] for i in range(0, len(number), 4))


def last_day_of(deadline: datetime):
    """The last WIB calendar day to buy: the deadline is the midnight that ends it."""
    return (deadline.astimezone(WIB) - timezone.timedelta(seconds=1)).date()
