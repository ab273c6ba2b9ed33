"""Purchases in every state of TRN-3..5, written straight to the database, for the participant's pages."""

from datetime import datetime, timedelta

from django.utils import timezone

from prakerja.learning.completions import certificate_issue
from prakerja.learning.models import Completion, Payment, Review
from prakerja.learning.services import new_code


def purchase(card, listing, *, state: str = "paid", paid_at: datetime | None = None,
             reported_at: datetime | None = None, stars: int | None = None) -> Payment:
    """A purchase: ``state`` is paid, redeemed, held (a mismatched report), finished, or cancelled."""
    paid_at = paid_at or timezone.now() - timedelta(days=3)
    payment = Payment.objects.create(
        platform=listing.platform, listing=listing, card=card, amount=listing.price, platform_order_id="INV/1",
        platform_user_id="u-1", buyer_name=card.user.full_name, buyer_email=card.user.email,
        buyer_phone="+6281234567890", status="cancelled" if state == "cancelled" else "paid", otp_hash="x",
        otp_expires_at=paid_at, voucher_code=new_code(), redeem_code=new_code(), paid_at=paid_at,
        redeemed_at=paid_at + timedelta(hours=1) if state in ("redeemed", "held", "finished") else None)
    if state in ("held", "finished"):
        reported_at = reported_at or paid_at + timedelta(days=1)
        completion = Completion.objects.create(
            payment=payment, provider=listing.course.provider, completed_at=reported_at, reported_at=reported_at,
            provider_certificate_number="LP-1", certificate_url="https://lp.example.id/c/1", score=90,
            participant_name=card.user.full_name, participant_email=card.user.email,
            participant_phone="+6281234567890", mismatches=["name"] if state == "held" else [],
            status="held" if state == "held" else "accepted")
        if state == "finished":
            certificate_issue(completion, now=reported_at)
    if stars is not None:
        Review.objects.create(payment=payment, course=listing.course, user=card.user, stars=stars,
                              text="Materinya jelas dan sangat bermanfaat untuk pekerjaan saya.",
                              created_at=timezone.now())
    return payment
