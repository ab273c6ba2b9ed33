"""The partner API v1 (docs/partner-api.md), with Django Ninja: signing, idempotency, errors, the platform endpoints.

Handlers are thin: authenticate (the signature), open the transaction, call
a service, answer. The contract's error codes are the services'
``DomainError`` codes; this module only maps each code to its HTTP status.

Every call by a known partner leaves one ``partner_api.<operation>`` audit
row (status, error code, idempotency key), in the transaction of the call;
the services add their own rows for what changed (``payment.confirm``...).
A call about a purchase names it in the row (``payment``: its public ID),
replays and refusals too, so the participant sees the call among the
accesses to their data (PRV-5, ``mydata.selectors.accesses_of``).
A request no partner signed (401) is only logged: an anonymous client must
not be able to make us write to the audit chain.
"""

import hashlib
import json
import time
from datetime import datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Literal
from uuid import UUID

import ninja
import structlog
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator, validate_email
from django.db import connection, transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path as url_path
from django.urls import re_path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, json_script
from django.utils.translation import gettext_lazy as _
from ninja import Header, NinjaAPI, Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.openapi.docs import DocsBase
from ninja.security import APIKeyHeader
from pydantic import AwareDatetime, Field, field_validator

from prakerja.audit.services import audit_record
from prakerja.core.errors import DomainError
from prakerja.core.ratelimit import Limit, consume, remaining
from prakerja.learning import completions, redemptions
from prakerja.learning import services as payments
from prakerja.learning.models import Payment
from prakerja.partners.models import IdempotencyRecord, Partner, PartnerKind
from prakerja.partners.services import partner_for_signature, signature_valid

log = structlog.get_logger(__name__)

# The contract's HTTP status for each error code (docs/partner-api.md).
STATUS = {
    "unauthorized": 401, "timestamp_invalid": 401, "wrong_partner_type": 403, "rate_limited": 429,
    "invalid_request": 422, "idempotency_key_reused": 409, "not_found": 404, "method_not_allowed": 405,
    "card_not_found": 404, "card_inactive": 403, "listing_not_found": 404, "insufficient_balance": 409,
    "card_bound_to_other_user": 409, "payment_not_found": 404, "otp_invalid": 400, "payment_failed": 409,
    "otp_expired": 410, "payment_cancelled": 409, "already_redeemed": 409,
    "redeem_code_not_found": 404, "redeem_code_wrong_provider": 403, "redeem_code_used": 409,
    "redeem_code_cancelled": 409, "transaction_cancelled": 409, "redeem_code_not_used": 409,
    "already_completed": 409,
}


class Refusal(Exception):
    """An answer decided before any handler runs (authentication, type, rate limit)."""

    def __init__(self, code: str, message, partner: Partner | None = None):
        self.code, self.message, self.partner = code, message, partner


def error_body(code: str, message, **extra) -> dict:
    with translation.override("id"):  # the message is shown to the participant, in Indonesian
        return {"error": {"code": code, "message": str(message), **extra}}


def refusal_response(code: str, message, **extra) -> JsonResponse:
    return JsonResponse(error_body(code, message, **extra), status=STATUS[code])


def _invalid_request(fields: dict) -> JsonResponse:
    return refusal_response("invalid_request", _("The request is not valid; see fields."), fields=fields)


# --- audit -------------------------------------------------------------------------------

def _operation(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.url_name if match and match.url_name else "unknown")[:60]


def audit_call(partner: Partner, request: HttpRequest, status: int, *, code: str = "", target=None, **data) -> None:
    """The call's audit row; inside the caller's transaction."""
    data = {"status": status, **({"code": code} if code else {}), **data}
    key = request.headers.get("Idempotency-Key")
    if request.method == "POST" and key:
        data["idempotency_key"] = key[:64]
    audit_record(actor=partner.actor, action=f"partner_api.{_operation(request)}", target=target, data=data)


def _refused_call(request: HttpRequest, partner: Partner | None, response: JsonResponse) -> JsonResponse:
    """Audit a refusal decided outside any handler's transaction (a known partner's only)."""
    if partner is None:
        log.info("partner_call_refused", status=response.status_code, path=request.path[:200])
        return response
    with transaction.atomic():
        audit_call(partner, request, response.status_code, code=_code_of(response))
    return response


def _code_of(response: JsonResponse) -> str:
    return json.loads(response.content)["error"]["code"]


# --- authentication --------------------------------------------------------------------

CALLS = Limit("partner-calls", settings.PARTNER_CALLS_PER_MINUTE, 60)
CARD_MISSES = Limit("partner-card-misses", settings.PARTNER_CARD_MISSES_PER_10_MINUTES, 600)


def _unauthorized() -> Refusal:
    return Refusal("unauthorized", _("The request is not signed by a known, enabled partner."))


class PartnerSignature(APIKeyHeader):
    """X-Client-Code, X-Timestamp and X-Signature (HMAC-SHA256 of the request); ``request.auth`` is the Partner."""

    param_name = "X-Client-Code"
    openapi_description = "The partner's client code; see the Timestamp and Signature schemes."

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
        partner, secrets = partner_for_signature(key)
        if partner is None or not signature_valid(partner, timestamp=timestamp, method=request.method,
                                                  path=request.path, body=request.body, given=given.lower(),
                                                  secrets=secrets):
            log.info("partner_signature_refused", client_code=key[:32])
            raise _unauthorized()
        if partner.kind != self.kind:
            raise Refusal("wrong_partner_type", _("This endpoint is for another type of partner."), partner)
        if consume(CALLS, partner.code) is not None:
            raise Refusal("rate_limited", _("Too many requests. Try again in a minute."), partner)
        return partner


# Declared in the OpenAPI description: the three headers together (an AND), not Ninja's one API key.
SECURITY_SCHEMES = {
    "ClientCode": {"type": "apiKey", "in": "header", "name": "X-Client-Code",
                   "description": "The partner's client code."},
    "Timestamp": {"type": "apiKey", "in": "header", "name": "X-Timestamp",
                  "description": "Unix time in seconds; refused when more than 300 s from the server clock."},
    "Signature": {"type": "apiKey", "in": "header", "name": "X-Signature",
                  "description": "Lowercase hex of HMAC-SHA256(secret, client_code + timestamp + METHOD + path + "
                                 "body); path without host or query, body the raw bytes (empty for GET)."},
}


# --- the docs page, offline --------------------------------------------------------------

# Swagger UI as Django Ninja ships it, served by the API itself: no CDN (a sandbox has
# no internet) and nothing inline, so the site's Content-Security-Policy ('self') holds.
NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
DOCS_ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript",
               "swagger-ui-init.js": "text/javascript", "favicon.png": "image/png"}


def docs_asset(request: HttpRequest, name: str) -> HttpResponse:
    if name not in DOCS_ASSETS:
        raise Http404(name)
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=DOCS_ASSETS[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response


class OfflineSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        def asset(name):
            return reverse(f"{api.urls_namespace}:docs-asset", args=[name])

        # json_script: JSON a script element can hold (<, > and & escaped as \u003C...), not HTML entities,
        # which JSON.parse in swagger-ui-init.js would choke on.
        config = json_script({"url": self.get_openapi_url(api, kwargs), "layout": "BaseLayout",
                              "deepLinking": True}, "swagger-settings")
        return HttpResponse(format_html(
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{}</title>'
            '<link rel="stylesheet" href="{}"><link rel="icon" href="{}" type="image/png"></head>'
            '<body>{}<div id="swagger-ui"></div>'
            '<script src="{}"></script><script src="{}"></script></body></html>',
            api.title, asset("swagger-ui.css"), asset("favicon.png"), config, asset("swagger-ui-bundle.js"),
            asset("swagger-ui-init.js")))


# --- the API -----------------------------------------------------------------------------

def _contract_405(view):
    """Ninja answers a wrong method with a bare 405; the contract wants its error body on every non-2xx."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not isinstance(response, JsonResponse):
            allowed = response.get("Allow", "")
            response = refusal_response("method_not_allowed", _("This method is not allowed here."))
            response["Allow"] = allowed
        return response

    return wrapped


def _not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return refusal_response("not_found", _("There is nothing at this address."))


class PartnerAPI(NinjaAPI):
    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if getattr(pattern, "name", None) not in ("openapi-json", "openapi-view", "api-root"):
                pattern.callback = _contract_405(pattern.callback)
        return [url_path("docs/assets/<str:name>", docs_asset, name="docs-asset"), *urls,
                re_path(r"^(?P<rest>.*)$", _not_found, name="not-found")]

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        components = schema.setdefault("components", {})
        components["securitySchemes"] = SECURITY_SCHEMES
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if "security" in operation:
                    operation["security"] = [dict.fromkeys(SECURITY_SCHEMES, [])]
        return schema


api = PartnerAPI(title="Prakerja partner API", version="1", urls_namespace="partner_api",
                 docs=OfflineSwagger(), docs_url="/docs", openapi_url="/openapi.json",
                 description="The contract for digital platforms and training providers: docs/partner-api.md. "
                             "Every POST carries an Idempotency-Key; every non-2xx answer is an error body.")


@api.exception_handler(Refusal)
def _refused(request, exc: Refusal):
    partner = exc.partner or (request.auth if isinstance(getattr(request, "auth", None), Partner) else None)
    return _refused_call(request, partner, refusal_response(exc.code, exc.message))


def _partner_of(request) -> Partner | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, Partner) else None


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    fields = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())
                    if part not in ("body", "payload", "path", "header", "query")]
        fields.setdefault(".".join(location) or "body", error.get("msg", "invalid"))
    return _refused_call(request, _partner_of(request), _invalid_request(fields))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # Ninja's own refusals: a body that is not JSON (400) is a validation error under the contract.
    if exc.status_code == 400:
        response = _invalid_request({"body": "not valid JSON"})
    elif exc.status_code == 401:
        response = refusal_response("unauthorized", _unauthorized().message)
    else:
        response = refusal_response("invalid_request", _("The request is not valid; see fields."),
                                    fields={"body": str(exc)[:200]})
    return _refused_call(request, _partner_of(request), response)


@api.exception_handler(Http404)
def _http404(request, exc):
    return _refused_call(request, _partner_of(request), _not_found(request))


# --- idempotency -------------------------------------------------------------------------

def _key_valid(key: str) -> bool:
    return 1 <= len(key) <= 64 and key.isascii() and key.isprintable()


_CLAIM = ("INSERT INTO partners_idempotencyrecord (partner_id, key, request_hash, status_code, body, created_at) "
          "VALUES (%s, %s, %s, 0, '{}', %s) ON CONFLICT (partner_id, key) DO NOTHING RETURNING id")


def _claim_key(partner: Partner, key: str, digest: str) -> IdempotencyRecord:
    """The key's record: a new one (status 0) if this request claimed it, else the first request's, committed.

    One statement, no savepoint: on PostgreSQL a concurrent claim of the same
    key waits for the first transaction, then finds its committed row.
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, [partner.pk, key, digest, now])
        claimed = cursor.fetchone()
    if claimed:
        return IdempotencyRecord(pk=claimed[0], partner=partner, key=key, request_hash=digest, status_code=0,
                                 body={}, created_at=now)
    return IdempotencyRecord.objects.get(partner=partner, key=key)


def idempotent(request: HttpRequest, work, *, target_id=None) -> JsonResponse:
    """Run ``work() -> (status, body)`` once per (partner, Idempotency-Key); a replay gets the first answer.

    The record is written in the transaction of the work, so a crash after
    the commit still leaves the answer for the retry, and a crash before it
    leaves nothing. A concurrent request with the same key waits on the
    unique index for the first to commit, then replays it.
    """
    partner = request.auth
    key = request.headers.get("Idempotency-Key", "")
    if not _key_valid(key):
        return _refused_call(request, partner, _invalid_request({"Idempotency-Key": KEY_RULE}))
    digest = hashlib.sha256(b"%s %s\n" % (request.method.encode(), request.path.encode()) + request.body).hexdigest()
    with transaction.atomic():
        record = _claim_key(partner, key, digest)
        if record.status_code != 0:  # another request's key, committed: replay it or refuse
            if record.request_hash != digest:
                audit_call(partner, request, 409, code="idempotency_key_reused")
                return refusal_response("idempotency_key_reused",
                                        _("This Idempotency-Key was used for another request."))
            audit_call(partner, request, record.status_code, replayed=True,
                       payment=target_id or record.body.get("payment_id", ""))
            return JsonResponse(record.body, status=record.status_code, headers={"Idempotent-Replayed": "true"})
        savepoint = transaction.savepoint()
        code = ""
        try:
            status, body = work()
            transaction.savepoint_commit(savepoint)
        except DomainError as exc:
            if getattr(exc, "keep", False):
                transaction.savepoint_commit(savepoint)
            else:
                # A service's own atomic(savepoint=False) may have marked the transaction for rollback;
                # rolling back to the savepoint taken before the call leaves it sound again.
                transaction.set_rollback(False)
                transaction.savepoint_rollback(savepoint)
            code = exc.code
            status, body = STATUS[exc.code], error_body(exc.code, exc.message, **getattr(exc, "extra", {}))
        record.status_code, record.body = status, body
        record.save(update_fields=["status_code", "body"])
        audit_call(partner, request, status, code=code, payment=target_id or body.get("payment_id", ""))
    return JsonResponse(body, status=status)


# --- schemas -------------------------------------------------------------------------------

KEY_RULE = "required: 1 to 64 printable ASCII characters"
IdempotencyKey = Header(..., alias="Idempotency-Key", min_length=1, max_length=64, pattern=r"^[\x20-\x7e]+$",
                        description="1 to 64 printable characters; the same key and body replay the first answer.")


class ErrorDetail(Schema):
    code: str = Field(description="Stable, English.")
    message: str = Field(description="Indonesian, for the participant.")


class ErrorBody(Schema):
    error: ErrorDetail


class InvalidDetail(ErrorDetail):
    code: Literal["invalid_request"]
    fields: dict[str, str] = Field(description="Each bad field (dotted path, or a header's name) and what is wrong.")


class InvalidBody(Schema):
    error: InvalidDetail


class OtpInvalidDetail(ErrorDetail):
    code: Literal["otp_invalid"]
    attempts_left: int = Field(ge=1, description="Wrong OTPs still allowed before the payment fails.")


class OtpInvalidBody(Schema):
    error: OtpInvalidDetail


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
    card_number: str = Field(min_length=1, max_length=32, examples=["5000000000000001"])
    listing_code: str = Field(min_length=1, max_length=32, examples=["TKP-00123"])
    platform_order_id: str = Field(min_length=1, max_length=64, examples=["INV/2026/11/0001"])
    platform_user_id: str = Field(min_length=1, max_length=64, examples=["u-88213"])
    buyer: Buyer


class PaymentStarted(Schema):
    payment_id: UUID
    status: Literal["otp_sent"]
    amount: int
    otp_expires_at: datetime


class OtpIn(Schema):
    otp: str = Field(min_length=1, max_length=12, examples=["123456"])


class PaymentPaid(Schema):
    payment_id: UUID
    status: Literal["paid"]
    amount: int
    voucher_code: str


class PaymentCancelled(Schema):
    payment_id: UUID
    status: Literal["cancelled"]
    refunded_amount: int


class PaymentState(Schema):
    payment_id: UUID
    status: Literal["otp_sent", "paid", "failed", "cancelled", "expired"]
    amount: int
    voucher_code: str | None = None
    created_at: datetime


# Every operation may answer these (signature, partner type, rate limit, validation).
ERRORS = {401: ErrorBody, 403: ErrorBody, 422: InvalidBody, 429: ErrorBody}

# --- platform endpoints -------------------------------------------------------------------

platform = Router(auth=PartnerSignature(PartnerKind.PLATFORM), tags=["platform"])


def _paid(payment: Payment) -> dict:
    return {"payment_id": str(payment.public_id), "status": "paid", "amount": payment.amount,
            "voucher_code": payment.voucher_code}


def _card_misses_left(partner: Partner):
    if remaining(CARD_MISSES, partner.code) <= 0:
        raise Refusal("rate_limited", _("Too many card numbers not found. Try again later."), partner)


@platform.post("/payments", response={201: PaymentStarted, 404: ErrorBody, 409: ErrorBody, **ERRORS},
               summary="Start paying for a listing", url_name="payment_start")
def start_payment(request, payload: PaymentStart, idempotency_key: str = IdempotencyKey):
    partner = request.auth
    _card_misses_left(partner)

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
                     "otp_expires_at": payment.otp_expires_at.isoformat()}

    return idempotent(request, work)


@platform.post("/payments/{payment_id}/confirm",
               response={200: PaymentPaid, 400: OtpInvalidBody, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody,
                         **ERRORS},
               summary="Confirm a payment with the OTP", url_name="payment_confirm")
def confirm_payment(request, payment_id: UUID, payload: OtpIn, idempotency_key: str = IdempotencyKey):
    def work():
        return 200, _paid(payments.payment_confirm(platform=request.auth, payment_id=payment_id, otp=payload.otp))

    return idempotent(request, work, target_id=str(payment_id))


@platform.post("/payments/{payment_id}/cancel",
               response={200: PaymentCancelled, 404: ErrorBody, 409: ErrorBody, **ERRORS},
               summary="Cancel a payment before redemption", url_name="payment_cancel")
def cancel_payment(request, payment_id: UUID, idempotency_key: str = IdempotencyKey):
    partner = request.auth

    def work():
        payment = payments.payment_for(platform=partner, payment_id=payment_id, lock=True)
        refunded = payments.payment_cancel(payment=payment, actor=partner.actor)
        return 200, {"payment_id": str(payment.public_id), "status": "cancelled", "refunded_amount": refunded}

    return idempotent(request, work, target_id=str(payment_id))


@platform.get("/payments/{payment_id}", response={200: PaymentState, 404: ErrorBody, **ERRORS},
              summary="A payment's state", url_name="payment_get")
def get_payment(request, payment_id: UUID):
    partner = request.auth
    with transaction.atomic():
        try:
            payment = payments.payment_for(platform=partner, payment_id=payment_id)
        except payments.PaymentError as exc:
            audit_call(partner, request, STATUS[exc.code], code=exc.code, payment=str(payment_id))
            return refusal_response(exc.code, exc.message)
        audit_call(partner, request, 200, target=payment.card, payment=str(payment.public_id))
    return Status(200, {"payment_id": str(payment.public_id), "status": payments.shown_status(payment),
                        "amount": payment.amount, "voucher_code": payment.voucher_code,
                        "created_at": payment.created_at})


# --- provider endpoints -------------------------------------------------------------------

provider = Router(auth=PartnerSignature(PartnerKind.PROVIDER), tags=["provider"])


class RedeemIn(Schema):
    redeem_code: str = Field(min_length=1, max_length=32, examples=["7K3MQ9XD2HFA"])


class Redemption(Schema):
    redeem_code: str
    course_code: str
    status: Literal["unused", "used", "cancelled"]
    participant_name: str = Field(description="Masked: the first letter of each word (\"S*** R****\").")


class CompletionIn(Schema):
    redeem_code: str = Field(min_length=1, max_length=32)
    completed_at: AwareDatetime = Field(description="ISO 8601 with an offset; not in the future.",
                                        examples=["2026-11-20T10:00:00+07:00"])
    certificate_number: str = Field(min_length=1, max_length=64, examples=["LP-2026-000123"])
    certificate_url: str = Field(min_length=1, max_length=500, examples=["https://lp.example.id/s/LP-2026-000123"])
    score: int | None = Field(default=None, ge=0, le=100)
    participant: Buyer

    @field_validator("certificate_url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            URLValidator(schemes=["https", "http"])(value)
        except DjangoValidationError as exc:
            raise ValueError("not an http(s) URL") from exc
        return value

    @field_validator("completed_at")
    @classmethod
    def _not_future(cls, value: datetime) -> datetime:
        if value > timezone.now() + COMPLETION_CLOCK_SKEW:
            raise ValueError("in the future")
        return value


class CompletionOut(Schema):
    completion_id: UUID
    status: Literal["accepted", "held_for_review"]


COMPLETION_CLOCK_SKEW = timedelta(minutes=5)


def _named_payment(request, code: str) -> str | None:
    """The purchase the call's audit row names (PRV-5: the participant sees the call), replays and refusals too.

    This provider's purchases only: an unknown code and another provider's name
    nobody, alike. Looked up before the work, so a refusal names it as well.
    """
    return redemptions.payment_named_by(provider=request.auth, code=code)


@provider.post("/redemptions/status", response={200: Redemption, 404: ErrorBody, **ERRORS},
               summary="A redeem code's status", url_name="redemption_status")
def redemption_status(request, payload: RedeemIn, idempotency_key: str = IdempotencyKey):
    def work():
        return 200, redemptions.redemption_status(provider=request.auth, code=payload.redeem_code)

    return idempotent(request, work, target_id=_named_payment(request, payload.redeem_code))


@provider.post("/redemptions/commit", response={200: Redemption, 404: ErrorBody, 409: ErrorBody, **ERRORS},
               summary="Use a redeem code: the participant starts the training", url_name="redemption_commit")
def redemption_commit(request, payload: RedeemIn, idempotency_key: str = IdempotencyKey):
    def work():
        return 200, redemptions.redemption_commit(provider=request.auth, code=payload.redeem_code)

    return idempotent(request, work, target_id=_named_payment(request, payload.redeem_code))


@provider.post("/completions", response={202: CompletionOut, 404: ErrorBody, 409: ErrorBody, **ERRORS},
               summary="Report a completed training with its certificate", url_name="completion_report")
def completion_report(request, payload: CompletionIn, idempotency_key: str = IdempotencyKey):
    def work():
        completion = completions.completion_report(
            provider=request.auth, code=payload.redeem_code, completed_at=payload.completed_at,
            certificate_number=payload.certificate_number, certificate_url=payload.certificate_url,
            score=payload.score, participant=payload.participant.dict())
        held = completion.status == completions.CompletionStatus.HELD
        return 202, {"completion_id": str(completion.public_id), "status": "held_for_review" if held else "accepted"}

    return idempotent(request, work, target_id=_named_payment(request, payload.redeem_code))


api.add_router("/", platform)
api.add_router("/", provider)
