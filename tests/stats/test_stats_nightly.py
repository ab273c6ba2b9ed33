"""Review of issue 20: the 10-minute refresh recounts today and yesterday only; a later change to an older
step (a domicile given days after signing up) reaches the statistics with the nightly recount."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.regions.models import Regency
from prakerja.registry.models import Profile
from prakerja.stats import services, tasks
from prakerja.stats.models import DailyCount

pytestmark = pytest.mark.django_db


def registered() -> dict[str, int]:
    return dict(DailyCount.objects.filter(metric="registered", wave_number=0).exclude(province_code="*")
                .values_list("province_code", "value"))


def test_a_domicile_given_later_moves_the_registration_at_night():
    joined = timezone.now() - timedelta(days=3)
    user = User.objects.create_user(email="lambat@example.id", password="x", full_name="Lambat", date_joined=joined)
    services.stats_rebuild(since=timezone.localdate(joined), until=timezone.localdate())
    assert registered() == {"": 1}
    Profile.objects.create(user=user, domicile_regency=Regency.objects.get(code="3273"))
    services.stats_refresh_recent()
    assert registered() == {"": 1}  # three days back: not the refresh's to recount
    tasks.recount_last_month.call_local()
    assert registered() == {"32": 1}


def test_the_nightly_recount_reaches_back_a_month_and_no_further():
    today = timezone.localdate()
    for days_ago in (services.NIGHTLY_DAYS - 1, services.NIGHTLY_DAYS):
        when = timezone.now() - timedelta(days=days_ago)
        User.objects.create_user(email=f"u{days_ago}@example.id", password="x", full_name="U", date_joined=when)
    services.stats_recount_last_month()
    days = set(DailyCount.objects.filter(metric="registered").values_list("day", flat=True))
    assert today - timedelta(days=services.NIGHTLY_DAYS - 1) in days
    assert today - timedelta(days=services.NIGHTLY_DAYS) not in days
