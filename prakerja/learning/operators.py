"""The operators' queue of held completion reports (TRN-4): a report that did not match the account waits here.

Thin views: the rows and counts come from ``operator_selectors``, the
decision is ``completions.completion_decide`` (audited, a certificate on
accept) in a transaction the view owns. Operators pass the second factor
before any of this (``StaffSecondFactorMiddleware``). Reading needs
``learning.view_completion`` (partner manager, complaints agent, auditor);
deciding, and seeing the personal data a decision compares, needs
``learning.decide_completion`` (the partner manager). Everyone else sees
the compared fields masked.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from prakerja.audit.reads import audit_read
from prakerja.core.counts import CountBox
from prakerja.learning.admin import mask_email, mask_name, mask_phone
from prakerja.learning.completions import CompletionError, certificate_window, completion_decide
from prakerja.learning.models import CompletionStatus
from prakerja.learning.operator_selectors import (
    FIELDS,
    Lateness,
    completion_counts,
    completion_detail,
    completion_rows,
    mark_lateness,
    providers,
    with_lateness,
)
from prakerja.learning.redemptions import RedeemError

VIEW, DECIDE = "learning.view_completion", "learning.decide_completion"
# PRV-5: a look at one report is a read of the participant's data (their training, score, certificate), in the
# open for the decider (name, email and phone compared), masked for a reader. The participant sees each.
REVIEW_VIEW, REVIEW_VIEW_MASKED = "learning.completion_review", "learning.completion_review_masked"
PER_PAGE = 50
FIELD_LABELS = {"name": gettext_lazy("Name"), "email": gettext_lazy("Email"), "phone": gettext_lazy("Phone")}


def _today():
    """The local (WIB) date the lateness counts up to; a function so tests can set the calendar."""
    return timezone.localdate()


class QueueFilter(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=[
        (CompletionStatus.HELD, gettext_lazy("Held for review")),
        (CompletionStatus.ACCEPTED, gettext_lazy("Accepted by an operator")),
        (CompletionStatus.REJECTED, gettext_lazy("Rejected by an operator"))])
    provider = forms.ChoiceField(label=gettext_lazy("Training provider"), required=False)
    field = forms.ChoiceField(label=gettext_lazy("Mismatched field"), required=False,
                              choices=[("", gettext_lazy("Any")), *FIELD_LABELS.items()])
    overdue = forms.BooleanField(label=gettext_lazy("Overdue only"), required=False)

    def __init__(self, *args, provider_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", _("All providers")), *provider_choices]


@login_required
@permission_required(VIEW, raise_exception=True)
@require_GET
def completions(request):
    """TRN-4: held reports oldest first, the late ones marked; decided ones by status, for audit."""
    form = QueueFilter(request.GET or None, provider_choices=providers())
    chosen = form.cleaned_data if form.is_valid() else {}
    status = chosen.get("status") or CompletionStatus.HELD
    lateness = Lateness.on(_today())
    rows = completion_rows(lateness, status=status, provider=chosen.get("provider"), field=chosen.get("field"),
                           overdue_only=bool(chosen.get("overdue")))
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    rows = with_lateness(page.object_list, lateness)
    for row in rows:
        row.mismatch_labels = [str(FIELD_LABELS[field]) for field in FIELDS if field in row.mismatches]
    counts = completion_counts(lateness)
    return render(request, "learning/operators/completions.html", {
        "form": form, "status": status, "counts": counts, "count_boxes": _count_boxes(counts), "page": page,
        "rows": rows,
        "filtered": any(chosen.get(name) for name in ("provider", "field", "overdue"))})


def _count_boxes(counts: dict) -> list[CountBox]:
    return [CountBox(_("Held"), counts["held"], "?status=held", "count-held"),
            CountBox(_("Overdue (past 1 business day)"), counts["overdue"], "?status=held&overdue=on", "count-overdue"),
            CountBox(_("Past 7 business days"), counts["very_overdue"], "", "count-very-overdue"),
            CountBox(_("Accepted today"), counts["accepted_today"], "?status=accepted", "count-accepted-today"),
            CountBox(_("Rejected today"), counts["rejected_today"], "?status=rejected", "count-rejected-today")]


class DecisionForm(forms.Form):
    # The length rule is the service's (completion_decide), so the page and any other caller say the same.
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=500, strip=True,
                             widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}))


def _mask_phone_partly(phone: str) -> str:
    """'+6281234567890' -> '+62812••••7890': the operator prefix and the last digits, enough to compare."""
    phone = phone or ""
    if len(phone) <= 9:
        return "•" * max(len(phone) - 2, 0) + phone[-2:]
    return phone[:6] + "•" * (len(phone) - 10) + phone[-4:]


def _compared(completion, *, personal: bool) -> list[dict]:
    """The mismatched fields as reported, on the account and as the platform's buyer; masked unless ``personal``."""
    payment = completion.payment
    user = payment.card.user
    profile = getattr(user, "profile", None)
    values = {
        "name": (completion.participant_name, user.full_name, payment.buyer_name),
        "email": (completion.participant_email, user.email, payment.buyer_email),
        "phone": (completion.participant_phone, getattr(profile, "phone", None) or "", payment.buyer_phone),
    }
    # The decider compares the values, a phone by its prefix and last digits; a reader sees who, not what.
    if personal:
        mask = {"name": str, "email": str, "phone": _mask_phone_partly}
    else:
        mask = {"name": mask_name, "email": mask_email, "phone": mask_phone}
    rows = []
    for field in FIELDS:
        if field not in completion.mismatches:
            continue
        shown = tuple(mask[field](value) for value in values[field])
        rows.append({"field": field, "label": FIELD_LABELS[field], "reported": shown[0], "account": shown[1],
                     "buyer": shown[2]})
    return rows


def _detail_page(request, completion, *, accept_form=None, reject_form=None, refusal=None, status=200):
    can_decide = request.user.has_perm(DECIDE)
    # Written before the page is: once per operator per report per ten minutes (a refresh is the same look).
    audit_read(actor=request.user, action=REVIEW_VIEW if can_decide else REVIEW_VIEW_MASKED, target=completion,
               data={"payment": str(completion.payment.public_id)})
    mark_lateness(completion, Lateness.on(_today()))
    return render(request, "learning/operators/completion.html", {
        "completion": completion, "payment": completion.payment, "course": completion.payment.listing.course,
        "certificate": getattr(completion, "certificate", None), "window": certificate_window(completion.reported_at),
        "compared": _compared(completion, personal=can_decide), "can_see_personal_data": can_decide,
        "can_decide": can_decide and completion.status == CompletionStatus.HELD,
        "accept_form": accept_form or DecisionForm(prefix="accept"),
        "reject_form": reject_form or DecisionForm(prefix="reject"), "refusal": refusal}, status=status)


@login_required
@permission_required(VIEW, raise_exception=True)
@require_http_methods(["GET", "POST"])
def completion(request, public_id):
    """One report beside the account and the buyer; a partner manager accepts or rejects it with a reason."""
    if request.method == "POST" and not request.user.has_perm(DECIDE):
        raise PermissionDenied
    found = completion_detail(public_id)
    if found is None:
        raise Http404
    if request.method == "GET":
        return _detail_page(request, found)
    accept = request.POST.get("decision") == "accept"
    if not accept and request.POST.get("decision") != "reject":
        return _detail_page(request, found, status=400)
    prefix = "accept" if accept else "reject"
    form = DecisionForm(request.POST, prefix=prefix)
    forms_by_prefix = {"accept_form": None, "reject_form": None, f"{prefix}_form": form}
    if not form.is_valid():
        return _detail_page(request, found, status=400, **forms_by_prefix)
    try:
        with transaction.atomic():
            decided = completion_decide(completion_id=found.public_id, actor=request.user, accept=accept,
                                        reason=form.cleaned_data["reason"])
    except (CompletionError, RedeemError) as refusal:  # RedeemError: the purchase was cancelled meanwhile
        if refusal.field == "reason":
            form.add_error("reason", refusal.message)
            return _detail_page(request, found, status=400, **forms_by_prefix)
        # Decided by another operator meanwhile, or not decidable: said above the page, which shows it as it is.
        return _detail_page(request, completion_detail(public_id), refusal=refusal.message, status=409)
    if decided.status == CompletionStatus.ACCEPTED:
        messages.success(request, _("Report accepted: the certificate is issued and the participant is told."))
    else:
        messages.success(request, _("Report rejected: it stays on record; the provider may report again."))
    return redirect("operator_completions")
