"""CRD-2: what the dashboard and the card app read: progress per video, and "all three watched"."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.utils import timezone, translation

from prakerja.induction.selectors import (
    induction_allowed,
    induction_complete,
    induction_complete_sql,
    induction_progress,
)
from prakerja.induction.services import video_progress_report

pytestmark = pytest.mark.django_db


def watch(user, video):
    start = timezone.now() - timedelta(hours=1)
    for second in range(0, video.duration_seconds + 5, 5):
        video_progress_report(user=user, video=video, position=min(second, video.duration_seconds),
                              now=start + timedelta(seconds=second))


def complete(user) -> bool:
    """induction_complete, checked against the same rule in SQL (the card debit's guard on PostgreSQL)."""
    answer = induction_complete(user)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT CASE WHEN {induction_complete_sql(str(int(user.pk)))} THEN 1 ELSE 0 END")
        assert bool(cursor.fetchone()[0]) is answer
    return answer


def test_induction_complete_is_false_until_all_three_are_watched(participant, videos, make_person):
    assert complete(participant) is False
    for slug in ("programme", "purchase"):
        watch(participant, videos[slug])
        assert complete(participant) is False
    # Halfway through the last one is not enough (two hours ago; watch() starts an hour ago).
    start = timezone.now() - timedelta(hours=2)
    video_progress_report(user=participant, video=videos["payout"], position=0, now=start)
    video_progress_report(user=participant, video=videos["payout"], position=20, now=start + timedelta(seconds=20))
    assert complete(participant) is False
    watch(participant, videos["payout"])
    assert complete(participant) is True
    assert complete(make_person(email="lain@example.id")) is False  # someone else's viewing counts not
    assert induction_complete(AnonymousUser()) is False


def test_induction_complete_is_one_query(participant, django_assert_num_queries):
    with django_assert_num_queries(1):
        induction_complete(participant)


def test_induction_progress_lists_the_three_in_order_with_progress(participant, videos, django_assert_num_queries):
    watch(participant, videos["purchase"])
    start = timezone.now() - timedelta(minutes=1)
    video_progress_report(user=participant, video=videos["programme"], position=0, now=start)
    video_progress_report(user=participant, video=videos["programme"], position=12, now=start + timedelta(seconds=12))
    with django_assert_num_queries(1):
        rows = induction_progress(participant)
    assert [r["slug"] for r in rows] == ["programme", "purchase", "payout"]
    assert rows[0] == {"slug": "programme", "position": 1, "title": "Cara kerja Program Kartu Prakerja",
                       "covered_seconds": 12.0, "duration_seconds": 34, "completed": False, "next": True}
    assert rows[1]["completed"] is True and rows[1]["covered_seconds"] == 32.0 and rows[1]["next"] is False
    assert rows[2]["covered_seconds"] == 0 and rows[2]["completed"] is False and rows[2]["next"] is False


def test_induction_progress_titles_follow_the_language(participant):
    with translation.override("en"):
        assert induction_progress(participant)[0]["title"] == "How the Prakerja programme works"
    with translation.override("id"):
        assert induction_progress(participant)[0]["title"] == "Cara kerja Program Kartu Prakerja"


def test_only_a_published_pass_opens_the_videos(make_person, make_wave):
    assert induction_allowed(make_person("passed"))
    assert not induction_allowed(make_person("failed", email="gagal@example.id"))
    assert not induction_allowed(make_person("revoked", email="cabut@example.id"))
    unpublished = make_wave(number=8, opens=-20, closes=-10, announce=1)
    assert not induction_allowed(make_person("passed", email="belum@example.id", wave=unpublished))
    assert not induction_allowed(AnonymousUser())
