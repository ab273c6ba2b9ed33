import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    INBOX = "inbox", _("Inbox")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    """One message on one channel, stored before it is sent (NTF).

    ``(idempotency_key, channel)`` is unique: asking to send the same thing
    twice finds the first row instead of sending again.
    """

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # No index of its own: notif_inbox_idx (user, channel, read_at) leads with it and serves every lookup by
    # person (and the cascade when an account is deleted); a second would be written with every message.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, db_index=False,
                             on_delete=models.CASCADE, related_name="messages", verbose_name=_("user"))
    to_address = models.CharField(_("sent to"), max_length=254, blank=True)
    template = models.CharField(_("template"), max_length=100)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"))
    html_body = models.TextField(_("HTML body"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("gateway's message ID"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # A body holding a one-time code is erased once it is sent or given up.
    sensitive = models.BooleanField(_("holds a one-time code"), default=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        # Listing messages (who, when, which template, delivered or not) is
        # operations; reading what they said is personal data (accounts/roles.py).
        permissions = [("view_message_body", "Can read the body of a stored message")]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key", "channel"],
                                    name="notifications_message_key_channel_unique"),
        ]
        indexes = [
            # The sweeper's scan: due and stuck messages only.
            models.Index(fields=["status", "next_attempt_at"], name="notif_due_idx",
                         condition=models.Q(status__in=["queued", "sending"])),
            # The bell: unread inbox messages of one person.
            models.Index(fields=["user", "channel", "read_at"], name="notif_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.channel}:{self.template}:{self.status}"
