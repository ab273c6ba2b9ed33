import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import make_msgid

from prakerja.notifications.gateways import DeliveryError, Receipt


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
    try:
        with get_connection(fail_silently=False) as connection:
            connection.send_messages([message])
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise DeliveryError(f"refused: {type(exc).__name__}", permanent=True) from exc
    except smtplib.SMTPResponseException as exc:
        # 5xx is the server's final word; 4xx means "try again later".
        raise DeliveryError(f"smtp {exc.smtp_code}", permanent=500 <= exc.smtp_code < 600) from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"smtp unavailable: {type(exc).__name__}", permanent=False) from exc
    return Receipt(message_id)
