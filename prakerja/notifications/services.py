"""Notifications (NTF): store every message first, then deliver it.

A message is a row before it is anything else. Delivery runs in a Huey task
that claims the row with a conditional UPDATE and a lease, so two workers
never send the same row at once, a worker that dies mid-send leaves a lease
that expires, and the sweeper re-enqueues whatever is due or stuck.
Email and SMS are therefore delivered at least once and, with the unique
idempotency key, requested at most once; the only window for a duplicate is
a crash between the provider accepting a message and the row being marked
sent, which no SMTP or SMS provider lets us close.
"""

import secrets
from datetime import timedelta

import structlog
from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from prakerja.core.claims import Lease, exponential
from prakerja.core.db import insert_or_get
from prakerja.core.outside import CircuitOpen, RateLimited
from prakerja.notifications.gateways import DeliveryError
from prakerja.notifications.gateways.email import EmailRequest, send_email
from prakerja.notifications.gateways.sms import SmsRequest, get_sms_gateway
from prakerja.notifications.models import Channel, Message, Status
from prakerja.notifications.selectors import forget_unread_count

log = structlog.get_logger(__name__)

TEMPLATE_DIR = "notifications/messages"


def _render(template: str, part: str, context: dict) -> str:
    return render_to_string(f"{TEMPLATE_DIR}/{template}/{part}", context).strip()


def _enqueue(message_ids: list[int]) -> None:
    from prakerja.notifications.tasks import deliver_message

    for message_id in message_ids:
        deliver_message(message_id)


def notification_send(*, template: str, key: str, channels: list[str], user=None,
                      context: dict | None = None, email: str | None = None,
                      phone: str | None = None, sensitive: bool = False) -> list[Message]:
    """Notify one person from a named template on the given channels.

    ``key`` identifies the intent ("wave-7-result"); it is scoped to the
    recipient, and the same key for the same person on the same channel
    never makes a second message. Templates live in
    ``templates/notifications/messages/<template>/`` as ``subject.txt``,
    ``email.txt``, ``sms.txt`` and ``inbox.txt`` and are rendered in the
    person's language (Indonesian by default).
    """
    if Channel.INBOX in channels and user is None:
        raise ValueError("an inbox message needs a user")
    context = {"user": user, **(context or {})}
    email = email or (user.email if user is not None else None)
    language = getattr(user, "language", None) or settings.LANGUAGE_CODE
    scope = str(user.public_id) if user is not None else (email or phone or "")
    created: list[Message] = []
    # No savepoint: the channels' rows are written together or the caller's transaction fails with them
    # (nothing here is caught and carried on from); a savepoint would be two more round trips per message.
    with transaction.atomic(savepoint=False), translation.override(language):
        for channel in channels:
            to = {Channel.EMAIL: email, Channel.SMS: phone, Channel.INBOX: ""}[channel]
            if to is None:
                log.info("notification_skipped", template=template, channel=channel, reason="no address")
                continue
            fields = {"user": user, "to_address": to, "template": template, "sensitive": sensitive}
            if channel == Channel.EMAIL:
                fields.update(subject=_render(template, "subject.txt", context),
                              body=_render(template, "email.txt", context))
            elif channel == Channel.SMS:
                fields.update(body=_render(template, "sms.txt", context))
            else:
                fields.update(subject=_render(template, "subject.txt", context),
                              body=_render(template, "inbox.txt", context),
                              status=Status.SENT, sent_at=timezone.now())
            message, was_created = _get_or_create(key=f"{scope}:{key}", channel=channel, fields=fields)
            if was_created:
                created.append(message)
    if user is not None and any(m.channel == Channel.INBOX for m in created):
        transaction.on_commit(lambda: forget_unread_count(user.pk))
    queued = [m.pk for m in created if m.status == Status.QUEUED]
    if queued:
        transaction.on_commit(lambda: _enqueue(queued))
    return created


def email_queue_rendered(*, to: str, subject: str, body: str, html_body: str, key: str,
                         template: str, user=None) -> Message:
    """Queue an email someone else rendered (allauth's confirmation and reset mails).

    Every such mail is an authentication message and stored as sensitive:
    a confirmation link, a reset link or a login code in a stored body is a
    key to the account for whoever can read the table (issue 14), so the
    body is erased once sent and the admin never shows it. All of allauth's
    mails are treated so, not a list of templates, because a new allauth
    mail with a key in it must not be readable by default.
    """
    with transaction.atomic():
        message, was_created = _get_or_create(key=key, channel=Channel.EMAIL, fields={
            "user": user, "to_address": to, "template": template, "subject": subject,
            "body": body, "html_body": html_body, "sensitive": True,
        })
        if was_created:
            transaction.on_commit(lambda: _enqueue([message.pk]))
    return message


def _get_or_create(*, key: str, channel: str, fields: dict) -> tuple[Message, bool]:
    # One INSERT ... ON CONFLICT DO NOTHING: a concurrent insert of the same key waits for the
    # winner's transaction and returns the winner's row instead (no SELECT first, no savepoint).
    fields.setdefault("next_attempt_at", timezone.now())
    return insert_or_get(Message(idempotency_key=key[:200], channel=channel, **fields),
                         unique=("idempotency_key", "channel"))


_ERASED = {"body": "[erased after delivery: it held a one-time code or link]", "html_body": ""}



def _lease() -> Lease:
    return Lease(model=Message, status="status", waiting=Status.QUEUED, working=Status.SENDING,
                 due="next_attempt_at", lease_until="locked_until", attempts="attempts",
                 duration=settings.NOTIFY_LEASE)


OUTBOUND = Message.objects.exclude(channel=Channel.INBOX)


def message_deliver(*, message_id: int) -> str:
    """Try to deliver one email or SMS; returns the resulting status.

    Safe to run twice and concurrently: only the worker whose conditional
    UPDATE claims the row sends it.
    """
    if not _lease().claim(message_id, queryset=OUTBOUND):
        return "not-claimed"
    message = Message.objects.get(pk=message_id)
    try:
        if message.channel == Channel.EMAIL:
            receipt = send_email(EmailRequest(to=message.to_address, subject=message.subject,
                                              body=message.body, html_body=message.html_body,
                                              reference=str(message.public_id)))
        else:
            receipt = get_sms_gateway().send(SmsRequest(to=message.to_address, text=message.body,
                                                        reference=str(message.public_id)))
    except DeliveryError as exc:
        return _record_failure(message, exc)
    _lease().finish(message.pk, message.attempts, status=Status.SENT, sent_at=timezone.now(),
                    provider_message_id=receipt.provider_message_id[:200], last_error="",
                    **_ERASED if message.sensitive else {})
    log.info("message_sent", message=str(message.public_id), channel=message.channel,
             template=message.template, attempts=message.attempts)
    return Status.SENT


def _record_failure(message: Message, exc: DeliveryError) -> str:
    if isinstance(exc, CircuitOpen | RateLimited):
        # Nothing was sent: the attempt is given back, so a burst (a wave's
        # results) or a provider outage delays messages but never fails them.
        delay = (timedelta(seconds=1 + secrets.randbelow(4)) if isinstance(exc, RateLimited)
                 else timedelta(seconds=settings.NOTIFY_BACKOFF_BASE))
        _lease().retry(message.pk, message.attempts, delay=delay, refund=True, last_error=str(exc)[:1000])
        _schedule(message.pk, delay)
        return "retry"
    if exc.permanent or message.attempts >= settings.NOTIFY_MAX_ATTEMPTS:
        _lease().finish(message.pk, message.attempts, status=Status.FAILED, last_error=str(exc)[:1000],
                        **_ERASED if message.sensitive else {})
        log.warning("message_failed", message=str(message.public_id), channel=message.channel,
                    error=str(exc), attempts=message.attempts)
        return Status.FAILED
    delay = exponential(message.attempts, base=settings.NOTIFY_BACKOFF_BASE, cap=settings.NOTIFY_BACKOFF_CAP)
    _lease().retry(message.pk, message.attempts, delay=delay, last_error=str(exc)[:1000])
    log.info("message_retry", message=str(message.public_id), channel=message.channel,
             error=str(exc), attempts=message.attempts, retry_in=delay.total_seconds())
    _schedule(message.pk, delay)
    return "retry"


def _schedule(message_id: int, delay: timedelta) -> None:
    from prakerja.notifications.tasks import deliver_message

    deliver_message.schedule((message_id,), delay=delay.total_seconds())


def messages_sweep(*, limit: int = 1000) -> int:
    """Re-enqueue messages that are due or whose worker died (periodic).

    A message created a moment ago is left alone for a grace period: its own
    task is probably about to run, and a second enqueue would only lose the
    claim anyway.
    """
    ids = _lease().due_ids(limit=limit, grace=timedelta(seconds=30), queryset=OUTBOUND)
    _enqueue(ids)
    if ids:
        log.info("messages_swept", count=len(ids))
    return len(ids)


def inbox_mark_read(*, user, public_id) -> int:
    changed = (Message.objects.filter(user=user, channel=Channel.INBOX, public_id=public_id, read_at=None)
               .update(read_at=timezone.now()))
    forget_unread_count(user.pk)
    return changed


def inbox_mark_all_read(*, user) -> int:
    changed = Message.objects.filter(user=user, channel=Channel.INBOX, read_at=None).update(read_at=timezone.now())
    forget_unread_count(user.pk)
    return changed
