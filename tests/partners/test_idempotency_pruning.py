"""Idempotency records are pruned once partners can no longer retry; a recent key still replays."""

from datetime import timedelta

from django.utils import timezone

from prakerja.partners.models import IdempotencyRecord
from prakerja.partners.services import idempotency_records_prune
from prakerja.partners.tasks import prune_idempotency_records


def test_old_records_go_recent_ones_stay_and_still_replay(api, platform, settings):
    settings.PARTNER_IDEMPOTENCY_DAYS = 7
    first = api.post("/payments/00000000-0000-0000-0000-000000000000/cancel", {}, key="recent")
    for n in range(5):
        api.post("/payments/00000000-0000-0000-0000-000000000000/cancel", {}, key=f"old-{n}")
    IdempotencyRecord.objects.filter(key__startswith="old-").update(created_at=timezone.now() - timedelta(days=8))
    assert idempotency_records_prune(batch=2) == 5  # in batches of 2: 2, 2, 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]
    replay = api.post("/payments/00000000-0000-0000-0000-000000000000/cancel", {}, key="recent")
    assert replay.headers.get("Idempotent-Replayed") == "true" and replay.json() == first.json()


def test_the_periodic_task_prunes(api, platform, settings):
    settings.PARTNER_IDEMPOTENCY_DAYS = 1
    api.post("/payments/00000000-0000-0000-0000-000000000000/cancel", {}, key="k")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=1, seconds=1))
    assert prune_idempotency_records.call_local() == 1 and not IdempotencyRecord.objects.exists()
