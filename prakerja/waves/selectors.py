from django.db.models import Count, Q
from django.utils import timezone

from prakerja.waves.models import Application, ConsentVersion, Switches, Wave
from prakerja.waves.states import ACTIVE, FINAL_BARS


def switches() -> Switches:
    return Switches.objects.get_or_create(pk=1)[0]


def consent_current() -> ConsentVersion | None:
    return ConsentVersion.objects.order_by("-version").first()


def open_wave_for(*, province, now=None) -> Wave | None:
    """The wave open now for a domicile province (all provinces when none are listed)."""
    now = now or timezone.now()
    return (Wave.objects.filter(opens_at__lte=now, closes_at__gt=now)
            .filter(Q(eligible_provinces=None) | Q(eligible_provinces=province))
            .order_by("opens_at").first())


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


def dashboard_context(*, user, profile) -> dict:
    """What the dashboard says about waves (WAV-2..5), in three queries at most."""
    latest = latest_application(user=user)
    context = {"application": latest, "open_wave": None}
    if profile.completed_at is None or profile.domicile_regency_id is None:
        return context
    if latest is None or latest.status == "failed":
        context["open_wave"] = open_wave_for(province=profile.domicile_regency.province)
    return context
