"""What the participant's pages read about their trainings (TRN-3, TRN-4, TRN-5): one query however many."""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from prakerja.learning.completions import CertificateWindow, certificate_window
from prakerja.learning.models import Completion, CompletionStatus, Payment, PaymentStatus

PAID, REDEEMED, FINISHED, CANCELLED = "paid", "redeemed", "finished", "cancelled"
STATUS_LABELS = {  # TRN-5: "selesai" once completed
    PAID: pgettext_lazy("training status", "Paid"),
    REDEEMED: pgettext_lazy("training status", "Redeemed"),
    FINISHED: pgettext_lazy("training status", "finished"),
    CANCELLED: pgettext_lazy("training status", "Cancelled"),
}


@dataclass(frozen=True)
class Purchase:
    payment_id: UUID
    course_title: str
    platform: str
    provider: str
    amount: int
    paid_at: datetime
    voucher_code: str | None  # none once cancelled
    redeem_code: str | None  # only while it can still be used: paid, not yet redeemed (TRN-3)
    status: str  # PAID, REDEEMED, FINISHED, CANCELLED
    certificate_number: str | None
    held: CertificateWindow | None  # a report held for an operator: when to expect the certificate (TRN-4)
    overdue: bool  # held past the seventh business day: the participant may complain (CMP-2)
    review_stars: int | None

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def reviewable(self) -> bool:
        return self.status == FINISHED and self.review_stars is None


def purchase_rows(*, user_id: int):
    """The user's purchases, newest first: payments that were paid (and may have been cancelled since).

    Course, platform, provider, certificate and review come joined; the held
    report, if any, as a subquery, so a page of them is one query. Turn rows
    into ``Purchase`` with ``as_purchases``.
    """
    held = (Completion.objects.filter(payment=OuterRef("pk"), status=CompletionStatus.HELD)
            .values("reported_at")[:1])  # one_live_completion_per_purchase: at most one
    return (Payment.objects
            .filter(card__user_id=user_id, paid_at__isnull=False,
                    status__in=[PaymentStatus.PAID, PaymentStatus.CANCELLED])
            .select_related("listing__course__provider", "platform", "certificate", "review")
            .annotate(held_reported_at=Subquery(held))
            .order_by("-paid_at", "-pk"))


def _status(payment: Payment, certificate) -> str:
    if payment.status == PaymentStatus.CANCELLED:
        return CANCELLED
    if certificate is not None:
        return FINISHED
    if payment.redeemed_at is not None:
        return REDEEMED
    return PAID


def _purchase(payment: Payment, today: date) -> Purchase:
    certificate = getattr(payment, "certificate", None)
    review = getattr(payment, "review", None)
    status = _status(payment, certificate)
    window = certificate_window(payment.held_reported_at) if status == REDEEMED and payment.held_reported_at else None
    course = payment.listing.course
    return Purchase(
        payment_id=payment.public_id, course_title=course.title, platform=payment.platform.name,
        provider=course.provider.name, amount=payment.amount, paid_at=payment.paid_at,
        voucher_code=payment.voucher_code if status != CANCELLED else None,
        redeem_code=payment.redeem_code if status == PAID else None, status=status,
        certificate_number=certificate.number if certificate is not None else None, held=window,
        overdue=window is not None and window.overdue(today),
        review_stars=review.stars if review is not None else None)


def as_purchases(payments, *, today: date | None = None) -> list[Purchase]:
    today = today or timezone.localdate()
    return [_purchase(payment, today) for payment in payments]


def purchases_of(*, user_id: int, limit: int | None = None, today: date | None = None) -> list[Purchase]:
    """The user's purchases, newest first; for the dashboard, the first ``limit``."""
    rows = purchase_rows(user_id=user_id)
    return as_purchases(rows if limit is None else rows[:limit], today=today)
