import time
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from prakerja.waves.models import Application, ConsentVersion, Wave
from prakerja.waves.states import ACTIVE, FINAL_BARS, ApplicationStatus, effective


def consent_current() -> ConsentVersion | None:
    return ConsentVersion.objects.order_by("-version").first()


OPEN_WAVES_KEY = "waves:open-soon"
OPEN_WAVES_TTL = 30  # seconds; waves are created days ahead, and the clock is re-checked on join
# Seconds a process reuses the shared answer without asking the cache again: a cache round trip was a
# tenth of a registrant's dashboard (make bench). Another process sees a wave's change this much later.
OPEN_WAVES_HERE = 1.0
_here: dict[str, tuple[float, list]] = {}  # "waves" -> (monotonic deadline, the shared answer)


@dataclass(frozen=True)
class OpenWave:
    pk: int
    public_id: object
    number: int
    opens_at: object
    closes_at: object
    province_ids: frozenset


def _open_waves(now) -> list[OpenWave]:
    """Waves open now or within the cache lifetime, with their eligible province ids.

    Every dashboard asks this at a wave's opening (80,000 registrations a
    minute were seen), so the answer is shared through the cache for a few
    seconds as plain values, and each process keeps it a second more
    (``OPEN_WAVES_HERE``); the join itself checks the wave's times in the
    database.
    """
    held = _here.get("waves")
    if held is not None and held[0] > time.monotonic():
        return held[1]
    cached = cache.get(OPEN_WAVES_KEY)
    if cached is not None:
        _here["waves"] = (time.monotonic() + OPEN_WAVES_HERE, cached)
        return cached
    horizon = now + timedelta(seconds=OPEN_WAVES_TTL)
    waves = (Wave.objects.filter(opens_at__lte=horizon, closes_at__gt=now, closed_at__isnull=True)
             .prefetch_related("eligible_provinces").order_by("opens_at"))
    value = [OpenWave(w.pk, w.public_id, w.number, w.opens_at, w.closes_at,
                      frozenset(p.pk for p in w.eligible_provinces.all())) for w in waves]
    cache.set(OPEN_WAVES_KEY, value, OPEN_WAVES_TTL)
    _here["waves"] = (time.monotonic() + OPEN_WAVES_HERE, value)
    return value


def forget_open_waves() -> None:
    _here.clear()
    cache.delete(OPEN_WAVES_KEY)


def open_wave_for(*, province_id: int, now=None) -> OpenWave | None:
    """The wave open now for a domicile province (all provinces when none are listed)."""
    now = now or timezone.now()
    for wave in _open_waves(now):
        if wave.opens_at <= now < wave.closes_at and (not wave.province_ids or province_id in wave.province_ids):
            return wave
    return None


def active_application(*, user) -> Application | None:
    return (Application.objects.select_related("wave").filter(user=user, status__in=ACTIVE).first())


def barred_application(*, user) -> Application | None:
    """An application that bars joining for good: passed, or revoked (WAV-5)."""
    return Application.objects.select_related("wave").filter(user=user, status__in=FINAL_BARS).first()


def latest_application(*, user) -> Application | None:
    return Application.objects.select_related("wave").filter(user=user).order_by("-joined_at").first()


def history(*, user, now=None) -> list["ApplicationSummary"]:
    """WAV-4 rows as the person may see them (WAV-6): one query."""
    now = now or timezone.now()
    rows = (Application.objects.filter(user=user).order_by("-wave__number")
            .values_list("status", "status_reason", "wave__number", "wave__results_published_at", "joined_at",
                         "wave__selection_started_at"))
    return [application_summary(status, reason, number, published_at, now, joined_at=joined_at,
                                selection_started_at=started)
            for status, reason, number, published_at, joined_at, started in rows]


def public_waves():
    return Wave.objects.order_by("-number")


def counts_by_province(*, wave: Wave) -> list[dict]:
    """Joined per province for one wave: one grouped query, no per-row work."""
    return list(Application.objects.filter(wave=wave).values("province__code", "province__name")
                .annotate(joined=Count("id")).order_by("province__code"))


def counts_by_wave() -> list[dict]:
    return list(Wave.objects.annotate(joined=Count("applications")).values("number", "public_id", "joined",
                                                                           "national_quota", "opens_at",
                                                                           "closes_at").order_by("-number"))


REJOINABLE = [ApplicationStatus.FAILED, ApplicationStatus.WITHDRAWN]
# WAV-6: what the selection decides. Revoked implies passed, so it is a
# result too; withdrawn (REG-3) is not a selection result and always shows.
RESULTS = [ApplicationStatus.PASSED, ApplicationStatus.FAILED, ApplicationStatus.REVOKED]


def shown_status(status: str, results_published_at, now, selection_started_at=None) -> str:
    """WAV-6: the status the person may see. Nothing of a result shows until the
    wave's results are published: until then it reads as the selection running.
    An application still in play in a wave whose selection started is selecting (WAV-3)."""
    status = effective(status, selection_started_at is not None)
    if status in RESULTS and (results_published_at is None or results_published_at > now):
        return ApplicationStatus.SELECTING
    return status


@dataclass(frozen=True)
class ApplicationSummary:
    """An application as its owner sees it (WAV-3, WAV-4, WAV-6)."""

    status: str
    status_reason: str
    wave_number: int
    joined_at: object = None

    def get_status_display(self):
        return ApplicationStatus(self.status).label


def application_summary(status, reason, wave_number, results_published_at, now, *,
                        joined_at=None, selection_started_at=None) -> ApplicationSummary:
    status = effective(status, selection_started_at is not None)
    shown = shown_status(status, results_published_at, now)
    # A hidden result hides its reason too (the reason would tell the result).
    return ApplicationSummary(shown, (reason or "") if shown == status else "", wave_number, joined_at)


def result_pending(*, user, now=None) -> Application | None:
    """WAV-6: an application whose result is decided but not published yet."""
    now = now or timezone.now()
    for application in Application.objects.select_related("wave").filter(user=user, status__in=RESULTS):
        if shown_status(application.status, application.wave.results_published_at, now) != application.status:
            return application
    return None


def dashboard_context_from(snapshot, now=None) -> dict:
    """What the dashboard says about waves (WAV-2..6), from the dashboard's one query."""
    now = now or timezone.now()
    latest = (application_summary(snapshot.application_status, snapshot.application_reason,
                                  snapshot.application_wave, snapshot.application_published_at, now,
                                  selection_started_at=snapshot.application_selection_started_at)
              if snapshot.application_status else None)
    context = {"application": latest, "open_wave": None}
    # Failed (WAV-5) and withdrawn (REG-3) bar nothing: the person may join the next wave.
    # An unpublished result shows as selecting, so it offers no wave (WAV-6).
    if snapshot.domicile_province_id and (latest is None or latest.status in REJOINABLE):
        wave = open_wave_for(province_id=snapshot.domicile_province_id)
        # A withdrawn application's wave may still be open, but a wave takes one application per person.
        if wave is not None and (latest is None or latest.wave_number != wave.number):
            context["open_wave"] = wave
    return context


def wave_status(wave: Wave, now=None) -> str:
    """upcoming, open, closed or announced, as the public page says it."""
    now = now or timezone.now()
    if now < wave.opens_at:
        return "upcoming"
    if now < wave.closes_at and wave.closed_at is None:
        return "open"
    # WAV-6: announced when the results are published, not merely when the announcement time passed.
    if wave.results_published_at is None or now < wave.results_published_at:
        return "closed"
    return "announced"
