"""Completions and certificates (TRN-4): a provider reports, the report is matched, a certificate is issued.

A report whose participant (name, email, phone) matches the account, and
whose purchase's buyer did too, becomes a certificate at once. Any other
report is held for an operator, who accepts it with a reason or rejects it;
either way it stays on record. The participant is promised the certificate
within one business day of the report and may complain after seven
(Indonesian public holidays do not count: prakerja.core.calendar).
"""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import phonenumbers
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.audit.services import audit_record
from prakerja.core.calendar import add_business_days
from prakerja.core.errors import DomainError
from prakerja.learning import signals
from prakerja.learning.models import Certificate, Completion, CompletionStatus, Payment, PaymentStatus
from prakerja.learning.redemptions import payment_by_code, transaction_cancelled
from prakerja.notifications.models import Channel
from prakerja.notifications.services import notification_send

CERTIFICATE_PROMISED_DAYS = 1  # business days after the report (TRN-4)
CERTIFICATE_COMPLAINT_DAYS = 7  # after these, the participant may complain (TRN-4, CMP-2)
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class CompletionError(DomainError):
    pass


def certificate_number() -> str:
    """"PKJ-7K3M-Q9XD-2HFA": 60 random bits, nothing to walk."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
    return "PKJ-" + "-".join(groups)


# --- matching ----------------------------------------------------------------------------

def _name(value: str) -> str:
    return " ".join((value or "").split()).casefold()


def _email(value: str) -> str:
    return (value or "").strip().casefold()


def _phone(value: str) -> str | None:
    try:
        return phonenumbers.format_number(phonenumbers.parse((value or "").strip(), "ID"),
                                          phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        return None


def mismatches(*, account: dict, reported: dict, buyer: dict) -> list[str]:
    """The fields ("name", "email", "phone") where the report or the purchase's buyer differs from the account.

    Names are compared without regard to case or spacing, emails without
    regard to case, phones as E.164 (0812..., +62812..., 62812... are one).
    """
    rules = {"name": _name, "email": _email, "phone": _phone}
    wrong = []
    for field, same in rules.items():
        expected = same(account[field])
        if expected is None or any(same(given[field]) != expected for given in (reported, buyer)):
            wrong.append(field)
    return wrong


def _account_of(payment: Payment) -> dict:
    user = payment.card.user
    return {"name": user.full_name, "email": user.email, "phone": user.profile.phone or ""}


# --- reporting ---------------------------------------------------------------------------

def completion_report(*, provider, code: str, completed_at: datetime, certificate_number: str,
                      certificate_url: str, score: int | None, participant: dict,
                      now: datetime | None = None) -> Completion:
    """A provider's report for a used redeem code: accepted with a certificate, or held (TRN-4).

    Runs in the caller's transaction (the API's), under the purchase's lock,
    so two reports for one purchase are one after the other: the second is
    ``already_completed``.
    """
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):
        payment = payment_by_code(provider=provider, code=code, lock=True)
        if payment.status == PaymentStatus.CANCELLED:
            raise transaction_cancelled()
        if payment.redeemed_at is None:
            raise CompletionError("redeem_code_not_used",
                                  _("The redeem code has not been used yet: redeem it before reporting completion"))
        if Completion.objects.filter(payment=payment, status__in=[CompletionStatus.ACCEPTED,
                                                                   CompletionStatus.HELD]).exists():
            raise CompletionError("already_completed", _("This training has already been reported as completed"))
        wrong = mismatches(account=_account_of(payment), reported=participant,
                           buyer={"name": payment.buyer_name, "email": payment.buyer_email,
                                  "phone": payment.buyer_phone})
        completion = Completion(payment=payment, provider=provider, completed_at=completed_at, reported_at=now,
                                provider_certificate_number=certificate_number, certificate_url=certificate_url,
                                score=score, participant_name=participant["name"][:200],
                                participant_email=participant["email"][:254],
                                participant_phone=participant["phone"][:20], mismatches=wrong,
                                status=CompletionStatus.HELD if wrong else CompletionStatus.ACCEPTED)
        completion.save()
        audit_record(actor=provider.actor, action="completion.report", target=payment.card,
                     data={"payment": str(payment.public_id), "completion": str(completion.public_id),
                           "status": completion.status, "mismatches": wrong})
        if not wrong:
            certificate_issue(completion, now=now)
        else:
            signals.completion_held.send(sender=Completion, completion=completion)
    return completion


def certificate_issue(completion: Completion, *, now: datetime) -> Certificate:
    """The certificate of an accepted completion, with what its public page shows, frozen."""
    payment = completion.payment
    course = payment.listing.course
    for _attempt in range(3):  # a number drawn twice in 60 bits: practically never, but never a 500 either
        try:
            with transaction.atomic():
                certificate = Certificate.objects.create(
                    number=certificate_number(), completion=completion, payment=payment,
                    participant_name=payment.card.user.full_name, course_title=course.title,
                    provider_name=completion.provider.name,
                    completed_on=timezone.localdate(completion.completed_at), issued_at=now)
            break
        except IntegrityError:
            if Certificate.objects.filter(payment=payment).exists():
                raise
    else:
        raise RuntimeError("no free certificate number")
    _tell_participant(certificate, payment)
    return certificate


def _tell_participant(certificate: Certificate, payment: Payment) -> None:
    """The inbox and an email: the certificate is there, and a review is what the incentive waits for."""
    from prakerja.learning.certificates import certificate_url  # the web side of certificates

    user = payment.card.user
    notification_send(template="certificate_issued", key=f"certificate:{payment.public_id}",
                      channels=[Channel.INBOX, Channel.EMAIL], user=user, email=user.email,
                      context={"course": certificate.course_title, "number": certificate.number,
                               "url": certificate_url(certificate.number)})


# --- the operators' decision ---------------------------------------------------------------

def completion_decide(*, completion_id, actor, accept: bool, reason: str, now: datetime | None = None) -> Completion:
    """An operator accepts a held report (a certificate is issued) or rejects it; the reason is audited."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise CompletionError("reason_required", _("Give a reason (at least 5 characters)."), "reason")
    with transaction.atomic():
        completion = (Completion.objects.select_for_update(of=("self",))
                      .select_related("payment__listing__course", "payment__card__user", "provider")
                      .filter(public_id=completion_id).first())
        if completion is None:
            raise CompletionError("completion_not_found", _("Completion report not found."))
        if completion.status != CompletionStatus.HELD:
            raise CompletionError("completion_decided", _("This report has already been decided."))
        if accept and completion.payment.status == PaymentStatus.CANCELLED:
            raise transaction_cancelled()
        completion.status = CompletionStatus.ACCEPTED if accept else CompletionStatus.REJECTED
        completion.decided_by, completion.decided_at, completion.decision_reason = actor, now, reason[:500]
        completion.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit_record(actor=actor, action="completion.accept" if accept else "completion.reject",
                     target=completion.payment.card, reason=reason,
                     data={"completion": str(completion.public_id), "mismatches": completion.mismatches})
        if accept:
            certificate_issue(completion, now=now)
        signals.completion_decided.send(sender=Completion, completion=completion, accepted=accept, reason=reason)
    return completion


# --- when -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CertificateWindow:
    expected_by: date  # one business day after the report
    complaint_from: date  # the day after the seventh business day: a complaint may be filed from then

    def overdue(self, today: date) -> bool:
        return today >= self.complaint_from


def certificate_window(reported_at: datetime) -> CertificateWindow:
    reported = timezone.localdate(reported_at)
    last = add_business_days(reported, CERTIFICATE_COMPLAINT_DAYS)
    return CertificateWindow(expected_by=add_business_days(reported, CERTIFICATE_PROMISED_DAYS),
                             complaint_from=last + timedelta(days=1))
