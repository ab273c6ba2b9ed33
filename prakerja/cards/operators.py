"""Operators' card pages (CRD-5, WAV-1): the places revocation gave back, per wave and province, and a
supplementary wave that takes them as its quota.

Thin views: the counts come from ``operator_selectors``, the wave from
``services.supplementary``. Operators pass the second factor before any of
this (``StaffSecondFactorMiddleware``).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from prakerja.cards.operator_selectors import revoked_by_wave, revoked_places
from prakerja.cards.services.supplementary import SupplementaryRefused, supplementary_wave_create
from prakerja.waves.models import Wave

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SupplementaryWaveForm(forms.Form):
    """Times are entered in WIB (the project's TIME_ZONE), as in the wave admin."""

    from_wave = forms.TypedChoiceField(label=gettext_lazy("Take the quota from the revoked places of wave"),
                                       coerce=int)
    per_province = forms.BooleanField(
        label=gettext_lazy("Per province"), required=False, initial=True,
        help_text=gettext_lazy("Each province gets back its own revoked places, and only those provinces may "
                               "join. Untick for one national pool open to every province."))
    number = forms.IntegerField(label=gettext_lazy("New wave number"), min_value=1)
    opens_at = forms.DateTimeField(label=gettext_lazy("Opens at (WIB)"), widget=WHEN)
    closes_at = forms.DateTimeField(label=gettext_lazy("Closes at (WIB)"), widget=WHEN)
    announce_at = forms.DateTimeField(label=gettext_lazy("Announcement at (WIB)"), widget=WHEN)

    def __init__(self, *args, waves: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_wave"].choices = [
            (wave["number"], _("Wave %(n)s: %(count)s revoked places") % {"n": wave["number"], "count": wave["total"]})
            for wave in waves]


def _page(request, waves: list[dict], form=None, status=200):
    if form is None and request.user.has_perm("waves.add_wave") and waves:
        form = SupplementaryWaveForm(waves=waves)
    return render(request, "cards/operators/revoked.html", {
        "waves": waves, "total": sum(wave["total"] for wave in waves), "form": form}, status=status)


@login_required
@permission_required("cards.view_revocations", raise_exception=True)
@require_GET
def revoked(request):
    """CRD-5: revoked places per wave and province; one grouped query."""
    return _page(request, revoked_by_wave(revoked_places()))


@login_required
@permission_required(["cards.view_revocations", "waves.add_wave"], raise_exception=True)
@require_POST
def supplementary_create(request):
    """WAV-1: a supplementary wave with the revoked places of a chosen wave as its quota."""
    waves = revoked_by_wave(revoked_places())
    form = SupplementaryWaveForm(request.POST, waves=waves)
    if form.is_valid():
        data = form.cleaned_data
        try:
            wave = supplementary_wave_create(
                actor=request.user, from_wave=Wave.objects.get(number=data["from_wave"]), number=data["number"],
                opens_at=data["opens_at"], closes_at=data["closes_at"], announce_at=data["announce_at"],
                per_province=data["per_province"])
        except SupplementaryRefused as refusal:
            form.add_error(None, refusal.message)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Supplementary wave %(n)s was created with a quota of %(quota)s.")
                             % {"n": wave.number, "quota": wave.national_quota})
            return redirect("cards_operators_revoked")
    return _page(request, waves, form=form, status=400)
