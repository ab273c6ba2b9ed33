"""CRD-2: the server counts a video as watched only when reports cover it in real time.

Every test gives the server clock explicitly (``now=``), so "real time" is
exact: T0 is when the player started, and T(s) is s seconds later.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from prakerja.audit.models import AuditEntry
from prakerja.induction.errors import InductionError
from prakerja.induction.models import VideoProgress
from prakerja.induction.services import MAX_GAP, TOLERANCE, video_progress_report

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)
SLACK = TOLERANCE.total_seconds()


def T(seconds):  # noqa: N802 - reads as the clock
    return T0 + timedelta(seconds=seconds)


def report(user, video, position, at):
    return video_progress_report(user=user, video=video, position=position, now=T(at))


def watch_honestly(user, video, *, every=5, start=0):
    """Reports every ``every`` seconds of real time, each at the position real playback reached."""
    result = report(user, video, 0, start)
    for second in range(every, video.duration_seconds + every, every):
        result = report(user, video, min(second, video.duration_seconds), start + second)
    return result


def test_an_honest_player_completes_the_video(participant, video):
    result = watch_honestly(participant, video)
    assert result.complete and result.accepted == video.duration_seconds
    assert VideoProgress.objects.get(user=participant, video=video).completed_at == T(35)


def test_the_first_report_starts_the_clock_and_gains_only_the_tolerance(participant, video):
    assert report(participant, video, 30, 0).accepted == SLACK


def test_a_jump_ahead_is_clamped_to_the_real_time_elapsed(participant, video):
    report(participant, video, 0, 0)
    assert report(participant, video, 10, 5).accepted == 5 + SLACK  # not 10, and not refused
    assert report(participant, video, 34, 10).accepted == 10 + SLACK  # the lead is not spent twice
    assert not report(participant, video, 34, 11).complete


def test_reports_faster_than_real_time_gain_nothing(participant, video):
    report(participant, video, 0, 0)
    # 60 reports a tenth of a second apart, each claiming a second more: six seconds passed.
    result = None
    for n in range(1, 61):
        result = video_progress_report(user=participant, video=video, position=n,
                                       now=T0 + timedelta(milliseconds=100 * n))
    assert result.accepted <= 6 + SLACK
    assert not result.complete


def test_time_spent_paused_is_not_saved_up_for_a_later_jump(participant, video):
    report(participant, video, 0, 0)
    report(participant, video, 5, 5)
    report(participant, video, 5, 600)  # paused for ten minutes, then reports where it stopped
    assert report(participant, video, 34, 605).accepted == 10 + SLACK


def test_a_gap_between_reports_counts_only_as_much_as_reports_cover(participant, video):
    # Started, then nothing for ten minutes (a closed tab), then "at the end".
    report(participant, video, 0, 0)
    result = report(participant, video, video.duration_seconds, 600)
    assert result.accepted == MAX_GAP.total_seconds() + SLACK and not result.complete


def test_watched_only_once_real_time_covers_the_whole_video(participant, video):
    # Skipping to the end every 5 seconds, from the start: complete only after ~duration seconds.
    report(participant, video, 0, 0)
    done_at = None
    for second in range(5, 60, 5):
        if report(participant, video, video.duration_seconds, second).complete:
            done_at = second
            break
    assert done_at is not None and done_at >= video.duration_seconds - 1 - SLACK


def test_not_watched_one_second_short(participant, video):
    # Claiming the end every 5 seconds: accepted is always real time plus the lead.
    report(participant, video, 0, 0)
    for second in range(5, 35, 5):
        result = report(participant, video, video.duration_seconds, second)
    assert result.accepted == 30 + SLACK == video.duration_seconds - 2 and not result.complete
    result = report(participant, video, video.duration_seconds, 31)
    # Within the last second it counts as watched, and shows full.
    assert result.accepted == video.duration_seconds and result.complete


def test_a_position_beyond_the_end_is_clamped_to_the_duration(participant, video):
    report(participant, video, 0, 0)
    for second in range(5, 45, 5):
        result = report(participant, video, 10_000, second)
    assert result.accepted == video.duration_seconds


@pytest.mark.parametrize("position", [-1, "-0.5", "abc", "", None, "nan", "inf", "1e400"])
def test_a_negative_or_non_numeric_position_is_refused(participant, video, position):
    with pytest.raises(InductionError) as refused:
        video_progress_report(user=participant, video=video, position=position, now=T0)
    assert refused.value.code == "bad_position"
    assert not VideoProgress.objects.exists()


def test_a_report_behind_the_accepted_position_loses_nothing(participant, video):
    watch_until = report(participant, video, 0, 0)
    for second in (5, 10, 15):
        watch_until = report(participant, video, second, second)
    assert report(participant, video, 3, 20).accepted == watch_until.accepted == 15  # watching again from 0:03


def test_a_double_submit_does_not_advance_twice_for_the_same_time(participant, video):
    # Two tabs (or a retried request) report at the same moment.
    report(participant, video, 0, 0)
    first = report(participant, video, 5, 5)
    second = report(participant, video, 10, 5)
    assert first.accepted == 5
    assert second.accepted == 5 + SLACK  # only the tolerance, once
    assert report(participant, video, 15, 5).accepted == 5 + SLACK


def test_two_tabs_share_one_clock(participant, video):
    """Two players reporting alternately, each honest in its own tab, advance like one."""
    report(participant, video, 0, 0)
    accepted = 0
    for second in range(1, 20):
        accepted = report(participant, video, second * 2, second).accepted  # each tab says it is twice as far
    assert accepted <= 19 + SLACK


def test_completion_is_audited_once(participant, video):
    watch_honestly(participant, video)
    report(participant, video, video.duration_seconds, 100)
    entries = AuditEntry.objects.filter(action="induction.video_watched")
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor == participant and entry.data["slug"] == "programme"


def test_a_watched_video_stays_watched(participant, video):
    watch_honestly(participant, video)
    result = report(participant, video, 0, 200)
    assert result.complete and result.accepted == video.duration_seconds


def test_each_person_and_video_has_its_own_progress(participant, make_person, videos):
    other = make_person(email="lain@example.id")
    watch_honestly(participant, videos["programme"])
    assert report(other, videos["programme"], 0, 0).accepted == 0
    assert report(participant, videos["purchase"], 0, 0).accepted == 0
    assert VideoProgress.objects.filter(completed_at__isnull=False).count() == 1


def test_a_late_clock_gains_nothing(participant, video):
    # A report whose server time is earlier than the last one (another server's clock).
    report(participant, video, 0, 0)
    report(participant, video, 10, 10)
    assert report(participant, video, 20, 8).accepted == 10
