"""PRG: the two presets, one active period, switching with an audit row."""

import pytest
from django.db import IntegrityError, transaction

from prakerja.audit.models import AuditEntry
from prakerja.programme.models import Preset, Programme
from prakerja.programme.selectors import active_programme
from prakerja.programme.services import programme_activate

pytestmark = pytest.mark.django_db


def test_semi_bansos_is_the_default_with_spec_values():
    active = active_programme()
    assert active.preset == Preset.SEMI_BANSOS
    assert (active.training_balance, active.post_training_incentive_amount, active.post_training_incentive_count,
            active.survey_incentive_amount, active.survey_count, active.first_purchase_deadline_days,
            active.min_age, active.max_age, active.exclude_social_assistance, active.max_recipients_per_kk,
            active.test_duration_seconds) == (1_000_000, 600_000, 4, 50_000, 3, 30, 18, None, True, 2, 60)


def test_normal_preset_values():
    normal = Programme.objects.get(preset=Preset.NORMAL)
    assert (normal.training_balance, normal.post_training_incentive_count, normal.survey_count,
            normal.first_purchase_deadline_days, normal.max_age, normal.exclude_social_assistance,
            normal.test_question_count, normal.test_duration_seconds) == (3_500_000, 1, 2, 15, 64, False, 18, 1500)


def test_only_one_period_is_active():
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(preset=Preset.NORMAL).update(is_active=True)


def test_activation_switches_and_is_audited(operator):
    normal = Programme.objects.get(preset=Preset.NORMAL)
    programme_activate(actor=operator, programme=normal)
    assert active_programme().preset == Preset.NORMAL
    entry = AuditEntry.objects.get(action="programme.activate")
    assert entry.actor == operator and entry.data == {"previous": "semi_bansos", "now": "normal"}


def test_negative_money_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(preset=Preset.NORMAL).update(training_balance=-1)
