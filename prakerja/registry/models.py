import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from prakerja.core.claims import Lease
from prakerja.core.models import VersionedText


class IdentityStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PENDING = "pending", _("Waiting for the civil registry")
    CHECKING = "checking", _("Being checked")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Not matched")


# A NIK is held by at most one account while it is being checked or once it
# is verified. A rejected attempt releases it: otherwise anyone could lock a
# stranger out of the programme by typing the stranger's NIK first.
HOLDING_STATUSES = [IdentityStatus.PENDING, IdentityStatus.CHECKING, IdentityStatus.VERIFIED]


class Education(models.TextChoices):
    NONE = "none", _("Did not finish primary school")
    SD = "sd", _("Primary school (SD)")
    SMP = "smp", _("Junior high school (SMP)")
    SMA = "sma", _("Senior high school / vocational (SMA/SMK)")
    DIPLOMA = "diploma", _("Diploma (D1-D4)")
    S1 = "s1", _("Bachelor (S1)")
    S2 = "s2", _("Master or doctorate (S2/S3)")


class EmploymentStatus(models.TextChoices):
    JOB_SEEKER = "job_seeker", _("Looking for work")
    LAID_OFF = "laid_off", _("Laid off")
    EMPLOYED = "employed", _("Employed")
    SELF_EMPLOYED = "self_employed", _("Running a micro or small business")
    OTHER = "other", _("Other")


class Profile(models.Model):
    """Everything a registrant enters after confirming their email (REG-3..7)."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile",
                                verbose_name=_("user"))

    # REG-3 identity. The numbers are encrypted; *_index is the blind index.
    nik_encrypted = models.TextField(_("NIK (encrypted)"), blank=True)
    nik_index = models.CharField(_("NIK blind index"), max_length=64, blank=True, db_index=True)
    nik_masked = models.CharField(_("NIK (masked)"), max_length=16, blank=True)
    kk_encrypted = models.TextField(_("KK (encrypted)"), blank=True)
    kk_index = models.CharField(_("KK blind index"), max_length=64, blank=True, db_index=True)
    # The full birth date is in the NIK (digits 7-12), so in clear it would
    # give the NIK away together with the mask: encrypted like the NIK, with
    # only the year and month in clear for age rules and statistics (PRV).
    birth_date_encrypted = models.TextField(_("date of birth (encrypted)"), blank=True, default="")
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField(_("month of birth"), null=True, blank=True)
    female = models.BooleanField(_("female"), null=True)
    identity_status = models.CharField(_("identity status"), max_length=12, choices=IdentityStatus.choices,
                                       default=IdentityStatus.NOT_STARTED)
    identity_reasons = models.JSONField(_("civil registry's reasons"), default=list, blank=True)
    identity_submitted_at = models.DateTimeField(_("identity submitted"), null=True, blank=True)
    identity_checked_at = models.DateTimeField(_("identity checked"), null=True, blank=True)
    identity_next_check_at = models.DateTimeField(_("next identity check"), null=True, blank=True)
    identity_lease_until = models.DateTimeField(_("check claimed until"), null=True, blank=True)
    identity_check_attempts = models.PositiveIntegerField(_("identity check attempts"), default=0)

    # REG-4 personal data.
    ktp_address = models.TextField(_("address as on the KTP"), blank=True)
    domicile_regency = models.ForeignKey("regions.Regency", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("domicile: regency or city"))
    domicile_street = models.CharField(_("domicile: street address"), max_length=255, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    employment_status = models.CharField(_("employment status"), max_length=16, choices=EmploymentStatus.choices,
                                         blank=True)
    ktp_photo = models.CharField(_("KTP photo"), max_length=200, blank=True)  # a name in the "private" storage
    selfie = models.CharField(_("selfie"), max_length=200, blank=True)
    personal_data_at = models.DateTimeField(_("personal data saved"), null=True, blank=True)

    # REG-5 phone, E.164; unique among verified phones.
    phone = models.CharField(_("mobile number"), max_length=16, null=True, blank=True)
    phone_verified_at = models.DateTimeField(_("phone verified"), null=True, blank=True)

    # REG-6 statement.
    statement_version = models.ForeignKey("registry.StatementVersion", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+",
                                          verbose_name=_("statement version"))
    statement_accepted_at = models.DateTimeField(_("statement accepted"), null=True, blank=True)

    # REG-8: set once REG-3..7 are all done; never asked again.
    completed_at = models.DateTimeField(_("profile completed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            models.UniqueConstraint(fields=["nik_index"], condition=Q(identity_status__in=HOLDING_STATUSES),
                                    name="registry_one_account_per_nik"),
            models.UniqueConstraint(fields=["phone"], condition=Q(phone_verified_at__isnull=False),
                                    name="registry_one_account_per_phone"),
        ]
        indexes = [
            models.Index(fields=["identity_status", "identity_next_check_at"], name="registry_pending_idx",
                         condition=Q(identity_status__in=["pending", "checking"])),
            # The statistics' recount of recent days (stats.services).
            models.Index(fields=["identity_checked_at"], name="profile_identity_checked",
                         condition=Q(identity_status="verified")),
            models.Index(fields=["phone_verified_at"], name="profile_phone_verified",
                         condition=Q(phone_verified_at__isnull=False)),
        ]
        permissions = [("view_identity_photos", "Can see KTP photos and selfies")]

    def __str__(self):
        return f"profile {self.public_id}"


class PhoneVerification(models.Model):
    """One attempt to prove a phone number with an SMS code (REG-5)."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("user"))
    phone = models.CharField(_("mobile number"), max_length=16)
    code_hash = models.CharField(_("code hash"), max_length=64)  # HMAC of the code: never stored in clear
    expires_at = models.DateTimeField(_("expires"))
    sends = models.PositiveSmallIntegerField(_("codes sent"), default=1)
    last_sent_at = models.DateTimeField(_("last sent"))
    wrong_attempts = models.PositiveSmallIntegerField(_("wrong codes"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"phone verification {self.public_id}"


class StatementVersion(VersionedText):
    """A published text of "Pernyataan Pendaftar" (REG-6); accepted versions are kept."""

    title = models.CharField(_("title"), max_length=200)

    class Meta(VersionedText.Meta):
        verbose_name = _("statement version")
        verbose_name_plural = _("statement versions")

    def __str__(self):
        return f"{self.title} v{self.version}"


class QuestionKind(models.TextChoices):
    LIKERT = "likert", _("Motivation (agree/disagree)")
    ARITHMETIC = "arithmetic", _("Arithmetic")
    READING = "reading", _("Reading")


class Question(models.Model):
    """An item of the motivation test bank (REG-7), in Indonesian, editable by operators."""

    kind = models.CharField(_("kind"), max_length=12, choices=QuestionKind.choices)
    passage = models.TextField(_("reading passage"), blank=True)  # reading items only
    text = models.TextField(_("question"))
    choices = models.JSONField(_("answers to choose from"))  # list of strings
    # null for Likert items
    correct_index = models.PositiveSmallIntegerField(_("correct answer (counted from 0)"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("test question")
        verbose_name_plural = _("test questions")

    def __str__(self):
        return self.text[:80]


class TestAttempt(models.Model):
    """The one motivation test a person takes; the server owns the clock."""

    __test__ = False  # not a pytest test class

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="test_attempt",
                                verbose_name=_("user"))
    question_ids = models.JSONField(_("questions drawn"))  # the person's random draw, in order
    started_at = models.DateTimeField(_("started"))
    deadline = models.DateTimeField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    auto_submitted = models.BooleanField(_("submitted when the time ran out"), default=False)
    score = models.PositiveIntegerField(_("score"), null=True, blank=True)  # stored, never shown (REG-7)

    class Meta:
        verbose_name = _("motivation test attempt")
        verbose_name_plural = _("motivation test attempts")
        indexes = [models.Index(fields=["deadline"], name="registry_open_tests_idx",
                                condition=Q(submitted_at__isnull=True)),
                   models.Index(fields=["submitted_at"], name="test_submitted",
                                condition=Q(submitted_at__isnull=False))]

    def __str__(self):
        return f"test {self.public_id}"


class TestAnswer(models.Model):
    __test__ = False
    attempt = models.ForeignKey(TestAttempt, on_delete=models.CASCADE, related_name="answers",
                                verbose_name=_("motivation test attempt"))
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+", verbose_name=_("question"))
    choice_index = models.PositiveSmallIntegerField(_("answer chosen (counted from 0)"))
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    class Meta:
        verbose_name = _("test answer")
        verbose_name_plural = _("test answers")
        constraints = [models.UniqueConstraint(fields=["attempt", "question"], name="registry_one_answer")]

    def __str__(self):
        return f"answer {self.attempt_id}/{self.question_id}"


# REG-3: how a web request and the periodic re-check claim a pending identity
# before asking the civil registry (prakerja/core/claims.py).
IDENTITY_CHECKS = Lease(model=Profile, status="identity_status", waiting=IdentityStatus.PENDING,
                        working=IdentityStatus.CHECKING, due="identity_next_check_at",
                        lease_until="identity_lease_until", attempts="identity_check_attempts",
                        duration=timedelta(minutes=2))
