from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from prakerja.audit.services import audit_record
from prakerja.cards.models import Card, CardStatus
from prakerja.cards.selectors import formatted
from prakerja.registry import crypto


@never_cache
@require_GET
@login_required
def number(request):
    """CRD-1: the full card number, once the three videos are watched (CRD-2) and the password is asked again.

    The videos come first, so nobody is asked for a password only to be
    told to watch them. Every reveal is audited; the page is never cached.
    """
    from prakerja.induction.selectors import induction_complete

    card = Card.objects.filter(user=request.user, status=CardStatus.ACTIVE).first()
    if card is None:
        raise Http404
    if not induction_complete(request.user):
        messages.info(request, _("Watch the three short videos first; then your card number opens."))
        return redirect("dashboard")
    return _reveal(request, card)


@reauthentication_required  # allauth: the password again, limited (RATE_LIMIT_REAUTHENTICATE)
def _reveal(request, card):
    with transaction.atomic():
        audit_record(actor=request.user, action="card.reveal", target=card)
    return render(request, "cards/number.html", {"number": formatted(crypto.decrypt(card.number_encrypted)),
                                                 "card": card})
