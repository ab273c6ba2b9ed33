from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from prakerja.accounts.services import user_set_language
from prakerja.cards.selectors import card_panel
from prakerja.induction.selectors import induction_progress
from prakerja.learning.selectors import purchases_of
from prakerja.registry import selectors as registry_selectors
from prakerja.waves import selectors as waves_selectors
from prakerja.waves.states import ApplicationStatus
from prakerja.web.health import run_checks
from prakerja.web.selectors import dashboard_snapshot

DASHBOARD_TRAININGS = 5  # the rest are in "Riwayat Pelatihan"


def home(request):
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "web/home.html")


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
    profile = registry_selectors.profile_of(request.user)
    steps = registry_selectors.registration_steps(profile)
    return render(request, "web/dashboard.html", {
        "profile": profile, "steps": steps, "next_step": next((s for s in steps if s.current), None)})


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
