"""Issue 15, item 3: entry points own the outermost transaction; services compose inside it.

Services use plain atomic(), so one use case can call several and they
commit or roll back together. The few that must commit on their own (an
outside call after saving, a count kept while refusing) refuse to run inside
a caller's transaction instead of silently losing that guarantee.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.waves.models import Wave
from prakerja.waves.selectors import consent_current
from prakerja.waves.services import application_decide, application_join, wave_start_selection, waves_close_due

pytestmark = pytest.mark.django_db


class Abort(Exception):
    pass


def _selecting(registrant, make_wave):
    application = application_join(actor=registrant, wave=make_wave(), consent_version=consent_current().version)
    Wave.objects.filter(pk=application.wave_id).update(closes_at=timezone.now() - timedelta(seconds=1))
    waves_close_due()
    return application


def test_services_compose_in_one_transaction_and_roll_back_together(registrant, make_wave):
    application = _selecting(registrant, make_wave)
    wave = Wave.objects.get(pk=application.wave_id)
    with pytest.raises(Abort), transaction.atomic():
        wave_start_selection(actor="system", wave=wave)
        application_decide(actor="system", application=application, passed=True)
        raise Abort  # a later step of the same use case fails
    application.refresh_from_db()
    assert application.status == "processing"
    assert not AuditEntry.objects.filter(action__in=["wave.selection_start", "application.passed"]).exists()
    with transaction.atomic():
        wave_start_selection(actor="system", wave=wave)
        application_decide(actor="system", application=application, passed=True)
    application.refresh_from_db()
    assert application.status == "passed"
