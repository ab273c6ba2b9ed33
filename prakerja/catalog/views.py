""""Cari Pelatihan" and the course page (TRN-1): public, so anyone can look before they join.

A signed-in participant with an active, credited card may limit the results
to what their balance pays for, and sees which listings it covers. A filter
that is not valid (an unknown category, a price that is not a number) is left
out and said so; the other filters still apply. A page past the end shows
the last page.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Avg, Count
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from prakerja.cards.models import CardStatus
from prakerja.cards.selectors import card_panel
from prakerja.catalog.models import Category, CourseKind
from prakerja.catalog.search import Filters, Order, approved_listings, course_search, visible_course
from prakerja.regions.selectors import province_list

PER_PAGE = 20
REVIEWS_SHOWN = 10
MAX_PRICE = 100_000_000  # above any training: Rp100 million
_PRICE = re.compile(r"^(?:rp\.?)?\s*(\d{1,3}(?:[.,\s]\d{3})+|\d+)(?:,00?)?$")


class PriceField(forms.Field):
    """Whole rupiah, as people type them: "750000", "750.000", "Rp 750.000"."""

    widget = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 30})

    def to_python(self, value):
        value = str(value or "").strip().lower()[:30]
        if not value:
            return None
        match = _PRICE.match(value)
        if match is None:
            raise ValidationError(_("Enter a price in rupiah, for example 750000."), code="invalid")
        return min(int(re.sub(r"\D", "", match.group(1))), MAX_PRICE)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words"), required=False, strip=True,
                        widget=forms.TextInput(attrs={"enterkeyhint": "search", "maxlength": 200,
                                                      "placeholder": _("e.g. barista, Excel, bahasa Inggris")}))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All categories")), *Category.choices])
    kind = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("All types")), *CourseKind.choices])
    province = forms.ChoiceField(label=_("Province (offline courses)"), required=False, choices=())
    max_price = PriceField(label=_("Price up to (Rp)"), required=False)
    affordable = forms.BooleanField(label=_("Within my balance"), required=False)
    order = forms.ChoiceField(label=_("Sort"), required=False,
                              choices=[(Order.BEST, pgettext_lazy("sort", "Best match")),
                                       (Order.PRICE, pgettext_lazy("sort", "Cheapest first"))])

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("All provinces")), *provinces]


def _balance(request) -> int | None:
    """The available balance of the signed-in participant's active, credited card; else None."""
    if not request.user.is_authenticated:
        return None
    card = card_panel(user_id=request.user.pk)
    if card is None or card.status != CardStatus.ACTIVE or not card.credited:
        return None
    return card.balance


def _filters(data: dict, balance: int | None) -> Filters:
    """The valid filters; the lower of "price up to" and (when asked) the balance."""
    ceilings = [data.get("max_price")]
    if balance is not None and data.get("affordable"):
        ceilings.append(balance)
    ceilings = [price for price in ceilings if price is not None]
    return Filters(words=data.get("q") or "", category=data.get("category") or "", kind=data.get("kind") or "",
                   province=data.get("province") or "", max_price=min(ceilings) if ceilings else None,
                   order=data.get("order") or Order.BEST)


@require_GET
def search(request):
    provinces = [(province.code, province.name) for province in province_list().order_by("name")]
    form = SearchForm(request.GET or None, provinces=provinces)
    valid = form.is_valid()
    balance = _balance(request)
    # cleaned_data keeps the fields that are valid even when another is not: those still narrow the search.
    filters = _filters(getattr(form, "cleaned_data", {}), balance)
    page = Paginator(course_search(filters), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "catalog/search.html", {
        "form": form, "page": page, "balance": balance, "query": query.urlencode(), "filters": filters,
        "searched": bool(query), "invalid": form.is_bound and not valid,
        "page_asked": request.GET.get("page", "")})


@require_GET
def course(request, code: str):
    found = visible_course(code)
    if found is None:
        raise Http404
    balance = _balance(request)
    listings = list(approved_listings(found))
    for listing in listings:
        listing.affordable = balance is not None and listing.price <= balance
    # Stars, text and month only: nothing that names or points to the participant (TRN-5). "course" too: the
    # related manager checks each review's course_id, a query a review if it were deferred.
    reviews = found.reviews.all()
    stats = reviews.aggregate(average=Avg("stars"), count=Count("pk"))
    latest = list(reviews.order_by("-created_at", "-pk").only("course", "stars", "text", "created_at")[:REVIEWS_SHOWN])
    return render(request, "catalog/course.html", {
        "course": found, "listings": listings, "balance": balance, "reviews": latest,
        "review_count": stats["count"], "review_average": stats["average"]})
