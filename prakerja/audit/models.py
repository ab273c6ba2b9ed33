import uuid

from django.conf import settings
from django.db import models
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One row per operator or partner action on a person's status or money (OPS-4).

    Append-only: database triggers (migrations 0002, 0003) refuse UPDATE,
    DELETE and (PostgreSQL) TRUNCATE, so not even a bug or a shell session can
    rewrite history through the ORM. Whoever owns the table can still drop the
    triggers; the hash chain (prakerja.audit.chain) makes that visible to
    ``manage.py audit_verify``.
    """

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    # Not auto_now_add: audit_record needs the value before the INSERT to hash it.
    created_at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("who"),
    )
    # "system", "partner:tokopedia", or the operator's email at the time.
    actor_label = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("what"), max_length=100, db_index=True)
    target_type = models.CharField(_("target type"), max_length=100, blank=True)
    target_id = models.CharField(_("target ID"), max_length=100, blank=True)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    reason = models.TextField(_("why"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # Which of the log's chains the row belongs to (prakerja.audit.chain).
    chain = models.SmallIntegerField(_("chain"), default=0, editable=False)
    prev_hash = models.CharField(_("previous row's hash"), max_length=64, editable=False)
    row_hash = models.CharField(_("row hash"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["target_type", "target_id", "created_at"]),
            # "Siapa yang mengakses data saya" (PRV-5) finds a person's reads by the purchase or the person
            # their data names (mydata.selectors.accesses_of): without these it reads every such row.
            models.Index(KeyTransform("payment", "data"), name="audit_data_payment"),
            models.Index(KeyTransform("person", "data"), name="audit_data_person"),
            # A writer reads its chain's last row; audit_verify walks each chain in turn.
            models.Index(fields=["chain", "id"], name="audit_chain_id"),
        ]
        constraints = [
            # Two writers that both read the same last row would fork the
            # chain; the advisory lock in audit_record prevents it, this
            # refuses the second one if something ever bypasses the lock.
            models.UniqueConstraint(fields=["prev_hash"], name="audit_entry_one_successor"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
