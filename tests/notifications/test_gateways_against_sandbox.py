"""The email and SMS adapters against the sandbox over real SMTP and HTTP."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.notifications import services
from prakerja.notifications.models import Message, Status

pytestmark = pytest.mark.django_db
PHONE = "+6281234567890"


def send_sms(user, capture, key="otp-1"):
    with capture(execute=True):
        services.notification_send(template="welcome", key=key, channels=["sms"], user=user, phone=PHONE)
    return Message.objects.get(channel="sms")


def retry_now(message):
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    services.messages_sweep()
    message.refresh_from_db()
    return message


def test_email_over_smtp_reaches_the_sandbox(applicant, sandbox_mail, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_send(template="welcome", key="w", channels=["email"], user=applicant)
    assert Message.objects.get().status == Status.SENT
    [mail] = sandbox_mail.outbox(to=applicant.email)
    assert mail["subject"] == "Selamat datang di Prakerja" and "Siti Rahma" in mail["body"]


def test_sms_reaches_the_gateway(applicant, sandbox_mail, django_capture_on_commit_callbacks):
    message = send_sms(applicant, django_capture_on_commit_callbacks)
    assert message.status == Status.SENT and message.provider_message_id
    [sms] = sandbox_mail.outbox(to=PHONE)
    assert sms["body"].startswith("Prakerja:")


def test_gateway_500_is_retried_then_sent(applicant, sandbox_mail, django_capture_on_commit_callbacks):
    sandbox_mail.fault("sms", "500")
    message = send_sms(applicant, django_capture_on_commit_callbacks)
    assert message.status == Status.QUEUED and "500" in message.last_error
    assert sandbox_mail.outbox(to=PHONE) == []
    message = retry_now(message)
    assert message.status == Status.SENT and message.attempts == 2
    assert len(sandbox_mail.outbox(to=PHONE)) == 1


def test_gateway_timeout_is_retried(applicant, sandbox_mail, settings, django_capture_on_commit_callbacks):
    settings.SMS_GATEWAY_TIMEOUT = 0.5
    sandbox_mail.fault("sms", "timeout", delay=2)
    message = send_sms(applicant, django_capture_on_commit_callbacks)
    assert message.status == Status.QUEUED and "Timeout" in message.last_error
    assert retry_now(message).status == Status.SENT


def test_gateway_400_fails_for_good(applicant, sandbox_mail, django_capture_on_commit_callbacks):
    sandbox_mail.fault("sms", "400")
    message = send_sms(applicant, django_capture_on_commit_callbacks)
    assert message.status == Status.FAILED and message.attempts == 1


def test_wrong_gateway_key_is_permanent(applicant, sandbox_mail, settings, django_capture_on_commit_callbacks):
    settings.SMS_GATEWAY_API_KEY = "wrong"
    message = send_sms(applicant, django_capture_on_commit_callbacks)
    assert message.status == Status.FAILED and "401" in message.last_error


def test_gateway_down_is_retried(applicant, settings, django_capture_on_commit_callbacks):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms/send"  # nothing listens
    message = send_sms(applicant, django_capture_on_commit_callbacks)
    assert message.status == Status.QUEUED and "ConnectError" in message.last_error
