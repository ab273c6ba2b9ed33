"""Email adapter: Django's mail backend (SMTP in production) behind a guard.

SMTP refusals of a recipient or sender and 5xx replies are the server's
final word (``DeliveryRefused``); 4xx replies, timeouts and connection
errors are worth a retry (``DeliveryUnavailable``) and count towards the
``email`` breaker.
"""

import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid

from prakerja.notifications.gateways import (
    SLOT_WAIT,
    DeliveryRefused,
    DeliveryUnavailable,
    Receipt,
    delivery_guard,
)


@dataclass(frozen=True)
class EmailRequest:
    to: str
    subject: str
    body: str
    html_body: str = ""
    reference: str = ""


def send_email(request: EmailRequest) -> Receipt:
    message_id = make_msgid(domain="prakerja")
    message = EmailMultiAlternatives(
        subject=request.subject, body=request.body, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[request.to], headers={"Message-ID": message_id, "X-Prakerja-Reference": request.reference},
    )
    if request.html_body:
        message.attach_alternative(request.html_body, "text/html")
    guard = delivery_guard("email", rate_per_second=settings.EMAIL_RATE_PER_SECOND,
                           breaker_failures=settings.EMAIL_BREAKER_FAILURES,
                           breaker_cooldown=settings.EMAIL_BREAKER_COOLDOWN, timeout=settings.EMAIL_TIMEOUT)
    # One attempt per call: the outbox retries with its own, longer, backoff.
    guard.call(lambda attempt: _send(message), slot_wait=SLOT_WAIT)
    return Receipt(message_id)


def _send(message: EmailMultiAlternatives) -> None:
    try:
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([message])
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise DeliveryRefused(f"refused: {type(exc).__name__}") from exc
    except smtplib.SMTPResponseException as exc:
        # 5xx is the server's final word; 4xx means "try again later".
        error = DeliveryRefused if 500 <= exc.smtp_code < 600 else DeliveryUnavailable
        raise error(f"smtp {exc.smtp_code}") from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise DeliveryUnavailable(f"smtp unavailable: {type(exc).__name__}") from exc
