"""CRD-2 races on PostgreSQL with real threads: tabs reporting at once share one clock."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.induction.models import InductionVideo, VideoProgress
from prakerja.induction.services import TOLERANCE, ProgressResult, video_progress_report
from tests.registry.test_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("postgres_only")]

T0 = timezone.now().replace(microsecond=0) - timedelta(hours=1)


def at(user, video, position, seconds):
    return lambda: video_progress_report(user=user, video=video, position=position,
                                         now=T0 + timedelta(seconds=seconds))


def test_first_reports_from_several_tabs_make_one_row(participant):
    video = InductionVideo.objects.get(slug="programme")
    results = run_together(*[at(participant, video, 0, 0)] * 4)
    assert all(isinstance(r, ProgressResult) for r in results), results
    assert VideoProgress.objects.filter(user=participant, video=video).count() == 1


def test_tabs_reporting_at_once_advance_once_for_the_same_time(participant):
    video = InductionVideo.objects.get(slug="programme")
    video_progress_report(user=participant, video=video, position=0, now=T0)
    results = run_together(*[at(participant, video, 5 + n, 5) for n in range(4)])
    assert all(isinstance(r, ProgressResult) for r in results), results
    progress = VideoProgress.objects.get(user=participant, video=video)
    assert progress.covered_seconds == 5 + TOLERANCE.total_seconds()  # the lead once, not per tab


def test_finishing_in_several_tabs_at_once_is_watched_and_audited_once(participant):
    video = InductionVideo.objects.get(slug="payout")
    video_progress_report(user=participant, video=video, position=0, now=T0)
    video_progress_report(user=participant, video=video, position=20, now=T0 + timedelta(seconds=20))
    results = run_together(*[at(participant, video, video.duration_seconds, 40)] * 4)
    assert all(isinstance(r, ProgressResult) and r.complete for r in results), results
    assert AuditEntry.objects.filter(action="induction.video_watched").count() == 1
