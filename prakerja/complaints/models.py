"""Complaints (CMP-1..3): tickets, their messages both ways, evidence, saved answers, response targets.

A ticket is opened by a participant (signed in), by someone locked out of their account (after an
email code: ``PendingComplaint`` holds the form until then), or by the system for an event that
needs a human (``event_key``, unique, so an event opens one ticket however often it is seen).
Statuses and their moves are ``states.py``; every write is a service in ``services.py``.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prakerja.complaints.categories import ALL_SUBCATEGORY_CHOICES, Category


class TicketStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting for the participant")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [TicketStatus.RECEIVED, TicketStatus.IN_PROGRESS, TicketStatus.WAITING]


class Source(models.TextChoices):
    PARTICIPANT = "participant", _("Signed-in participant")
    LOCKED_OUT = "locked_out", _("Locked out of the account (email code)")
    SYSTEM = "system", _("Opened by the system")


class Ticket(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("ticket number"), max_length=16, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                             related_name="tickets", verbose_name=_("account"))
    source = models.CharField(_("opened by"), max_length=11, choices=Source.choices)
    # As the person gave them (CMP-1); for a system ticket, the account's.
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), max_length=254)
    category = models.CharField(_("category"), max_length=14, choices=Category.choices)
    subcategory = models.CharField(_("sub-category"), max_length=32, choices=ALL_SUBCATEGORY_CHOICES)
    description = models.TextField(_("description"), max_length=4000)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=11, choices=TicketStatus.choices,
                              default=TicketStatus.RECEIVED)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="assigned_tickets", verbose_name=_("assigned to"))
    # The event a system ticket is about ("completion:<public_id>"); empty for a person's ticket.
    event_key = models.CharField(_("event"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("received"))
    # When the desk owes the next answer (the category's target after the person wrote); empty
    # while the ticket waits for the participant or is resolved. Overdue: due_at in the past.
    due_at = models.DateTimeField(_("answer due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first answer"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last change"))

    class Meta:
        verbose_name = _("complaint ticket")
        verbose_name_plural = _("complaint tickets")
        permissions = [("work_ticket", _("Can assign, answer and resolve complaint tickets"))]
        constraints = [
            models.UniqueConstraint(fields=["event_key"], condition=~Q(event_key=""), name="ticket_one_per_event"),
            models.CheckConstraint(condition=~Q(source="system") | ~Q(event_key=""), name="system_ticket_has_event"),
            models.CheckConstraint(condition=Q(status="closed", closed_at__isnull=False) | ~Q(status="closed"),
                                   name="closed_ticket_has_time"),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="ticket_queue"),
            models.Index(fields=["created_at"], name="ticket_created"),
            models.Index(fields=["user", "-created_at"], name="ticket_by_user"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Author(models.TextChoices):
    PARTICIPANT = "participant", _("Participant")
    AGENT = "agent", _("Complaints agent")
    SYSTEM = "system", _("System")


class TicketMessage(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket"))
    author = models.CharField(_("from"), max_length=11, choices=Author.choices)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("agent"))
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(_("sent"))

    class Meta:
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.ticket_id}/{self.public_id}"


class Evidence(models.Model):
    """A file attached to a ticket (CMP-1): an image re-encoded like a KTP photo, or a checked PDF."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="evidence", null=True, blank=True,
                               verbose_name=_("ticket"))
    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="evidence", null=True,
                                blank=True, verbose_name=_("message"))
    pending = models.ForeignKey("PendingComplaint", on_delete=models.CASCADE, related_name="evidence", null=True,
                                blank=True, verbose_name=_("unconfirmed complaint"))
    file = models.CharField(_("stored file"), max_length=100)  # a name in the private storage
    original_name = models.CharField(_("file name"), max_length=120)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self):
        return self.original_name


class PendingComplaint(models.Model):
    """A locked-out person's complaint, waiting for the code sent to the email they typed (CMP-1).

    The code goes to that address, so only its owner can open the ticket. The code is stored as an
    HMAC; a few wrong codes end the attempt; an unconfirmed complaint expires.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email"), max_length=254)
    data = models.JSONField(_("form"))  # name, phone, category, subcategory, description, consent
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    expires_at = models.DateTimeField(_("expires"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    ticket = models.OneToOneField(Ticket, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("ticket"))

    class Meta:
        verbose_name = _("unconfirmed complaint")
        verbose_name_plural = _("unconfirmed complaints")

    def __str__(self):
        return str(self.public_id)


class SavedAnswer(models.Model):
    """A reply the desk reuses (CMP-3); the agent edits it before sending."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"), max_length=4000)
    category = models.CharField(_("category"), max_length=14, choices=Category.choices, blank=True,
                                help_text=_("Empty: offered for every category."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("saved answer")
        verbose_name_plural = _("saved answers")
        ordering = ["title"]

    def __str__(self):
        return self.title


class ResponseTarget(models.Model):
    """How soon the desk answers a category (CMP-2), in hours."""

    category = models.CharField(_("category"), max_length=14, choices=Category.choices, unique=True)
    hours = models.PositiveIntegerField(_("answer within (hours)"))

    class Meta:
        verbose_name = _("response-time target")
        verbose_name_plural = _("response-time targets")

    def __str__(self):
        return f"{self.get_category_display()}: {self.hours}"
