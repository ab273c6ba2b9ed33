"""PRG: the two presets ship with the values of the spec; one of them is active."""

import pytest

from prakerja.programme.models import Preset, Programme
from prakerja.programme.selectors import NoActiveProgramme, active_programme

pytestmark = pytest.mark.django_db

FIELDS = ["training_balance", "post_training_incentive_amount", "post_training_incentive_count",
          "post_training_incentive_interval_months", "survey_incentive_amount", "survey_count", "survey_payment_days",
          "first_purchase_deadline_days", "min_age", "max_age", "exclude_social_assistance", "max_recipients_per_kk",
          "test_duration_seconds", "test_question_count"]


def values(programme):
    return dict(zip(FIELDS, (getattr(programme, name) for name in FIELDS), strict=True))


def test_semi_bansos_is_the_default():
    active = active_programme()
    assert active.preset == Preset.SEMI_BANSOS and active.is_active
    assert values(active) == {
        "training_balance": 1_000_000, "post_training_incentive_amount": 600_000,
        "post_training_incentive_count": 4, "post_training_incentive_interval_months": 1,
        "survey_incentive_amount": 50_000, "survey_count": 3, "survey_payment_days": 14,
        "first_purchase_deadline_days": 30, "min_age": 18, "max_age": None, "exclude_social_assistance": True,
        "max_recipients_per_kk": 2, "test_duration_seconds": 60, "test_question_count": 10}


def test_normal_preset():
    normal = Programme.objects.get(preset=Preset.NORMAL)
    assert not normal.is_active
    assert values(normal) == {
        "training_balance": 3_500_000, "post_training_incentive_amount": 600_000,
        "post_training_incentive_count": 1, "post_training_incentive_interval_months": 1,
        "survey_incentive_amount": 50_000, "survey_count": 2, "survey_payment_days": 14,
        "first_purchase_deadline_days": 15, "min_age": 18, "max_age": 64, "exclude_social_assistance": False,
        "max_recipients_per_kk": 2, "test_duration_seconds": 25 * 60, "test_question_count": 18}


def test_no_active_period_is_a_clear_error():
    Programme.objects.update(is_active=False)
    with pytest.raises(NoActiveProgramme, match="activate one"):
        active_programme()
