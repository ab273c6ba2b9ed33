"""NTF: stored first, sent once per key, retried with backoff, swept after a crash."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.notifications import services
from prakerja.notifications.gateways import DeliveryError
from prakerja.notifications.models import Message, Status
from tests.notifications.fakes import RefusingConnection

pytestmark = pytest.mark.django_db


def send_welcome(user, capture, key="welcome-1", channels=("inbox", "email")):
    with capture(execute=True):
        return services.notification_send(template="welcome", key=key, channels=list(channels), user=user)


def test_each_channel_is_stored_and_email_delivered(applicant, mailoutbox, django_capture_on_commit_callbacks):
    send_welcome(applicant, django_capture_on_commit_callbacks)
    inbox = Message.objects.get(channel="inbox")
    email = Message.objects.get(channel="email")
    assert inbox.status == Status.SENT and inbox.read_at is None
    assert email.status == Status.SENT and email.attempts == 1 and email.sent_at
    assert mailoutbox[0].subject == "Selamat datang di Prakerja"  # Indonesian by default
    assert "Siti Rahma" in mailoutbox[0].body


def test_the_same_key_never_sends_twice(applicant, mailoutbox, django_capture_on_commit_callbacks):
    send_welcome(applicant, django_capture_on_commit_callbacks)
    again = send_welcome(applicant, django_capture_on_commit_callbacks)
    assert again == []
    assert Message.objects.count() == 2
    assert len(mailoutbox) == 1
    # Delivering an already-sent message again does nothing.
    assert services.message_deliver(message_id=Message.objects.get(channel="email").pk) == "not-claimed"
    assert len(mailoutbox) == 1


def test_messages_are_rendered_in_the_persons_language(make_user, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    user = make_user(email="john@example.id", full_name="John Smith", language="en")
    send_welcome(user, django_capture_on_commit_callbacks, channels=["email"])
    assert mailoutbox[0].subject == "Welcome to Prakerja"


def test_sms_without_a_phone_is_skipped_not_failed(applicant, django_capture_on_commit_callbacks):
    send_welcome(applicant, django_capture_on_commit_callbacks, channels=["sms"])
    assert not Message.objects.exists()


def test_closed_smtp_server_is_retried_with_backoff_then_sent(applicant, settings, mailoutbox,
                                                              django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_PORT = 9  # discard port: nothing listens, the connection is refused
    settings.EMAIL_TIMEOUT = 1
    before = timezone.now()
    send_welcome(applicant, django_capture_on_commit_callbacks, channels=["email"])
    message = Message.objects.get()
    assert message.status == Status.QUEUED
    assert message.attempts == 1
    assert "smtp unavailable" in message.last_error
    assert message.next_attempt_at >= before + timedelta(seconds=settings.NOTIFY_BACKOFF_BASE)

    # Not due yet: the sweeper leaves it alone.
    assert services.messages_sweep() == 0
    # The server is back and the backoff has passed: the sweeper sends it.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=1))
    assert services.messages_sweep() == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2
    assert len(mailoutbox) == 1


def test_backoff_doubles_and_is_capped(settings):
    settings.NOTIFY_BACKOFF_BASE, settings.NOTIFY_BACKOFF_CAP = 30, 3600
    from prakerja.core.claims import exponential

    delays = [exponential(n, base=settings.NOTIFY_BACKOFF_BASE, cap=settings.NOTIFY_BACKOFF_CAP)
              for n in (1, 2, 3, 8, 20)]
    assert [d.total_seconds() for d in delays] == [30, 60, 120, 3600, 3600]


def test_gives_up_after_max_attempts(applicant, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.NOTIFY_MAX_ATTEMPTS = 2

    def down(request):
        raise DeliveryError("smtp unavailable: ConnectionRefusedError", permanent=False)

    monkeypatch.setattr(services, "send_email", down)
    send_welcome(applicant, django_capture_on_commit_callbacks, channels=["email"])
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert services.message_deliver(message_id=message.pk) == Status.FAILED
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.attempts == 2


def test_refused_recipient_fails_at_once(applicant, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr("prakerja.notifications.gateways.email.get_connection", RefusingConnection)
    send_welcome(applicant, django_capture_on_commit_callbacks, channels=["email"])
    message = Message.objects.get()
    assert message.status == Status.FAILED and message.attempts == 1
    assert "refused" in message.last_error


def test_sweeper_resends_a_message_whose_worker_died(applicant, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):  # the task never ran: the worker died
        services.notification_send(template="welcome", key="k", channels=["email"], user=applicant)
    message = Message.objects.get()
    # A worker claimed it, then died mid-send: the lease runs out.
    Message.objects.filter(pk=message.pk).update(status=Status.SENDING, attempts=1,
                                                 locked_until=timezone.now() - timedelta(seconds=1))
    assert services.messages_sweep() == 1
    message.refresh_from_db()
    assert message.status == Status.SENT and message.attempts == 2
    assert len(mailoutbox) == 1


def test_a_message_being_sent_is_not_claimed_twice(applicant, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.notification_send(template="welcome", key="k", channels=["email"], user=applicant)
    message = Message.objects.get()
    Message.objects.filter(pk=message.pk).update(status=Status.SENDING, attempts=1,
                                                 locked_until=timezone.now() + timedelta(minutes=2))
    assert services.message_deliver(message_id=message.pk) == "not-claimed"
    assert services.messages_sweep() == 0
    assert mailoutbox == []


def test_unsent_message_survives_and_is_swept(applicant, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        services.notification_send(template="welcome", key="k", channels=["email"], user=applicant)
    Message.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    assert services.messages_sweep() == 1
    assert len(mailoutbox) == 1


def test_keys_are_scoped_to_the_recipient(applicant, make_user, django_capture_on_commit_callbacks):
    other = make_user(email="other@example.id")
    send_welcome(applicant, django_capture_on_commit_callbacks, channels=["inbox"])
    send_welcome(other, django_capture_on_commit_callbacks, channels=["inbox"])
    assert Message.objects.filter(user=other).count() == 1
