"""Paying for a training with the card at a platform (TRN-2): start, confirm with the SMS OTP, cancel.

Each service runs inside the caller's transaction (the API handler owns it).
A refusal is a ``PaymentError`` whose ``code`` is the contract's error code
(docs/partner-api.md); ``keep`` marks a refusal whose bookkeeping must be
committed all the same (a wrong OTP counts, an expired OTP marks the payment).
"""

import hashlib
import hmac
import secrets
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.audit.services import audit_record
from prakerja.cards import numbers
from prakerja.cards.models import Card, CardStatus
from prakerja.cards.services import CardError, card_debit, card_refund
from prakerja.catalog.models import Listing, ListingStatus
from prakerja.core.db import insert_or_get, prepared_queries
from prakerja.core.errors import DomainError
from prakerja.learning.models import CardBinding, Payment, PaymentStatus
from prakerja.ledger.services import LedgerError
from prakerja.notifications.models import Channel
from prakerja.notifications.services import notification_send


class PaymentError(DomainError):
    def __init__(self, code: str, message, *, keep: bool = False, **extra):
        super().__init__(code, message)
        self.keep = keep
        self.extra = extra


# Codes without look-alikes (no 0/O, 1/I/L), so a code read aloud or retyped survives.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code(length: int = 12) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def otp_digest(payment_id, otp: str) -> str:
    message = f"{payment_id}:{otp}".encode()
    return hmac.new(settings.PAYMENT_OTP_KEY.encode(), message, hashlib.sha256).hexdigest()


def _card_not_found() -> PaymentError:
    return PaymentError("card_not_found", _("Card number not found."))


def _card_inactive() -> PaymentError:
    return PaymentError("card_inactive", _("This card cannot be used to buy a training now."))


# What a purchase reads of the card and what hangs on it, and nothing more: every column selected is
# compiled, quoted and converted on each of the busiest calls of the partner API. Reading a field left
# out here costs a query of its own (tests/partners/test_purchase_queries.py fails on such a load).
_CARD_FIELDS = ("id", "public_id", "user_id", "programme_id", "account_id", "last4", "status", "purchase_deadline",
                "first_purchase_at", "user__id", "user__public_id", "user__email", "user__language",
                "user__is_staff", "programme__id", "programme__balance_expires_on")


def _one(rows):
    """The row a unique lookup finds, or None: no ORDER BY (``first()`` adds one) for a single row."""
    return next(iter(rows.order_by()[:1]), None)


def _usable(card: Card, now: datetime) -> bool:
    """Active, videos watched (CRD-2), before the first-purchase deadline unless it bought (CRD-5), not expired.

    ``card.inducted`` is the induction rule read with the card (``_card_for_purchase``)."""
    if card.status != CardStatus.ACTIVE:
        return False
    if card.first_purchase_at is None and card.purchase_deadline <= now:
        return False
    expires = card.programme.balance_expires_on
    if expires is not None and timezone.localdate(now) > expires:
        return False
    return bool(card.inducted)


def _card_for_purchase(number: str, platform) -> Card | None:
    """The card by its number, with what a purchase decides on, in one statement: its holder's phone, its
    balance, whether the holder watched the induction videos (``inducted``, CRD-2) and the platform user it
    is bound to on this platform (``bound_user``, None if none)."""
    from prakerja.induction.selectors import induction_complete_sql

    user_id = f'"{Card._meta.db_table}"."user_id"'
    rows = (Card.objects.select_related("user__profile", "programme", "account")
            .only(*_CARD_FIELDS, "user__profile__id", "user__profile__user_id", "user__profile__phone",
                  "account__id", "account__balance")
            .annotate(inducted=RawSQL(induction_complete_sql(user_id), [], output_field=BooleanField()),  # noqa: S611  # nosec B611
                      bound_user=Subquery(CardBinding.objects.filter(card=OuterRef("pk"), platform=platform)
                                          .values("platform_user_id")[:1]))
            .filter(number_index=numbers.index_of(number)))
    with prepared_queries(connection):  # five tables and two subqueries: planning it cost 9 times running it
        return _one(rows)


def payment_start(*, platform, card_number: str, listing_code: str, platform_order_id: str,
                  platform_user_id: str, buyer: dict, now: datetime | None = None) -> Payment:
    """Check the card and the listing, then send the cardholder an OTP (TRN-2), refusing in the contract's order."""
    now = now or timezone.now()
    number = numbers.normalise(card_number)
    card = _card_for_purchase(number, platform) if number else None
    if card is None:
        raise _card_not_found()
    if not _usable(card, now):
        raise _card_inactive()
    with prepared_queries(connection):  # planning it cost five times running it
        listing = _one(Listing.objects.select_related("course")
                       .only("id", "public_id", "code", "platform_id", "course_id", "price", "course__id",
                             "course__title")
                       .filter(code=listing_code, platform=platform, status=ListingStatus.APPROVED))
    if listing is None:
        raise PaymentError("listing_not_found", _("This training is not sold on this platform."))
    if listing.price > card.account.balance:
        raise PaymentError("insufficient_balance", _("Insufficient balance"))
    if card.bound_user is not None and card.bound_user != platform_user_id:
        raise PaymentError("card_bound_to_other_user",
                           _("This card is already used by another account on this platform."))
    otp = f"{secrets.randbelow(10 ** 6):06d}"
    payment = Payment(platform=platform, listing=listing, card=card, amount=listing.price,
                      platform_order_id=platform_order_id, platform_user_id=platform_user_id,
                      buyer_name=buyer["name"], buyer_email=buyer["email"], buyer_phone=buyer["phone"],
                      otp_expires_at=now + settings.PAYMENT_OTP_LIFETIME)
    payment.otp_hash = otp_digest(payment.public_id, otp)
    # No savepoint of its own: nothing here is caught and carried on from; a failure fails the caller's
    # transaction (the API's savepoint rolls back to before the call).
    with transaction.atomic(savepoint=False):
        payment.save()
        notification_send(template="payment_otp", key=f"payment-otp:{payment.public_id}", channels=[Channel.SMS],
                          user=card.user, phone=card.user.profile.phone, sensitive=True,
                          context={"code": otp, "amount": payment.amount, "platform": platform.name,
                                   "course": listing.course.title})
        audit_record(actor=platform.actor, action="payment.start", target=card,
                     data={"payment": str(payment.public_id), "listing": listing.code, "amount": payment.amount})
    return payment


def payment_for(*, platform, payment_id, lock: bool = False) -> Payment:
    """The platform's own payment; another platform's is not found (404)."""
    # What the confirm reads: the card's holder (CRD-2) and programme (CRD-6); nothing more, every join costs.
    rows = Payment.objects.select_related("card__user", "card__programme").only(
        *(field.name for field in Payment._meta.concrete_fields), *(f"card__{field}" for field in _CARD_FIELDS))
    if lock:
        rows = rows.select_for_update(of=("self",))
    with prepared_queries(connection):  # three tables: planned once per connection, not on every confirm
        payment = _one(rows.filter(public_id=payment_id, platform=platform))
    if payment is None:
        raise PaymentError("payment_not_found", _("Payment not found."))
    return payment


def shown_status(payment: Payment, now: datetime | None = None) -> str:
    """The status a platform sees: an OTP past its time is expired even before anyone tried it."""
    now = now or timezone.now()
    if payment.status == PaymentStatus.OTP_SENT and payment.otp_expires_at <= now:
        return PaymentStatus.EXPIRED
    return payment.status


def _failed() -> PaymentError:
    return PaymentError("payment_failed", _("The payment failed: the OTP was entered wrongly three times."))


def payment_confirm(*, platform, payment_id, otp: str, now: datetime | None = None) -> Payment:
    """The OTP, then the debit exactly once (key ``payment:<id>``), a voucher and a redeem code (TRN-2).

    A refusal marked ``keep`` (a wrong OTP counted, an expiry recorded) leaves
    the atomic block normally, so its bookkeeping is committed, and is raised
    after it: raised inside, the block would roll the count back, and a
    guesser would get unlimited tries.
    """
    with transaction.atomic(savepoint=False):  # as in payment_start: the caller's savepoint is the one that counts
        try:
            return _confirm(platform=platform, payment_id=payment_id, otp=otp, now=now or timezone.now())
        except PaymentError as exc:
            if not exc.keep:
                raise
            refusal = exc
    raise refusal


def _confirm(*, platform, payment_id, otp: str, now: datetime) -> Payment:
    """payment_confirm's steps, under the payment's lock."""
    payment = payment_for(platform=platform, payment_id=payment_id, lock=True)
    if payment.status == PaymentStatus.PAID:
        return payment  # confirmed already (another key, or after a crash): the paid answer again
    if payment.status == PaymentStatus.FAILED:
        raise _failed()
    if payment.status == PaymentStatus.CANCELLED:
        raise PaymentError("payment_cancelled", _("The transaction has already been cancelled"))
    if shown_status(payment, now) == PaymentStatus.EXPIRED:
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.EXPIRED)
        raise PaymentError("otp_expired", _("The OTP has expired. Start the payment again."), keep=True)
    if not hmac.compare_digest(otp_digest(payment.public_id, str(otp)), payment.otp_hash):
        payment.otp_attempts += 1
        left = settings.PAYMENT_OTP_MAX_WRONG - payment.otp_attempts
        payment.status = PaymentStatus.FAILED if left <= 0 else payment.status
        payment.save(update_fields=["otp_attempts", "status"])
        audit_record(actor=platform.actor, action="payment.otp_wrong", target=payment.card,
                     data={"payment": str(payment.public_id), "attempts_left": max(left, 0)})
        if left <= 0:
            raise PaymentError(_failed().code, _failed().message, keep=True)
        raise PaymentError("otp_invalid", _("Wrong OTP code."), keep=True, attempts_left=left)
    # One card per platform account, claimed before the money moves: a second user's confirm waits
    # on the unique index for the first to commit, then is refused.
    bound = _one(CardBinding.objects.filter(card=payment.card, platform=platform).values_list("platform_user_id",
                                                                                               flat=True))
    if bound is None:
        bound = insert_or_get(CardBinding(card=payment.card, platform=platform,
                                          platform_user_id=payment.platform_user_id),
                              unique=("card", "platform"))[0].platform_user_id
    if bound != payment.platform_user_id:
        raise PaymentError("card_bound_to_other_user",
                           _("This card is already used by another account on this platform."))
    try:
        card_debit(card=payment.card, amount=payment.amount, key=payment.debit_key, actor=platform.actor,
                   platform=platform.code, now=now)
    except LedgerError as exc:
        if exc.code == "insufficient_balance":
            raise PaymentError("insufficient_balance", _("Insufficient balance")) from exc
        raise
    except CardError as exc:
        raise _card_inactive() from exc
    payment.status, payment.paid_at = PaymentStatus.PAID, now
    payment.voucher_code, payment.redeem_code = new_code(), new_code()
    payment.save(update_fields=["status", "paid_at", "voucher_code", "redeem_code"])
    audit_record(actor=platform.actor, action="payment.confirm", target=payment.card,
                 data={"payment": str(payment.public_id), "amount": payment.amount})
    return payment


def payment_cancel(*, payment: Payment, actor, reason: str = "") -> int:
    """Cancel before redemption; a paid payment's money goes back (refund key ``refund:<id>``). The amount refunded.

    ``payment`` must be locked by the caller (``payment_for(lock=True)``) or is
    locked here. Cancelling a cancelled payment again refunds nothing more.
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update(of=("self",)).select_related(
            "card__account", "platform").get(pk=payment.pk)
        if payment.status == PaymentStatus.CANCELLED:
            return payment.amount if payment.paid_at else 0
        if payment.redeemed_at is not None:
            raise PaymentError("already_redeemed", _("The redeem code has already been used"))
        refunded = 0
        if payment.status == PaymentStatus.PAID:
            card_refund(card=payment.card, debit_key=payment.debit_key, amount=payment.amount,
                        key=payment.refund_key, actor=actor, platform=payment.platform.code)
            refunded = payment.amount
        label = actor if isinstance(actor, str) else getattr(actor, "email", str(actor))
        Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.CANCELLED, cancelled_at=timezone.now(),
                                                     cancelled_by=label[:200])
        audit_record(actor=actor, action="payment.cancel", target=payment.card, reason=reason,
                     data={"payment": str(payment.public_id), "refunded": refunded})
    return refunded
