import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.cache import cache
from django.core.signals import setting_changed
from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from prakerja.accounts.services import user_set_language
from prakerja.cards.selectors import card_panel
from prakerja.catalog.models import ListingStatus
from prakerja.induction.selectors import induction_progress
from prakerja.learning.selectors import purchases_of
from prakerja.partners.models import Partner, PartnerKind
from prakerja.programme.selectors import NoActiveProgramme, active_programme
from prakerja.registry import selectors as registry_selectors
from prakerja.selection import views as selection_views
from prakerja.selection.models import RunStatus, SelectionRun
from prakerja.waves import selectors as waves_selectors
from prakerja.waves.models import Wave
from prakerja.waves.states import ApplicationStatus
from prakerja.web import services as web_services
from prakerja.web.csrf import csrf_token
from prakerja.web.health import run_checks
from prakerja.web.models import FaqEntry
from prakerja.web.selectors import dashboard_snapshot

DASHBOARD_TRAININGS = 5  # the rest are in "Riwayat Pelatihan"


HOME_TTL = 60  # seconds: the longest a cached home page lives (see ``home``)
HOME_PAST_WAVES = 3  # the latest closed waves on the home page; the rest are on "waves_public"


def home(request):
    """The public home page (issue 21): the programme, its steps, waves, FAQ, complaints and partners.

    Signed-in people go to their dashboard. For everyone else the page's content is the same, so
    it is rendered once per language and kept in the shared cache (a national rush on the home page
    then costs one cache read a request and no query). A plain visit (no query string, no cookie but
    the language and CSRF ones, so no flash message and no session) gets the whole page from the
    cache, its CSRF slot filled with this request's token; any other visit gets the cached content
    in a frame (base.html) rendered for it. Both are dropped when a wave or the programme period is
    saved, or an audited change to waves, selection, programme, listings or the FAQ commits
    (``web.services``), and live at most ``HOME_TTL`` seconds, never past the next moment a wave
    opens, closes or publishes its results, so changes made by UPDATE statements and the clock show
    within a minute.
    """
    if request.user.is_authenticated:
        return redirect("dashboard")
    language = translation.get_language()
    plain = _plain_visit(request)
    if plain:
        page = cache.get(web_services.home_page_key(language))
        if page is not None:
            return HttpResponse(page.replace(CSRF_SLOT, csrf_token(request)))
    key = web_services.home_key(language)
    cached = cache.get(key)
    if cached is None:
        now = timezone.now()
        context = home_context(now=now, language=language)
        # A SafeString: it is pickled with its class and comes back from the cache as safe HTML.
        content = render_to_string("web/public/home_content.html", context)
        timeout = home_timeout(context["waves"], now)
        cache.set(key, (content, time.time() + timeout), timeout)
    else:
        content, deadline = cached
        timeout = int(deadline - time.time())
    if not plain:
        return render(request, "web/home.html", {"content": content})
    page = render_to_string("web/home.html", {"content": content, "csrf_token": CSRF_SLOT}, request=request)
    if timeout > 0:  # the page lives no longer than the content it holds (a wave opening is a deadline)
        cache.set(web_services.home_page_key(language), page, timeout)
    return HttpResponse(page.replace(CSRF_SLOT, csrf_token(request)))


# Stands in for the CSRF token in the cached page: letters and digits, as a real token, so no escaping changes it.
CSRF_SLOT = "csrfSLOT0home0page0token0slot0csrfSLOT0home0page0token0slot0xx"
PLAIN_COOKIES = {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}


def _plain_visit(request) -> bool:
    # The raw query string, not request.GET: "/?&&" parses to nothing but would land in the cached form's ``next``.
    return not request.META.get("QUERY_STRING") and not (request.COOKIES.keys() - PLAIN_COOKIES)


def rupiah(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")


def home_context(*, now, language: str) -> dict:
    return {"programme": programme_figures(), "waves": wave_schedule(now), "faq": faq_entries(language),
            "platforms": partner_platforms(),
            "help": {"email": settings.HELP_EMAIL, "phone": settings.HELP_PHONE, "hours": settings.HELP_HOURS}}


def programme_figures() -> dict | None:
    """PRG: the active period's rules as the home page states them (None if no period is active)."""
    try:
        programme = active_programme()
    except NoActiveProgramme:
        return None
    incentive = programme.post_training_incentive_amount
    surveys = programme.survey_incentive_amount
    return {
        "name": programme.name, "min_age": programme.min_age, "max_age": programme.max_age,
        "balance": rupiah(programme.training_balance),
        "incentive": rupiah(incentive), "incentive_count": programme.post_training_incentive_count,
        "incentive_interval": programme.post_training_incentive_interval_months,
        "incentive_total": rupiah(incentive * programme.post_training_incentive_count),
        "survey": rupiah(surveys), "survey_count": programme.survey_count,
        "survey_total": rupiah(surveys * programme.survey_count),
        "deadline_days": programme.first_purchase_deadline_days,
        "exclude_social_assistance": programme.exclude_social_assistance,
        "per_kk": programme.max_recipients_per_kk, "expires_on": programme.balance_expires_on,
    }


def wave_schedule(now) -> dict:
    """WAV-1: open and upcoming waves, and the latest closed ones with their published figures (WAV-6).

    The figures are the selection run's own report through the public results page's rules
    (``selection.views.report_tables``, counts 1 to 9 shown as "<10"): nothing is recounted here.
    """
    current = list(Wave.objects.filter(closes_at__gt=now, closed_at__isnull=True).order_by("opens_at"))
    past = list(Wave.objects.filter(Q(closes_at__lte=now) | Q(closed_at__isnull=False))
                .order_by("-number")[:HOME_PAST_WAVES])
    shown = [wave for wave in past if selection_views.published(wave, now)]
    reports = dict(SelectionRun.objects.filter(wave__in=shown, status=RunStatus.DONE)
                   .values_list("wave_id", "report"))
    past_rows = []
    for wave in past:
        report = reports.get(wave.pk) if wave in shown else None
        row = {"wave": wave, "results": bool(report)}
        if report:
            row["applied"] = selection_views.public_count(report.get("applied"))[1]
            row["passed"] = selection_views.public_count(report.get("passed"))[1]
            row["quota"] = intcomma(report.get("quota") or wave.national_quota)
        past_rows.append(row)
    return {"open": [wave for wave in current if wave.opens_at <= now],
            "upcoming": [wave for wave in current if wave.opens_at > now], "past": past_rows,
            "next_change": min([moment for wave in current for moment in (wave.opens_at, wave.closes_at)
                                if moment > now]
                               + [wave.results_published_at for wave in past
                                  if wave.results_published_at and wave.results_published_at > now],
                               default=None)}


def home_timeout(waves: dict, now) -> int:
    if waves["next_change"] is None:
        return HOME_TTL
    return max(1, min(HOME_TTL, int((waves["next_change"] - now).total_seconds()) + 1))


def faq_entries(language: str) -> list[dict]:
    return [{"question": entry.question(language), "answer": entry.answer(language)}
            for entry in FaqEntry.objects.filter(published=True)]


def partner_platforms() -> list:
    """TRN-1: the enabled digital platforms that sell at least one approved listing."""
    return list(Partner.objects.filter(kind=PartnerKind.PLATFORM, enabled=True)
                .annotate(approved=Count("listings", filter=Q(listings__status=ListingStatus.APPROVED)))
                .filter(approved__gt=0).order_by("name").values("name", "approved"))


@login_required
def dashboard(request):
    snapshot = dashboard_snapshot(user_id=request.user.pk)
    if snapshot is not None and snapshot.completed_at:
        # A complete profile: everything the page shows came in one query,
        # and for a participant two more (the card, the videos).
        context = {"profile": snapshot, "steps": [], "next_step": None, "unread_count": snapshot.unread,
                   **waves_selectors.dashboard_context_from(snapshot)}
        shown = context["application"]
        if shown is not None and shown.status in (ApplicationStatus.PASSED, ApplicationStatus.REVOKED):
            context.update(participant_context(request.user, revoked=shown.status == ApplicationStatus.REVOKED))
            return render(request, "web/dashboard.html", context)
        return registrant_dashboard(request, context)
    profile = registry_selectors.profile_of(request.user)
    steps = registry_selectors.registration_steps(profile)
    return render(request, "web/dashboard.html", {
        "profile": profile, "steps": steps, "next_step": next((s for s in steps if s.current), None)})


# Rendered registrant dashboards kept per process (see ``registrant_dashboard``); past this many the memo starts over.
DASHBOARD_PAGES = 1024
_dashboard_pages: dict[tuple, str] = {}
# Stands in for the person's name in a rendered dashboard: letters and digits, so escaping leaves it as it is.
NAME_SLOT = "nameSLOT0dashboard0page0slot0nameSLOT"


def registrant_dashboard(request, context: dict) -> HttpResponse:
    """The dashboard of a registrant with a complete profile, rendered once per state and language, per process.

    At a wave's opening and on announcement day most of the country's registrants open this page at
    once; drawing it through the templates cost more than everything else the request does (``make
    bench``). What it shows is a function of ``_page_key`` alone (the snapshot's facts, the application
    as it may be shown now, the open wave, the language, the bell's count, whether the person is an
    operator), plus the person's name and CSRF token, which go into slots of the rendered page. The
    page is the same string the templates would give (tests/web/test_dashboard_memo.py). A visit with a
    query string or a flash message to show is rendered as before, and so is a participant's dashboard
    (the card panel, videos and trainings are each person's own).
    """
    if request.META.get("QUERY_STRING") or len(messages.get_messages(request)):
        return render(request, "web/dashboard.html", context)
    key = _page_key(request, context)
    page = _dashboard_pages.get(key)
    if page is None:
        page = render_to_string("web/dashboard.html", {**context, "csrf_token": CSRF_SLOT, "short_name": NAME_SLOT},
                                request=request)
        if len(_dashboard_pages) >= DASHBOARD_PAGES:
            _dashboard_pages.clear()
        _dashboard_pages[key] = page
    # The token first: a name that spells the CSRF slot stays a name.
    return HttpResponse(page.replace(CSRF_SLOT, csrf_token(request))
                        .replace(NAME_SLOT, escape(request.user.get_short_name())))


def _forget_dashboard_pages(**kwargs):
    _dashboard_pages.clear()  # a changed setting (templates, languages) may change every page


setting_changed.connect(_forget_dashboard_pages, dispatch_uid="prakerja-dashboard-pages")


def _page_key(request, context: dict) -> tuple:
    profile = context["profile"]
    return (translation.get_language(), request.user.is_staff, bool(profile.completed_at), profile.identity_status,
            context["unread_count"], context["application"], context["open_wave"])


def participant_context(user, *, revoked: bool) -> dict:
    """CRD-1, CRD-2, CRD-5: the card panel and the videos, for one who passed (or was revoked, if a card was made)."""
    card = card_panel(user_id=user.pk)
    if card is None and revoked:
        return {}
    videos = induction_progress(user) if card is not None and card.active else []
    # TRN-3..5, "Pelatihanmu": the latest purchases with their codes, certificates and reviews (one query).
    trainings = purchases_of(user_id=user.pk, limit=DASHBOARD_TRAININGS) if card is not None else []
    return {"participant": True, "card": card, "videos": videos, "trainings": trainings,
            "videos_done": bool(videos) and all(video["completed"] for video in videos)}


@never_cache
@require_GET
def healthz(request):
    healthy, report = run_checks()
    return JsonResponse({"status": "ok" if healthy else "fail", **report}, status=200 if healthy else 503)


@require_POST
def set_language(request):
    response = django_set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_set_language(user=request.user, language=language)
    return response


def hello(request):
    """bench/: the stack with no work behind it. It says whether the session signed someone in, so
    the bench can check that its logged-in scenario really is (a stale session would be anonymous)."""
    if request.session.session_key is not None and request.user.is_authenticated:
        return HttpResponse("Hello, signed in")
    return HttpResponse("Hello, world")
