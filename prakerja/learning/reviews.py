"""Reviews (TRN-5): after the certificate, 1 to 5 stars and a written review, one per purchase.

The review is what, with the certificate, later schedules the post-training
incentive (INC-1): ``review_submitted`` is sent in the review's transaction
(``transaction.on_commit`` for anything slow), with the review.
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.audit.services import audit_record
from prakerja.core.errors import DomainError
from prakerja.learning.models import Payment, Review
from prakerja.learning.signals import review_submitted

REVIEW_MIN, REVIEW_MAX = 20, 1000
STARS = range(1, 6)

class ReviewError(DomainError):
    pass


def review_check(*, stars, text: str) -> tuple[int, str]:
    """The stars and the text as they will be kept, or the first thing wrong with them."""
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        stars = 0
    if stars not in STARS:
        raise ReviewError("stars_invalid", _("Choose from 1 to 5 stars."), "stars")
    text = (text or "").strip()
    if len(text) < REVIEW_MIN:
        raise ReviewError("review_too_short", _("Write at least %(n)d characters.") % {"n": REVIEW_MIN}, "text")
    if len(text) > REVIEW_MAX:
        raise ReviewError("review_too_long", _("Write at most %(n)d characters.") % {"n": REVIEW_MAX}, "text")
    return stars, text


def reviewable_payment(*, user, payment_id) -> Payment:
    """The user's own purchase with a certificate; anything else (another's, unfinished) is not found."""
    payment = (Payment.objects.select_related("listing__course", "certificate")
               .filter(public_id=payment_id, card__user=user, certificate__isnull=False).first())
    if payment is None:
        raise ReviewError("purchase_not_found", _("This training cannot be reviewed."))
    return payment


def review_submit(*, user, payment_id, stars, text: str, now: datetime | None = None) -> Review:
    stars, text = review_check(stars=stars, text=text)
    payment = reviewable_payment(user=user, payment_id=payment_id)
    already = _("You have already reviewed this training.")
    if Review.objects.filter(payment=payment).exists():
        raise ReviewError("already_reviewed", already)
    try:
        with transaction.atomic():
            review = Review.objects.create(payment=payment, course=payment.listing.course, user=user, stars=stars,
                                           text=text, created_at=now or timezone.now())
            audit_record(actor=user, action="review.submit", target=payment.card,
                         data={"payment": str(payment.public_id), "stars": stars})
            review_submitted.send(sender=Review, review=review)
    except IntegrityError as exc:  # two submits at once: the unique purchase lets one through
        raise ReviewError("already_reviewed", already) from exc
    return review
