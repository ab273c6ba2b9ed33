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
@reauthentication_required
def number(request):
    """CRD-1: the full card number, after the password is asked again (allauth's reauthentication).

    Only once the three videos are watched (CRD-2). Every reveal is audited;
    the page is never cached.
    """
    from prakerja.induction.selectors import induction_complete

    card = Card.objects.filter(user=request.user, status=CardStatus.ACTIVE).first()
    if card is None:
        raise Http404
    if not induction_complete(request.user):
        messages.info(request, _("Watch the three short videos first; then your card number opens."))
        return redirect("dashboard")
    with transaction.atomic():
        audit_record(actor=request.user, action="card.reveal", target=card)
    return render(request, "cards/number.html", {"number": formatted(crypto.decrypt(card.number_encrypted)),
                                                 "card": card})
