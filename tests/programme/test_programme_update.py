"""PRG: operators edit a period's rules; the database refuses impossible ones."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from prakerja.audit.models import AuditEntry
from prakerja.programme.models import Preset, Programme
from prakerja.programme.selectors import active_programme
from prakerja.programme.services import programme_update

pytestmark = pytest.mark.django_db


def test_an_update_is_audited_with_old_and_new_values(operator):
    programme = active_programme()
    programme_update(actor=operator, programme=programme,
                     changes={"selfie_with_ktp": False, "balance_expires_on": date(2027, 12, 31), "min_age": 18})
    programme.refresh_from_db()
    assert programme.selfie_with_ktp is False and programme.balance_expires_on == date(2027, 12, 31)
    entry = AuditEntry.objects.get(action="programme.update")
    assert entry.data == {"selfie_with_ktp": [True, False], "balance_expires_on": [None, "2027-12-31"]}


def test_the_active_flag_cannot_be_edited(operator):
    with pytest.raises(ValueError, match="is_active"):
        programme_update(actor=operator, programme=active_programme(), changes={"is_active": False})
    assert active_programme().preset == Preset.SEMI_BANSOS


@pytest.mark.parametrize("changes", [
    {"training_balance": -1},
    {"post_training_incentive_amount": -600_000},
    {"survey_incentive_amount": -1},
    {"min_age": 65, "max_age": 64},
    {"test_duration_seconds": 0},
    {"test_question_count": 0},
    {"first_purchase_deadline_days": 0},
    {"max_recipients_per_kk": 0},
])
def test_the_database_refuses_impossible_rules(changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(preset=Preset.NORMAL).update(**changes)


def test_the_admin_edits_through_the_service(admin_client, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "StaffSecondFactor" not in m]
    normal = Programme.objects.get(preset=Preset.NORMAL)
    url = reverse("admin:programme_programme_change", args=[normal.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    data = {name: value for name, value in data.items() if value is not False}  # unticked boxes are not sent
    response = admin_client.post(url, {**data, "training_balance": 3_000_000, "is_active": "on"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    normal.refresh_from_db()
    assert normal.training_balance == 3_000_000 and not normal.is_active  # is_active is read-only
    assert AuditEntry.objects.get(action="programme.update").data == {"training_balance": [3_500_000, 3_000_000]}


def test_the_admin_shows_a_rule_broken_as_a_form_error(admin_client, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "StaffSecondFactor" not in m]
    normal = Programme.objects.get(preset=Preset.NORMAL)
    url = reverse("admin:programme_programme_change", args=[normal.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: ("" if value is None else value) for name, value in form.initial.items() if name in form.fields}
    data = {name: value for name, value in data.items() if value is not False}
    response = admin_client.post(url, {**data, "min_age": 70})
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action="programme.update").exists()
