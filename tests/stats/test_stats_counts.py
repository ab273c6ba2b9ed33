"""OPS-3: the daily counters equal counts taken directly from the tables, and a recount changes nothing.

The world (tests/stats/world.py) spreads people, tickets and purchases over six WIB days, with times
a minute either side of WIB midnight, operators, unconfirmed emails, rejected identities, unknown
provinces and two waves whose windows overlap; ``expected_*`` recounts it row by row in Python.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.accounts.models import User
from prakerja.stats import services
from prakerja.stats.metrics import codes
from prakerja.stats.models import DailyCount, Freshness
from tests.stats import world

pytestmark = pytest.mark.django_db
FUNNEL = ("registered", "email_confirmed", "nik_verified", "phone_verified", "test_done", "joined")


def rebuild():
    return services.stats_rebuild(since=world.FIRST - timedelta(days=1), until=world.LAST + timedelta(days=3),
                                  chunk_days=3)


@pytest.fixture
def people(db):
    return world.make_people()


def test_every_funnel_number_equals_a_direct_count(people):
    rebuild()
    expected = world.expected_funnel()
    assert sum(v for k, v in expected.items() if k[1] == "registered" and k[2] == 0) == 68  # the operators are out
    assert {k[2] for k in expected} == {0, 81, 82}
    assert {k[3] for k in expected} >= {"", "32", "35", "31", "51"}
    assert world.stored(FUNNEL) == world.with_all(expected)


def test_the_day_is_the_wib_day(db):
    """A registration at 23:59 WIB counts on that day; one at 00:00:30 WIB on the next (UTC says otherwise)."""
    User.objects.create_user(email="malam@example.id", full_name="Malam", date_joined=world.at(world.DAYS[2], 23, 59))
    User.objects.create_user(email="pagi@example.id", full_name="Pagi",
                             date_joined=world.at(world.DAYS[3], 0, 0) + timedelta(seconds=30))
    rebuild()
    assert world.stored(("registered",)) == {(world.DAYS[2], "registered", 0, ""): 1,
                                             (world.DAYS[3], "registered", 0, ""): 1,
                                             (world.DAYS[2], "registered", 0, "*"): 1,
                                             (world.DAYS[3], "registered", 0, "*"): 1}


def test_the_recount_is_idempotent(people):
    first_rows = rebuild()
    first = world.stored()
    assert rebuild() == first_rows
    assert world.stored() == first
    services.stats_refresh(first_day=world.DAYS[2], last_day=world.DAYS[3])  # a part again
    assert world.stored() == first


def test_a_recount_follows_changes_and_forgets_nothing_outside_its_days(people):
    rebuild()
    before = world.stored()
    user = User.objects.filter(is_staff=False).order_by("pk").first()
    moved_to = world.DAYS[0] - timedelta(days=5)  # outside the range recounted next
    User.objects.filter(pk=user.pk).update(date_joined=world.at(moved_to, 12))
    services.stats_refresh(first_day=world.FIRST, last_day=world.LAST)
    after = world.stored()
    assert sum(v for k, v in after.items() if k[1] == "registered" and k[2] == 0 and k[3] == "*") == \
        sum(v for k, v in before.items() if k[1] == "registered" and k[2] == 0 and k[3] == "*") - 1
    services.stats_refresh(first_day=moved_to, last_day=moved_to)
    assert world.stored() == world.with_all(world.expected_funnel()) + world.stored(
        ("complaints", "purchases", "completions", "certificates"))


def test_complaints_are_counted_per_category_with_answer_times_and_a_snapshot(people):
    users = list(User.objects.filter(is_staff=False).order_by("pk")[:12])
    now = timezone.now()
    world.make_tickets(users, now=now)
    rebuild()
    services.stats_refresh_recent(now=now)
    today = timezone.localdate(now)
    expected = world.expected_complaints(today, now)
    assert any(k[1].startswith("complaints.overdue.") for k in expected)
    assert any(k[1].startswith("complaints.within_1h.") for k in expected)
    assert world.stored(("complaints.",)) == world.with_all(expected)


def test_snapshots_of_past_days_are_kept_by_a_recount(people):
    users = list(User.objects.filter(is_staff=False)[:5])
    world.make_tickets(users)
    now = timezone.now()
    services.stats_refresh_recent(now=now)
    snapshot = world.stored(("complaints.open.", "complaints.overdue."))
    assert snapshot
    later = now + timedelta(days=2)
    services.stats_refresh(first_day=timezone.localdate(now), last_day=timezone.localdate(later), now=later)
    kept = {k: v for k, v in world.stored(("complaints.open.", "complaints.overdue.")).items()
            if k[0] == timezone.localdate(now)}
    assert kept == snapshot


def test_freshness_is_recorded(people):
    assert Freshness.objects.count() == 0
    services.stats_refresh_recent()
    row = Freshness.objects.get()
    assert row.refreshed_at is not None
    assert (row.last_day - row.first_day).days == services.RECENT_DAYS - 1


def test_the_periodic_task_recounts_recent_days(db):
    from prakerja.stats.tasks import refresh_stats

    User.objects.create_user(email="baru@example.id", full_name="Baru")
    refresh_stats.call_local()
    assert DailyCount.objects.get(metric="registered", wave_number=0, province_code="*").value == 1


def test_rebuild_command(people, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    until = world.LAST + timedelta(days=3)  # the last steps happen up to two days after registering
    call_command("rebuild_stats", "--since", str(world.FIRST), "--until", str(until), "--chunk-days", "2")
    assert "statistics recounted" in capsys.readouterr().out
    assert world.stored(FUNNEL) == world.with_all(world.expected_funnel())
    with pytest.raises(CommandError):
        call_command("rebuild_stats", "--since", "2026-13-45")
    with pytest.raises(CommandError):
        call_command("rebuild_stats", "--since", "2026-03-05", "--until", "2026-03-01")


def test_the_metric_catalogue_is_complete():
    assert codes("funnel") == list(FUNNEL)
    assert len(codes("complaints")) == 9 * 10
