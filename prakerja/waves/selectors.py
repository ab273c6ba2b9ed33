from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from prakerja.waves.models import Application, ConsentVersion, Wave
from prakerja.waves.states import ACTIVE, FINAL_BARS, ApplicationStatus


def consent_current() -> ConsentVersion | None:
    return ConsentVersion.objects.order_by("-version").first()


OPEN_WAVES_KEY = "waves:open-soon"
OPEN_WAVES_TTL = 30  # seconds; waves are created days ahead, and the clock is re-checked on join


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
    seconds as plain values; the join itself checks the wave's times in the
    database.
    """
    cached = cache.get(OPEN_WAVES_KEY)
    if cached is not None:
        return cached
    horizon = now + timedelta(seconds=OPEN_WAVES_TTL)
    waves = (Wave.objects.filter(opens_at__lte=horizon, closes_at__gt=now, closed_at__isnull=True)
             .prefetch_related("eligible_provinces").order_by("opens_at"))
    value = [OpenWave(w.pk, w.public_id, w.number, w.opens_at, w.closes_at,
                      frozenset(p.pk for p in w.eligible_provinces.all())) for w in waves]
    cache.set(OPEN_WAVES_KEY, value, OPEN_WAVES_TTL)
    return value


def forget_open_waves() -> None:
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


def history(*, user):
    return Application.objects.select_related("wave").filter(user=user).order_by("-wave__number")


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


@dataclass(frozen=True)
class ApplicationSummary:
    status: str
    status_reason: str
    wave_number: int

    def get_status_display(self):
        return ApplicationStatus(self.status).label


def dashboard_context_from(snapshot) -> dict:
    """What the dashboard says about waves (WAV-2..5), from the dashboard's one query."""
    latest = (ApplicationSummary(snapshot.application_status, snapshot.application_reason or "",
                                 snapshot.application_wave) if snapshot.application_status else None)
    context = {"application": latest, "open_wave": None}
    # Failed (WAV-5) and withdrawn (REG-3) bar nothing: the person may join the next wave.
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
    if now < wave.announce_at:
        return "closed"
    return "announced"
