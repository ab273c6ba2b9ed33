"""PRG: exactly one active period; switching is a service with an audit row."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from prakerja.audit.models import AuditEntry
from prakerja.programme.models import Preset, Programme
from prakerja.programme.selectors import active_programme
from prakerja.programme.services import programme_activate

pytestmark = pytest.mark.django_db


@pytest.fixture
def normal():
    return Programme.objects.get(preset=Preset.NORMAL)


def test_the_database_refuses_a_second_active_period(normal):
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.filter(pk=normal.pk).update(is_active=True)


def test_activation_switches_and_is_audited(operator, normal):
    programme_activate(actor=operator, programme=normal)
    assert active_programme() == normal
    assert list(Programme.objects.filter(is_active=True)) == [normal]
    entry = AuditEntry.objects.get(action="programme.activate")
    assert entry.actor == operator and entry.target_id == str(normal.pk)
    assert entry.data == {"previous": "semi_bansos", "now": "normal"}


def test_activating_the_active_period_changes_nothing(operator):
    programme_activate(actor=operator, programme=active_programme())
    assert active_programme().preset == Preset.SEMI_BANSOS
    assert not AuditEntry.objects.filter(action="programme.activate").exists()


@pytest.fixture
def admin_without_second_factor(admin_client, settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "StaffSecondFactor" not in m]
    return admin_client


def test_the_admin_action_activates(admin_without_second_factor, normal):
    response = admin_without_second_factor.post(reverse("admin:programme_programme_changelist"), {
        "action": "activate", "_selected_action": [normal.pk]}, follow=True)
    assert response.status_code == 200
    assert active_programme() == normal
    assert AuditEntry.objects.get(action="programme.activate").actor.is_superuser


def test_the_admin_lists_both_periods_with_rupiah(admin_without_second_factor):
    page = admin_without_second_factor.get(reverse("admin:programme_programme_changelist")).content.decode()
    assert "Rp1.000.000" in page and "Rp3.500.000" in page and "Rp600.000 x 4" in page and "18-64" in page
