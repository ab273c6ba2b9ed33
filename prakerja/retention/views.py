from allauth.account.decorators import reauthentication_required
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from prakerja.retention.models import DeletionStatus
from prakerja.retention.postponements import LABELS
from prakerja.retention.services import RetentionError, deletion_request


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
@reauthentication_required  # allauth: the password again, limited (RATE_LIMIT_REAUTHENTICATE)
def delete_account(request):
    """PRV-8: the person asks for their account to be deleted; done at once or postponed with the reasons."""
    if request.method == "GET":
        return render(request, "retention/delete.html")
    try:
        with transaction.atomic():
            result = deletion_request(user=request.user)
    except RetentionError as error:
        return render(request, "retention/delete.html", {"error": error.message}, status=409)
    if result.status == DeletionStatus.DONE:
        logout(request)
        return render(request, "retention/deleted.html")
    return render(request, "retention/delete.html",
                  {"postponed": [LABELS.get(code, code) for code in result.reasons]})
