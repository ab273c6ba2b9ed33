"""The partner API v1 (docs/partner-api.md), with Django Ninja: signing, idempotency, errors, the platform endpoints.

Handlers are thin: authenticate (the signature), open the transaction, call
a service, answer. The contract's error codes are the services'
``DomainError`` codes; this module only maps each code to its HTTP status.
"""

import hashlib
import time
from datetime import datetime
from uuid import UUID

import structlog
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.security import APIKeyHeader
from pydantic import Field, field_validator

from prakerja.audit.services import audit_record
from prakerja.core.errors import DomainError
from prakerja.core.ratelimit import Limit, consume, remaining
from prakerja.learning import services as payments
from prakerja.learning.models import Payment
from prakerja.partners.models import IdempotencyRecord, Partner, PartnerKind
from prakerja.partners.services import signature_valid

log = structlog.get_logger(__name__)

# The contract's HTTP status for each error code (docs/partner-api.md).
STATUS = {
    "unauthorized": 401, "timestamp_invalid": 401, "wrong_partner_type": 403, "rate_limited": 429,
    "invalid_request": 422, "idempotency_key_reused": 409,
    "card_not_found": 404, "card_inactive": 403, "listing_not_found": 404, "insufficient_balance": 409,
    "card_bound_to_other_user": 409, "payment_not_found": 404, "otp_invalid": 400, "payment_failed": 409,
    "otp_expired": 410, "payment_cancelled": 409, "already_redeemed": 409,
}


class Refusal(Exception):
    """An answer decided before any handler runs (authentication, type, rate limit)."""

    def __init__(self, code: str, message):
        self.code, self.message = code, message


def error_body(code: str, message, **extra) -> dict:
    with translation.override("id"):  # the message is shown to the participant, in Indonesian
        return {"error": {"code": code, "message": str(message), **extra}}


def refusal_response(code: str, message, **extra) -> JsonResponse:
    return JsonResponse(error_body(code, message, **extra), status=STATUS[code])


# --- authentication --------------------------------------------------------------------

CALLS = Limit("partner-calls", settings.PARTNER_CALLS_PER_MINUTE, 60)
CARD_MISSES = Limit("partner-card-misses", settings.PARTNER_CARD_MISSES_PER_10_MINUTES, 600)


def _unauthorized() -> Refusal:
    return Refusal("unauthorized", _("The request is not signed by a known, enabled partner."))


class PartnerSignature(APIKeyHeader):
    """X-Client-Code, X-Timestamp and X-Signature (HMAC-SHA256 of the request); ``request.auth`` is the Partner."""

    param_name = "X-Client-Code"
    openapi_description = ("With X-Timestamp (Unix seconds, within 300 s) and X-Signature: lowercase hex of "
                           "HMAC-SHA256(secret, client_code + timestamp + METHOD + path + body).")

    def __init__(self, kind: str):
        self.kind = kind
        super().__init__()

    def authenticate(self, request: HttpRequest, key: str | None) -> Partner:
        timestamp = request.headers.get("X-Timestamp", "")
        given = request.headers.get("X-Signature", "")
        if not key or not given or len(key) > 32 or len(given) != 64:
            raise _unauthorized()
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > settings.PARTNER_TIMESTAMP_TOLERANCE:
            raise Refusal("timestamp_invalid", _("X-Timestamp is missing or more than 300 seconds from our clock."))
        partner = Partner.objects.filter(code=key, enabled=True).first()
        if partner is None or not signature_valid(partner, timestamp=timestamp, method=request.method,
                                                  path=request.path, body=request.body, given=given.lower()):
            log.info("partner_signature_refused", client_code=key[:32])
            raise _unauthorized()
        if partner.kind != self.kind:
            raise Refusal("wrong_partner_type", _("This endpoint is for another type of partner."))
        if consume(CALLS, partner.code) is not None:
            raise Refusal("rate_limited", _("Too many requests. Try again in a minute."))
        return partner


api = NinjaAPI(title="Prakerja partner API", version="1", urls_namespace="partner_api",
               docs_url="/docs", openapi_url="/openapi.json",
               description="The contract for digital platforms and training providers: docs/partner-api.md.")


@api.exception_handler(Refusal)
def _refused(request, exc: Refusal):
    return refusal_response(exc.code, exc.message)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    fields = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload", "path")]
        fields[".".join(location) or "body"] = error.get("msg", "invalid")
    return refusal_response("invalid_request", _("The request is not valid; see fields."), fields=fields)


# --- idempotency -------------------------------------------------------------------------

def _key_refusal() -> JsonResponse:
    return refusal_response("invalid_request", _("The request is not valid; see fields."),
                            fields={"Idempotency-Key": "required: 1 to 64 printable characters"})


def idempotent(request: HttpRequest, operation: str, work) -> JsonResponse:
    """Run ``work() -> (status, body)`` once per (partner, Idempotency-Key); a replay gets the first answer.

    The record is written in the transaction of the work, so a crash after
    the commit still leaves the answer for the retry, and a crash before it
    leaves nothing. A concurrent request with the same key waits on the
    unique index for the first to commit, then replays it.
    """
    partner = request.auth
    key = request.headers.get("Idempotency-Key", "")
    if not 1 <= len(key) <= 64 or not key.isprintable() or not key.isascii():
        return _key_refusal()
    digest = hashlib.sha256(b"%s %s\n" % (request.method.encode(), request.path.encode()) + request.body).hexdigest()
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(partner=partner, key=key, request_hash=digest)
        except IntegrityError:
            record = IdempotencyRecord.objects.get(partner=partner, key=key)
            if record.request_hash != digest:
                return refusal_response("idempotency_key_reused",
                                        _("This Idempotency-Key was used for another request."))
            return JsonResponse(record.body, status=record.status_code, headers={"Idempotent-Replayed": "true"})
        savepoint = transaction.savepoint()
        try:
            status, body = work()
            transaction.savepoint_commit(savepoint)
        except DomainError as exc:
            if getattr(exc, "keep", False):
                transaction.savepoint_commit(savepoint)
            else:
                transaction.savepoint_rollback(savepoint)
            status, body = STATUS[exc.code], error_body(exc.code, exc.message, **getattr(exc, "extra", {}))
            audit_record(actor=partner.actor, action=f"partner_api.{operation}", data={"refused": exc.code})
        record.status_code, record.body = status, body
        record.save(update_fields=["status_code", "body"])
    return JsonResponse(body, status=status)


# --- schemas -------------------------------------------------------------------------------

class ErrorDetail(Schema):
    code: str
    message: str


class ErrorBody(Schema):
    error: ErrorDetail


class Buyer(Schema):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=254)
    phone: str = Field(min_length=6, max_length=20)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        try:
            validate_email(value)  # Django's own rule, as the account's email was checked
        except DjangoValidationError as exc:
            raise ValueError("not an email address") from exc
        return value


class PaymentStart(Schema):
    card_number: str = Field(min_length=1, max_length=32)
    listing_code: str = Field(min_length=1, max_length=32)
    platform_order_id: str = Field(min_length=1, max_length=64)
    platform_user_id: str = Field(min_length=1, max_length=64)
    buyer: Buyer


class PaymentStarted(Schema):
    payment_id: UUID
    status: str
    amount: int
    otp_expires_at: datetime


class OtpIn(Schema):
    otp: str = Field(min_length=1, max_length=12)


class PaymentPaid(Schema):
    payment_id: UUID
    status: str
    amount: int
    voucher_code: str


class PaymentCancelled(Schema):
    payment_id: UUID
    status: str
    refunded_amount: int


class PaymentState(Schema):
    payment_id: UUID
    status: str
    amount: int
    voucher_code: str | None = None
    created_at: datetime


ERRORS = {401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody, 429: ErrorBody}

# --- platform endpoints -------------------------------------------------------------------

platform = Router(auth=PartnerSignature(PartnerKind.PLATFORM), tags=["platform"])


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _paid(payment: Payment) -> dict:
    return {"payment_id": str(payment.public_id), "status": "paid", "amount": payment.amount,
            "voucher_code": payment.voucher_code}


def _not_found_counted(partner: Partner):
    if remaining(CARD_MISSES, partner.code) <= 0:
        raise Refusal("rate_limited", _("Too many card numbers not found. Try again later."))


@platform.post("/payments", response={201: PaymentStarted, **ERRORS}, summary="Start paying for a listing")
def start_payment(request, payload: PaymentStart):
    partner = request.auth
    _not_found_counted(partner)

    def work():
        try:
            payment = payments.payment_start(
                platform=partner, card_number=payload.card_number, listing_code=payload.listing_code,
                platform_order_id=payload.platform_order_id, platform_user_id=payload.platform_user_id,
                buyer=payload.buyer.dict())
        except payments.PaymentError as exc:
            if exc.code == "card_not_found":
                consume(CARD_MISSES, partner.code)
            raise
        return 201, {"payment_id": str(payment.public_id), "status": payment.status, "amount": payment.amount,
                     "otp_expires_at": _iso(payment.otp_expires_at)}

    return idempotent(request, "payment_start", work)


@platform.post("/payments/{payment_id}/confirm", response={200: PaymentPaid, 400: ErrorBody, 410: ErrorBody, **ERRORS},
               summary="Confirm a payment with the OTP")
def confirm_payment(request, payment_id: UUID, payload: OtpIn):
    def work():
        return 200, _paid(payments.payment_confirm(platform=request.auth, payment_id=payment_id, otp=payload.otp))

    return idempotent(request, "payment_confirm", work)


@platform.post("/payments/{payment_id}/cancel", response={200: PaymentCancelled, **ERRORS},
               summary="Cancel a payment before redemption")
def cancel_payment(request, payment_id: UUID):
    partner = request.auth

    def work():
        payment = payments.payment_for(platform=partner, payment_id=payment_id, lock=True)
        refunded = payments.payment_cancel(payment=payment, actor=partner.actor)
        return 200, {"payment_id": str(payment.public_id), "status": "cancelled", "refunded_amount": refunded}

    return idempotent(request, "payment_cancel", work)


@platform.get("/payments/{payment_id}", response={200: PaymentState, **ERRORS}, summary="A payment's state")
def get_payment(request, payment_id: UUID):
    partner = request.auth
    with transaction.atomic():
        try:
            payment = payments.payment_for(platform=partner, payment_id=payment_id)
        except payments.PaymentError as exc:
            audit_record(actor=partner.actor, action="partner_api.payment_get", data={"refused": exc.code})
            return refusal_response(exc.code, exc.message)
        audit_record(actor=partner.actor, action="partner_api.payment_get", target=payment.card,
                     data={"payment": str(payment.public_id)})
    return Status(200, {"payment_id": str(payment.public_id), "status": payments.shown_status(payment),
                        "amount": payment.amount, "voucher_code": payment.voucher_code,
                        "created_at": payment.created_at})


api.add_router("/", platform)
