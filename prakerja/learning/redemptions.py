"""Redeem codes (TRN-3): the provider checks a code and commits it; an operator may replace a leaked one.

The refusals are the contract's, in its order: a code nobody issued is not
found; a code for another provider's course is not theirs (so a provider
learns nothing about other providers' codes beyond that); then the purchase
cancelled, the code replaced, the code used. Services run in the caller's
transaction and lock the purchase's row when they change it.
"""

import re
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.audit.services import audit_record
from prakerja.core.errors import DomainError
from prakerja.learning.models import Payment, PaymentStatus, VoidedRedeemCode
from prakerja.learning.services import new_code


class RedeemError(DomainError):
    pass


def _not_found() -> RedeemError:
    return RedeemError("redeem_code_not_found", _("Redeem code not found"))


def _wrong_provider() -> RedeemError:
    return RedeemError("redeem_code_wrong_provider",
                       _("The redeem code does not belong to the training provider you chose"))


def transaction_cancelled() -> RedeemError:
    return RedeemError("transaction_cancelled", _("The transaction has already been cancelled"))


def code_cancelled() -> RedeemError:
    return RedeemError("redeem_code_cancelled", _("The redeem code has been cancelled"))


def code_used() -> RedeemError:
    return RedeemError("redeem_code_used", _("The redeem code has already been used"))


def normalise_code(raw: str) -> str:
    """As printed (12 characters), whatever the case, spaces or dashes a person typed around them."""
    return re.sub(r"[\s-]", "", raw or "").upper()[:32]


def mask_name(name: str) -> str:
    """"Siti Rahma" -> "S*** R****": enough for a provider to tell it is the person in front of them."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split())


def _find(*, provider, code: str, lock: bool) -> tuple[Payment, bool]:
    """The purchase a code belongs to, if it is this provider's, and whether the code was replaced."""
    code = normalise_code(code)
    if not code:
        raise _not_found()
    rows = Payment.objects.select_related("listing__course", "card__user__profile")
    if lock:
        rows = rows.select_for_update(of=("self",))
    payment = rows.filter(redeem_code=code).first()
    voided = False
    if payment is None:
        voided = True
        payment = rows.filter(voided_codes__code=code).first()
        if payment is None:
            raise _not_found()
    if payment.listing.course.provider_id != provider.pk:
        raise _wrong_provider()
    return payment, voided


def payment_named_by(*, provider, code: str) -> str | None:
    """The public ID of this provider's purchase a code (live or replaced) belongs to; None for any other code.

    For the audit row of a provider's call (PRV-5: the participant sees it),
    replays and refusals included. Only this provider's purchases are looked
    at, so a code nobody issued and another provider's code both name nobody,
    by the same queries: nothing here tells the two apart.
    """
    code = normalise_code(code)
    if not code:
        return None
    ours = Payment.objects.filter(listing__course__provider=provider)
    found = (ours.filter(redeem_code=code).values_list("public_id", flat=True).first()
             or ours.filter(voided_codes__code=code).values_list("public_id", flat=True).first())
    return str(found) if found else None


def payment_by_code(*, provider, code: str, lock: bool = False) -> Payment:
    """The purchase a live redeem code belongs to, if it is this provider's, else the contract's refusal.

    A code an operator replaced answers "cancelled" to its own provider only.
    """
    payment, voided = _find(provider=provider, code=code, lock=lock)
    if voided:
        raise code_cancelled()
    return payment


def redemption_view(payment: Payment, code: str | None = None) -> dict:
    """What the contract answers about a code (status and commit); ``code`` for a replaced one."""
    if code is not None or payment.status == PaymentStatus.CANCELLED:
        status = "cancelled"
    else:
        status = "used" if payment.redeemed_at else "unused"
    return {"redeem_code": code or payment.redeem_code, "course_code": payment.listing.course.code,
            "status": status, "participant_name": mask_name(payment.card.user.full_name)}


def redemption_status(*, provider, code: str) -> dict:
    payment, voided = _find(provider=provider, code=code, lock=False)
    return redemption_view(payment, normalise_code(code) if voided else None)


def redemption_commit(*, provider, code: str, now: datetime | None = None) -> dict:
    """Mark the code used, once: the participant starts the training; the purchase can no longer be cancelled."""
    with transaction.atomic(savepoint=False):  # the API's savepoint is the one that counts
        payment = payment_by_code(provider=provider, code=code, lock=True)
        if payment.status == PaymentStatus.CANCELLED:
            raise transaction_cancelled()
        if payment.redeemed_at is not None:
            raise code_used()
        payment.redeemed_at = now or timezone.now()
        payment.save(update_fields=["redeemed_at"])
        audit_record(actor=provider.actor, action="redemption.commit", target=payment.card,
                     data={"payment": str(payment.public_id), "course": payment.listing.course.code})
    return redemption_view(payment)


def redeem_code_replace(*, payment: Payment, actor, reason: str) -> str:
    """An operator voids a purchase's unused redeem code (leaked, given to the wrong person) and issues a new one.

    The old code then answers "Kode redeem sudah dibatalkan". The new code.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RedeemError("reason_required", _("Give a reason."), "reason")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.status != PaymentStatus.PAID:
            raise transaction_cancelled() if payment.status == PaymentStatus.CANCELLED else _not_found()
        if payment.redeemed_at is not None:
            raise code_used()
        VoidedRedeemCode.objects.create(code=payment.redeem_code, payment=payment, reason=reason[:300],
                                        voided_by=actor)
        payment.redeem_code = new_code()
        payment.save(update_fields=["redeem_code"])
        audit_record(actor=actor, action="redemption.replace_code", target=payment.card, reason=reason,
                     data={"payment": str(payment.public_id)})
    return payment.redeem_code
