"""The SMS and email adapters' breakers and rate limits, against the sandbox, through the outbox."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.core import outside
from prakerja.notifications import services
from prakerja.notifications.gateways import DeliveryCircuitOpen, DeliveryRefused, DeliveryUnavailable
from prakerja.notifications.gateways.email import EmailRequest, send_email
from prakerja.notifications.gateways.sms import SmsRequest, get_sms_gateway
from prakerja.notifications.models import Message, Status
from tests.notifications.fakes import RefusingConnection

pytestmark = pytest.mark.django_db
PHONE = "+6281234567890"
NOWHERE = 9  # no SMTP server listens on the discard port


@pytest.fixture
def guarded(settings, sandbox_mail):
    settings.NOTIFY_BACKOFF_BASE, settings.NOTIFY_BACKOFF_CAP = 30, 3600
    settings.SMS_GATEWAY_BREAKER_FAILURES = settings.EMAIL_BREAKER_FAILURES = 2
    settings.SMS_GATEWAY_BREAKER_COOLDOWN = settings.EMAIL_BREAKER_COOLDOWN = 30
    yield sandbox_mail
    sandbox_mail.clear_faults()


def notify(user, capture, key, channel):
    with capture(execute=True):
        services.notification_send(template="welcome", key=key, channels=[channel], user=user, phone=PHONE)
    return Message.objects.get(idempotency_key__endswith=f":{key}", channel=channel)


def retry_now(message):
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    services.messages_sweep()
    message.refresh_from_db()
    return message


def waiting(sandbox) -> int:
    return sum(f["remaining"] for f in sandbox.faults("sms"))


def backoff_of(message) -> float:
    return (message.next_attempt_at - timezone.now()).total_seconds()


def test_sms_breaker_opens_and_the_outbox_backs_off_without_calling(applicant, guarded,
                                                                     django_capture_on_commit_callbacks):
    sandbox = guarded
    sandbox.fault("sms", "500", count=2)
    for key in ("a", "b"):
        assert notify(applicant, django_capture_on_commit_callbacks, key, "sms").status == Status.QUEUED
    assert waiting(sandbox) == 0
    sandbox.fault("sms", "500")  # would fail again, if anything called
    message = notify(applicant, django_capture_on_commit_callbacks, "c", "sms")
    assert message.status == Status.QUEUED and "circuit open" in message.last_error
    assert waiting(sandbox) == 1 and sandbox.outbox(to=PHONE) == []
    # Nothing was sent, so the attempt is given back; the next try waits 30 s, not the next sweep.
    assert message.attempts == 0 and 25 < backoff_of(message) <= 30
    services.messages_sweep()
    message.refresh_from_db()
    assert message.attempts == 0 and message.status == Status.QUEUED
    message = retry_now(message)  # due again while the breaker is still open: waits again, spends nothing
    assert message.status == Status.QUEUED and message.attempts == 0 and 25 < backoff_of(message) <= 30
    assert waiting(sandbox) == 1


def test_sms_breaker_trial_closes_it_and_the_message_is_sent(applicant, guarded, settings,
                                                              django_capture_on_commit_callbacks):
    settings.SMS_GATEWAY_BREAKER_COOLDOWN = 1
    guarded.fault("sms", "503", count=2)
    first = notify(applicant, django_capture_on_commit_callbacks, "a", "sms")
    notify(applicant, django_capture_on_commit_callbacks, "b", "sms")
    with pytest.raises(DeliveryCircuitOpen):
        get_sms_gateway().send(SmsRequest(to=PHONE, text="x", reference="r"))
    time.sleep(1.1)
    first = retry_now(first)  # the half-open trial
    assert first.status == Status.SENT and first.attempts == 2
    assert len(guarded.outbox(to=PHONE)) == 1
    assert not get_sms_gateway().guard.breaker.is_open()


def test_sms_permanent_refusals_do_not_open_the_breaker(applicant, guarded, settings,
                                                         django_capture_on_commit_callbacks):
    settings.SMS_GATEWAY_BREAKER_FAILURES = 1
    guarded.fault("sms", "400", count=3)
    for key in ("a", "b", "c"):
        message = notify(applicant, django_capture_on_commit_callbacks, key, "sms")
        assert message.status == Status.FAILED and "400" in message.last_error
    assert notify(applicant, django_capture_on_commit_callbacks, "d", "sms").status == Status.SENT


def test_sms_rate_limit_exhausted_is_transient_and_calls_nobody(applicant, guarded, settings, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    class Instant:  # the adapter waits for a slot; here waiting costs no real time
        now = time.time()

        def time(self):
            return self.now

        def sleep(self, seconds):
            self.now += seconds

    monkeypatch.setattr(outside, "time", Instant())
    settings.SMS_GATEWAY_RATE_PER_SECOND = 0  # no slot, however long a worker waits
    settings.SMS_GATEWAY_BREAKER_FAILURES = 1
    message = notify(applicant, django_capture_on_commit_callbacks, "a", "sms")
    assert message.status == Status.QUEUED and "rate limit" in message.last_error
    assert message.attempts == 0 and 0 < backoff_of(message) <= 5  # nothing sent: no attempt spent, back soon
    assert guarded.outbox(to=PHONE) == []
    assert not get_sms_gateway().guard.breaker.is_open()  # our limit says nothing about the provider
    settings.SMS_GATEWAY_RATE_PER_SECOND = 1
    assert retry_now(message).status == Status.SENT
    # A second message in the same second waits for the next one instead of going back to the queue.
    assert notify(applicant, django_capture_on_commit_callbacks, "b", "sms").status == Status.SENT
    assert len(guarded.outbox(to=PHONE)) == 2


def test_email_breaker_opens_on_an_unreachable_relay_and_closes_after_a_trial(applicant, guarded, settings,
                                                                               django_capture_on_commit_callbacks):
    settings.EMAIL_BREAKER_COOLDOWN = 1
    settings.EMAIL_PORT = NOWHERE
    first = notify(applicant, django_capture_on_commit_callbacks, "a", "email")
    second = notify(applicant, django_capture_on_commit_callbacks, "b", "email")
    assert first.status == second.status == Status.QUEUED and "unavailable" in first.last_error
    settings.EMAIL_PORT = guarded.smtp_port  # the relay is back, but the breaker does not know yet
    third = notify(applicant, django_capture_on_commit_callbacks, "c", "email")
    assert third.status == Status.QUEUED and "email: circuit open" in third.last_error
    assert third.attempts == 0 and 25 < backoff_of(third) <= 30
    assert guarded.outbox(to=applicant.email) == []
    time.sleep(1.1)
    assert retry_now(third).status == Status.SENT  # the half-open trial
    assert retry_now(first).status == Status.SENT  # closed
    assert len(guarded.outbox(to=applicant.email)) == 2


def test_email_trial_failure_reopens_the_breaker(guarded, settings):
    settings.EMAIL_BREAKER_FAILURES, settings.EMAIL_BREAKER_COOLDOWN = 1, 1
    settings.EMAIL_PORT = NOWHERE
    request = EmailRequest(to="budi@example.id", subject="s", body="b")
    with pytest.raises(DeliveryUnavailable) as first:
        send_email(request)
    assert not isinstance(first.value, DeliveryCircuitOpen)
    with pytest.raises(DeliveryCircuitOpen):
        send_email(request)
    time.sleep(1.1)
    with pytest.raises(DeliveryUnavailable) as trial:
        send_email(request)
    assert not isinstance(trial.value, DeliveryCircuitOpen)  # the trial went out, and failed
    settings.EMAIL_PORT = guarded.smtp_port
    with pytest.raises(DeliveryCircuitOpen, match="circuit open"):
        send_email(request)


def test_email_refused_recipient_is_permanent_and_does_not_open_the_breaker(guarded, settings, monkeypatch):
    settings.EMAIL_BREAKER_FAILURES = 1
    monkeypatch.setattr("prakerja.notifications.gateways.email.get_connection", lambda **k: RefusingConnection())
    request = EmailRequest(to="x@example.id", subject="s", body="b")
    for _ in range(3):
        with pytest.raises(DeliveryRefused):
            send_email(request)
    monkeypatch.undo()
    settings.EMAIL_PORT = guarded.smtp_port
    send_email(request)
    assert len(guarded.outbox(to="x@example.id")) == 1
