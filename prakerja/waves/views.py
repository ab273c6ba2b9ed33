from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from prakerja.registry.selectors import profile_of
from prakerja.waves import selectors
from prakerja.waves.forms import JoinForm
from prakerja.waves.models import Wave
from prakerja.waves.services import JoinRefused, application_join


@login_required
def join(request, public_id):
    """WAV-2: "Gabung Gelombang" -> the agreement -> "Saya menyetujui" -> "Ya, Gabung"."""
    wave = get_object_or_404(Wave, public_id=public_id)
    consent = selectors.consent_current()
    form = JoinForm(request.POST or None, initial={"version": consent.version})
    if request.method == "POST" and form.is_valid():
        try:
            application_join(actor=request.user, wave=wave, consent_version=form.cleaned_data["version"])
        except JoinRefused as refusal:
            messages.error(request, refusal.message)
            return redirect("dashboard")
        messages.success(request, _("You joined wave %(n)s.") % {"n": wave.number})
        return redirect("dashboard")
    return render(request, "waves/join.html", {"wave": wave, "consent": consent, "form": form})


@login_required
@require_POST
def rejoin(request):
    """WAV-5: after "Gagal", one click joins the next open wave; nothing is entered again."""
    profile = profile_of(request.user)
    wave = profile.domicile_regency and selectors.open_wave_for(province_id=profile.domicile_regency.province_id)
    if not wave:
        messages.error(request, _("Wave not found"))
        return redirect("dashboard")
    wave = get_object_or_404(Wave, pk=wave.pk)
    latest = selectors.latest_application(user=request.user)
    consent = selectors.consent_current()
    if latest is None or latest.consent_id != consent.pk:
        return redirect("waves_join", public_id=wave.public_id)  # a new agreement must be read first
    try:
        application_join(actor=request.user, wave=wave, consent_version=consent.version)
    except JoinRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("You joined wave %(n)s.") % {"n": wave.number})
    return redirect("dashboard")


@login_required
@require_GET
def history(request):
    return render(request, "waves/history.html", {"applications": selectors.history(user=request.user)})


@require_GET
def public_list(request):
    waves = list(selectors.public_waves())
    rows = [{"wave": wave, "status": selectors.wave_status(wave)} for wave in waves]
    return render(request, "waves/public.html", {"rows": rows})


@login_required
@permission_required("waves.view_application", raise_exception=True)
@require_GET
def counts(request, public_id=None):
    """Joined per wave, and per province for one wave: grouped queries, live."""
    wave = get_object_or_404(Wave, public_id=public_id) if public_id else None
    context = {"waves": selectors.counts_by_wave(), "wave": wave,
               "provinces": selectors.counts_by_province(wave=wave) if wave else None}
    return render(request, "waves/counts.html", context)
