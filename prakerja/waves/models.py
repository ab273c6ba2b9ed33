import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from prakerja.core.models import VersionedText
from prakerja.waves.states import ACTIVE, ApplicationStatus


class WaveKind(models.TextChoices):
    REGULAR = "regular", _("Regular")
    SUPPLEMENTARY = "supplementary", _("Supplementary wave (gelombang tambahan)")


class Wave(models.Model):
    """An application round (WAV-1). Times are stored in UTC and shown in WIB."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveIntegerField(_("wave number"), unique=True)
    kind = models.CharField(_("type"), max_length=16, choices=WaveKind.choices, default=WaveKind.REGULAR)
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    announce_at = models.DateTimeField(_("announcement at"))
    national_quota = models.PositiveIntegerField(_("national quota"))
    # Empty means every province is eligible.
    eligible_provinces = models.ManyToManyField("regions.Province", blank=True, related_name="+",
                                                verbose_name=_("eligible provinces"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)  # when the closing sweep ran
    # SEL-5: when the selection run started. From then on an application still
    # in play (stored as processing, or joined for a join that committed as the
    # wave closed) is "selecting" (WAV-3, waves/states.py ``effective``): the
    # run does not rewrite every row to say so.
    selection_started_at = models.DateTimeField(_("selection started"), null=True, blank=True)
    # SEL-4: a random seed made with the wave; its SHA-256 is published at
    # once, the seed itself (kept encrypted) only after the selection ran.
    seed_commitment = models.CharField(_("draw commitment (SHA-256 of the seed)"), max_length=64, blank=True)
    seed_encrypted = models.TextField(_("seed (encrypted)"), blank=True, default="")
    seed = models.CharField(_("seed (revealed)"), max_length=64, blank=True, default="")  # empty until revealed
    seed_revealed_at = models.DateTimeField(_("seed revealed"), null=True, blank=True)
    # WAV-6: nothing of a result shows to anyone before this is set.
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("wave")
        verbose_name_plural = _("waves")
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")), name="wave_closes_after_opening"),
            models.CheckConstraint(condition=Q(announce_at__gte=F("closes_at")), name="wave_announces_after_close"),
            models.CheckConstraint(condition=Q(national_quota__gt=0), name="wave_quota_positive"),
        ]
        indexes = [models.Index(fields=["opens_at", "closes_at"])]

    def __str__(self):
        return f"Gelombang {self.number}"

    def save(self, *args, **kwargs):
        if not self.seed_encrypted:
            # SEL-4: every wave gets its draw seed when it is made, and the
            # seed's SHA-256 is public from then on; the seed stays encrypted
            # until the selection has run.
            from prakerja.registry.crypto import encrypt

            seed = secrets.token_hex(32)
            self.seed_encrypted, self.seed_commitment = encrypt(seed), hashlib.sha256(seed.encode()).hexdigest()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "seed_encrypted", "seed_commitment"}
        super().save(*args, **kwargs)


class ProvinceQuota(models.Model):
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="province_quotas",
                             verbose_name=_("wave"))
    province = models.ForeignKey("regions.Province", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("province"))
    quota = models.PositiveIntegerField(_("quota"))

    class Meta:
        verbose_name = _("province quota")
        verbose_name_plural = _("province quotas")
        constraints = [
            models.UniqueConstraint(fields=["wave", "province"], name="wave_one_quota_per_province"),
            models.CheckConstraint(condition=Q(quota__gt=0), name="wave_province_quota_positive"),
        ]

    def __str__(self):
        return f"{self.wave} {self.province}: {self.quota}"


class ConsentVersion(VersionedText):
    """A published text of "Persetujuan Kartu Prakerja" (WAV-2)."""

    class Meta(VersionedText.Meta):
        verbose_name = _("consent version")
        verbose_name_plural = _("consent versions")

    def __str__(self):
        return f"Persetujuan Kartu Prakerja v{self.version}"


def new_pseudonym() -> str:
    return secrets.token_hex(8)


class Application(models.Model):
    """One person in one wave (WAV-2..5)."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    # Every index is rewritten whenever a row is (the selection writes each row twice), so no
    # index here is kept that another covers: wave leads three, province and consent are never looked up.
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="applications", db_index=False,
                             verbose_name=_("wave"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications",
                             verbose_name=_("user"))
    # The domicile province when joining: quotas and counts are per province.
    province = models.ForeignKey("regions.Province", on_delete=models.PROTECT, related_name="+", db_index=False,
                                 verbose_name=_("province"))
    status = models.CharField(_("status"), max_length=12, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.JOINED)
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)  # why "Gagal" (selection)
    consent = models.ForeignKey(ConsentVersion, on_delete=models.PROTECT, related_name="+", db_index=False,
                                verbose_name=_("consent version"))
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # SEL-4: the id under which the application appears in the published draw
    # (random, says nothing about the person), and what the run recorded.
    pseudonym = models.CharField(_("pseudonym in the draw"), max_length=16, default=new_pseudonym,
                                 editable=False)  # unique: Meta
    decided_stage = models.CharField(_("decided at stage"), max_length=8, blank=True, default="")  # "SEL-1".."SEL-4"
    reason_code = models.CharField(_("reason code"), max_length=40, blank=True, default="")
    priority = models.BooleanField(_("drawn first"), null=True)  # SEL-4; null until the run
    # SHA-256(seed ":" pseudonym), hex
    draw_key = models.CharField(_("draw key"), max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-joined_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(fields=["wave", "user"], name="application_once_per_wave"),
            # A constraint, not unique=True: PostgreSQL would add a second (LIKE) index for the latter.
            models.UniqueConstraint(fields=["pseudonym"], name="application_pseudonym_unique"),
            # "One wave at a time" (WAV-2), enforced by the database.
            models.UniqueConstraint(fields=["user"], condition=Q(status__in=ACTIVE),
                                    name="application_one_active_wave"),
        ]
        indexes = [models.Index(fields=["wave", "status"]), models.Index(fields=["wave", "province"]),
                   models.Index(fields=["joined_at"], name="application_joined_at")]  # the statistics' recount

    def __str__(self):
        return f"application {self.public_id}"


