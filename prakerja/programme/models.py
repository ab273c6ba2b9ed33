from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Preset(models.TextChoices):
    SEMI_BANSOS = "semi_bansos", _("Semi-bansos (2020-2022)")
    NORMAL = "normal", _("Normal (2023+)")


class Programme(models.Model):
    """One programme period ("skema") with its money and time rules (SPEC PRG).

    Exactly one is active; every later rule reads it through
    ``selectors.active_programme``. Money is integer rupiah.
    """

    name = models.CharField(_("name"), max_length=100)
    preset = models.CharField(_("preset"), max_length=16, choices=Preset.choices, unique=True)
    is_active = models.BooleanField(_("active"), default=False)
    training_balance = models.BigIntegerField(_("training balance (Rp)"))
    post_training_incentive_amount = models.BigIntegerField(_("post-training incentive per payment (Rp)"))
    post_training_incentive_count = models.PositiveSmallIntegerField(_("post-training incentive payments"))
    post_training_incentive_interval_months = models.PositiveSmallIntegerField(_("months between payments"),
                                                                               default=1)
    survey_incentive_amount = models.BigIntegerField(_("survey incentive per survey (Rp)"))
    survey_count = models.PositiveSmallIntegerField(_("surveys"))
    survey_payment_days = models.PositiveSmallIntegerField(_("days to pay a survey incentive"), default=14)
    first_purchase_deadline_days = models.PositiveSmallIntegerField(_("days to buy the first training"))
    min_age = models.PositiveSmallIntegerField(_("minimum age"), default=18)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    exclude_social_assistance = models.BooleanField(_("exclude recipients of other social assistance"))
    max_recipients_per_kk = models.PositiveSmallIntegerField(_("maximum participants per family card"), default=2)
    test_duration_seconds = models.PositiveIntegerField(_("motivation test length (seconds)"))
    test_question_count = models.PositiveSmallIntegerField(_("motivation test questions"))
    selfie_with_ktp = models.BooleanField(_("selfie must show the KTP"), default=True)
    balance_expires_on = models.DateField(_("unused balances expire on"), null=True, blank=True)

    class Meta:
        verbose_name = _("programme period")
        verbose_name_plural = _("programme periods")
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                    name="programme_one_active"),
            models.CheckConstraint(condition=Q(training_balance__gte=0, post_training_incentive_amount__gte=0,
                                               survey_incentive_amount__gte=0),
                                   name="programme_amounts_not_negative"),
            models.CheckConstraint(condition=Q(max_age__isnull=True) | Q(max_age__gte=models.F("min_age")),
                                   name="programme_age_range"),
            models.CheckConstraint(condition=Q(test_duration_seconds__gt=0, test_question_count__gt=0),
                                   name="programme_test_not_empty"),
            # Counts and ages are Positive*Fields, which already carry ">= 0"
            # checks; a zero period or a zero KK limit would stop the programme.
            models.CheckConstraint(condition=Q(post_training_incentive_interval_months__gt=0,
                                               survey_payment_days__gt=0, first_purchase_deadline_days__gt=0,
                                               max_recipients_per_kk__gt=0),
                                   name="programme_periods_positive"),
        ]

    def __str__(self):
        return self.name


class Switches(models.Model):
    """Global switches between programme years (WAV-1): one row.

    Signups (allauth's ``is_open_for_signup``) and joins read it, so it
    belongs to the programme, below both accounts and waves.
    """

    signups_open = models.BooleanField(_("new accounts allowed"), default=True)
    joins_open = models.BooleanField(_("joining waves allowed"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        # Moved from waves without touching the table: a deploy migrates
        # before the previous release's processes restart, and they still read
        # "waves_switches" (docs/operations.md, "Deploying a release").
        db_table = "waves_switches"
        verbose_name = _("programme switches")
        verbose_name_plural = _("programme switches")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="switches_single_row")]

    def __str__(self):
        return "switches"
