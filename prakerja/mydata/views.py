import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prakerja.core.errors import DomainError
from prakerja.mydata import selectors, services
from prakerja.mydata.forms import CorrectionForm
from prakerja.mydata.pdf import mydata_pdf

NO_STORE = "no-store, private"


def _no_store(response):
    response["Cache-Control"] = NO_STORE
    return response


@never_cache
@require_GET
@login_required
@reauthentication_required  # PRV-6: the password again, as for the card number (CRD-1); allauth limits the tries
def page(request):
    """Data Saya: everything held about the person, the NIK and KK in full (only here), and the downloads."""
    sections = selectors.everything_of(request.user)
    return _no_store(render(request, "mydata/page.html", {"sections": sections}))


@never_cache
@require_POST
@login_required
@reauthentication_required
def download(request, fmt):
    """The person's data as JSON or PDF: rate-limited and audited before the file is made (PRV-6)."""
    if fmt not in services.FORMATS:
        raise Http404
    try:
        services.mydata_export(actor=request.user, fmt=fmt)
    except services.MyDataError as error:
        if error.code != "too_many":
            raise Http404 from error
        response = render(request, "mydata/too_many.html", {"message": error.message}, status=429)
        response["Retry-After"] = "60"
        return _no_store(response)
    now = timezone.now()
    sections = selectors.everything_of(request.user, now=now)
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    if fmt == "json":
        body = json.dumps(selectors.as_json(sections, now=now), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        response = HttpResponse(mydata_pdf({"sections": sections, "generated_at": now, "user": request.user}),
                                content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="data-saya-{stamp}.{fmt}"'
    return _no_store(response)


@never_cache
@require_GET
@login_required
@reauthentication_required
def accesses(request):
    """Siapa yang mengakses data saya (PRV-5): each audited access, by role or partner, never by name."""
    return _no_store(render(request, "mydata/accesses.html", {"accesses": selectors.accesses_of(request.user)}))


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def correction(request):
    """PRV-7: a request to correct personal data becomes a complaint ticket (CMP-1)."""
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                ticket = services.correction_request(
                    actor=request.user, field=form.cleaned_data["field"], field_label=form.field_label(),
                    wrong=form.cleaned_data["wrong"], right=form.cleaned_data["right"],
                    consent=form.cleaned_data["consent"])
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Your correction request was sent as ticket %(number)s.")
                             % {"number": ticket.number})
            return redirect("complaint_ticket", ticket.public_id)
    status = 400 if request.method == "POST" else 200
    return _no_store(render(request, "mydata/correction.html", {"form": form}, status=status))
