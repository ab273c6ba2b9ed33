import pytest
from django.utils import timezone

from prakerja.cards.models import Card
from prakerja.cards.services import budget_fund
from prakerja.cards.services.issuance import issuance_continue, issuance_schedule
from prakerja.programme.selectors import active_programme
from prakerja.waves.models import Wave
from tests.selection.test_run import person


@pytest.fixture
def announced_wave(make_wave):
    """A wave whose results are published, with 3 passed and 2 failed applications (no run needed)."""
    wave = make_wave(number=70, opens=-20, closes=-10, announce=-1, quota=3)
    Wave.objects.filter(pk=wave.pk).update(closed_at=timezone.now(), results_published_at=timezone.now())
    wave.refresh_from_db()
    for status in ("passed", "passed", "failed", "passed", "failed"):
        person(wave=wave, status=status)
    return wave


@pytest.fixture
def issue(monkeypatch):
    """Issue and credit a wave's cards now, in this process (the task would do the same)."""
    monkeypatch.setattr("prakerja.cards.tasks.issue_cards", lambda pk: None)

    def run(wave, chunk_size=2):
        budget_fund(programme=active_programme(), amount=10**12, key=f"fund-{wave.number}", actor=None)
        return issuance_continue(issuance=issuance_schedule(wave=wave), chunk_size=chunk_size)

    return run


@pytest.fixture
def card(announced_wave, issue):
    issue(announced_wave)
    return Card.objects.order_by("pk").select_related("account", "programme", "user").first()


@pytest.fixture
def watched(db):
    """Mark the three induction videos (CRD-2) as watched to the end by a person."""

    def mark(user):
        from prakerja.induction.models import InductionVideo, VideoProgress

        now = timezone.now()
        for video in InductionVideo.objects.all():
            VideoProgress.objects.update_or_create(user=user, video=video, defaults={
                "covered_seconds": video.duration_seconds, "completed_at": now})

    return mark


@pytest.fixture
def cards(card):
    """All three cards of ``announced_wave``, issued and credited, in id order."""
    return list(Card.objects.order_by("pk").select_related("account", "programme", "user"))


@pytest.fixture
def queued(monkeypatch):
    """Email and SMS ids handed to delivery, kept here instead of sent (no SMTP or SMS gateway in these tests)."""
    ids = []
    monkeypatch.setattr("prakerja.notifications.tasks.deliver_messages", ids.extend)
    return ids


@pytest.fixture
def videos_watched(monkeypatch):
    """``card_debit`` asks whether the three videos were watched (CRD-2); here they were, for everyone.
    (On PostgreSQL its statement asks, through ``induction_complete_sql``.)"""
    import importlib
    import sys
    import types

    try:
        module = importlib.import_module("prakerja.induction.selectors")
    except ImportError:  # the induction app is still being written: stand in for its selector
        module = types.ModuleType("prakerja.induction.selectors")
        monkeypatch.setitem(sys.modules, "prakerja.induction.selectors", module)
    monkeypatch.setattr(module, "induction_complete", lambda user: True, raising=False)
    monkeypatch.setattr(module, "induction_complete_sql", lambda user_id: "TRUE", raising=False)
