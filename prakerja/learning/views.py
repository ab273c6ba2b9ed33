"""The participant's trainings (TRN-3..TRN-5): "Riwayat Pelatihan", the review, and where to complain."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from prakerja.learning import reviews
from prakerja.learning.selectors import as_purchases, purchase_rows

PER_PAGE = 20
STAR_CHOICES = [  # TRN-5: "Bintang 1" very unsatisfied ... "Bintang 5" very satisfied
    (1, gettext_lazy("Star 1: very unsatisfied")),
    (2, gettext_lazy("Star 2: unsatisfied")),
    (3, gettext_lazy("Star 3: neither satisfied nor unsatisfied")),
    (4, gettext_lazy("Star 4: satisfied")),
    (5, gettext_lazy("Star 5: very satisfied")),
]
STARS_ERROR = gettext_lazy("Choose from 1 to 5 stars.")  # the same words as reviews.review_check


@require_GET
@login_required
def history(request):
    """"Riwayat Pelatihan": every purchase, newest first, 20 a page."""
    page = Paginator(purchase_rows(user_id=request.user.pk), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "learning/history.html", {"page": page, "purchases": as_purchases(page.object_list)})


class StarsForm(forms.Form):
    """Step 1: the stars ("Lanjut")."""

    stars = forms.TypedChoiceField(label=gettext_lazy("How satisfied are you with this training?"),
                                   choices=STAR_CHOICES, coerce=int, widget=forms.RadioSelect,
                                   error_messages={"required": STARS_ERROR, "invalid_choice": STARS_ERROR})


class TextForm(forms.Form):
    """Step 2: the written review ("Kirim"); its length is checked by ``reviews.review_submit``."""

    stars = forms.CharField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(
        label=gettext_lazy("Your review"), error_messages={"required": gettext_lazy("Write your review.")},
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": reviews.REVIEW_MAX}),
        help_text=gettext_lazy("Required, 20–1000 characters: what you learned, what could be better. "
                               "Do not write your name, phone or card number."))


def _stars_label(value):
    try:
        return dict(STAR_CHOICES).get(int(value))
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
@login_required
def review(request, payment_id):
    """"Beri Ulasan" in two steps that need no JavaScript: the step travels in a hidden field.

    The stars chosen in step 1 ride along hidden in step 2; the final POST
    checks both again through ``review_submit``, so nothing is trusted from
    the first step.
    """
    try:
        payment = reviews.reviewable_payment(user=request.user, payment_id=payment_id)
    except reviews.ReviewError as exc:  # another's purchase, or one without a certificate
        raise Http404 from exc
    if hasattr(payment, "review"):
        messages.info(request, _("You have already reviewed this training."))
        return redirect("training_history")
    form = StarsForm(initial={"stars": request.GET.get("stars")})  # "change the stars" comes back with them
    step = "stars"
    if request.method == "POST" and request.POST.get("step") == "text":
        form = StarsForm(request.POST)
        if form.is_valid():  # else a forged hidden value: choose the stars again
            stars = form.cleaned_data["stars"]
            form, step = TextForm(request.POST), "text"
            if form.is_valid():
                try:
                    reviews.review_submit(user=request.user, payment_id=payment.public_id, stars=stars,
                                          text=form.cleaned_data["text"])
                except reviews.ReviewError as exc:
                    if exc.code == "already_reviewed":  # a second tab, or a double click
                        messages.info(request, exc.message)
                        return redirect("training_history")
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                else:
                    messages.success(request, _("Thank you for your review."))
                    return redirect("dashboard")
    elif request.method == "POST":
        form = StarsForm(request.POST)
        if form.is_valid():
            form, step = TextForm(initial={"stars": form.cleaned_data["stars"]}), "text"
    return render(request, "learning/review.html", {
        "form": form, "step": step, "course": payment.listing.course, "payment": payment,
        "stars": form["stars"].value() if step == "text" else None,
        "stars_label": _stars_label(form["stars"].value()) if step == "text" else None})


@require_GET
def complaint_placeholder(request):
    """The old address of the certificate complaint: the complaint form, certificate preselected (CMP-1, TRN-4)."""
    return redirect(reverse("complaint_form") + "?kategori=certificate")
