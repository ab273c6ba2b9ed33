"""The demo storefront at /shop/: the platform Tokopedia selling trainings paid with a Kartu Prakerja.

It is the partner API's first client (docs/partner-api.md) and talks to
Prakerja only over signed HTTP (shop_client.PartnerApi), with its own
catalogue (shop_catalogue) and its own orders (ShopOrder). Every POST to the
API carries an Idempotency-Key derived from the shop order's token: the
checkout form carries the token, so a double click or a retry after a
timeout replays the first answer instead of paying twice; each OTP form
carries a fresh nonce (one key per OTP attempt).

Refusals show the contract's Indonesian ``message``; an API that cannot be
reached shows a plain notice and keeps the form's key for the retry.
"""

import re
import secrets
from datetime import datetime

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prakerja.sandbox import shop_catalogue as catalogue
from prakerja.sandbox.forms import REQUIRED, ContactFields, TokenForm
from prakerja.sandbox.shop_client import ApiError, ApiUnreachable, PartnerApi
from prakerja.sandbox.shop_models import ShopOrder, new_token

COOKIE = "shop_user"
PER_PAGE = 20
UNREACHABLE = ("Layanan Kartu Prakerja sedang tidak dapat dihubungi. Pesananmu belum berubah; "
               "coba lagi beberapa saat lagi dengan tombol yang sama.")
STATUS_LABELS = {
    "new": "Belum dibayar", "refused": "Ditolak", "otp_sent": "Menunggu kode OTP", "paid": "Lunas",
    "failed": "Gagal", "cancelled": "Dibatalkan", "expired": "Kedaluwarsa",
}
# Refusals of a confirm that end the payment, and the status the order then has.
CONFIRM_ENDS = {"payment_failed": "failed", "otp_expired": "expired", "payment_cancelled": "cancelled"}
# What the shop adds to a refusal so the shopper knows what to do (the contract says when each code happens).
HINTS = {
    "card_inactive": "Kartu yang dicabut atau kedaluwarsa tidak bisa dipakai; kartu baru bisa dipakai setelah "
                     "3 video pengenalan di dasbor Kartu Prakerja ditonton sampai selesai.",
    "card_bound_to_other_user": "Kartu ini sudah dipakai oleh akun lain di toko ini: masuk dengan akun tersebut.",
    "otp_expired": "Mulai pembayaran lagi dari halaman pelatihan.",
    "rate_limited": "Tunggu sebentar, lalu coba lagi.",
}


def api() -> PartnerApi:
    return PartnerApi.from_settings()


def current_shopper(request) -> catalogue.Shopper:
    return catalogue.shopper(request.get_signed_cookie(COOKIE, default=None, salt=COOKIE))


def page(request, template: str, context: dict, status: int = 200):
    context = {"shopper": current_shopper(request), "shoppers": catalogue.SHOPPERS, **context}
    return render(request, f"sandbox/shop/{template}", context, status=status)


def api_error(exc: ApiError) -> dict:
    """What the shopper sees of a refusal: the contract's Indonesian message, and the code for support."""
    return {"message": exc.message, "code": exc.code, "attempts_left": exc.extra.get("attempts_left"),
            "hint": HINTS.get(exc.code, "")}


def unreachable(exc: ApiUnreachable) -> dict:
    return {"message": UNREACHABLE, "code": f"http_{exc.status}" if exc.status else exc.reason}


# --- forms ------------------------------------------------------------------------------

class CheckoutForm(TokenForm, ContactFields):
    card_number = forms.CharField(max_length=32, error_messages=REQUIRED)

    def clean_card_number(self):
        digits = re.sub(r"[\s-]", "", self.cleaned_data["card_number"])
        if not re.fullmatch(r"\d{16}", digits):
            raise forms.ValidationError("Nomor Kartu Prakerja terdiri dari 16 angka.")
        return digits

    def clean_phone(self):
        phone = super().clean_phone()
        return "+62" + phone[1:] if phone.startswith("08") else phone


class OtpForm(forms.Form):
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=16)
    otp = forms.CharField(max_length=12, error_messages=REQUIRED)

    def clean_nonce(self):
        nonce = self.cleaned_data["nonce"]
        if not re.fullmatch(r"[0-9a-f]{8,16}", nonce):
            raise forms.ValidationError("Formulir tidak valid; muat ulang halaman.")
        return nonce

    def clean_otp(self):
        otp = self.cleaned_data["otp"].strip()
        if not re.fullmatch(r"\d{6}", otp):
            raise forms.ValidationError("Kode OTP terdiri dari 6 angka.")
        return otp


# --- pages ------------------------------------------------------------------------------

# Every page shows the header's "Masuk sebagai" form, which posts with a CSRF token: each page runs
# csrf_protect (the sandbox has no CSRF middleware), which sets the cookie the token needs. Without it a new
# browser's first switch of shopper on the catalogue was refused (403).
@csrf_protect
@require_GET
def index(request):
    query = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("kategori", "")
    items = catalogue.listings()
    if query:
        words = query.lower().split()
        items = [x for x in items if all(w in f"{x.title} {x.provider} {x.code}".lower() for w in words)]
    if category:
        items = [x for x in items if x.category == category]
    listings = Paginator(items, PER_PAGE).get_page(request.GET.get("hal"))
    return page(request, "index.html", {"listings": listings, "q": query, "kategori": category,
                                        "categories": catalogue.categories()})


@csrf_protect
@require_POST
def login(request):
    """The demo's "log in": pick one of the demo shopper accounts (a signed cookie, no password)."""
    chosen = catalogue.shopper(request.POST.get("user_id"))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("shop_index")
    response = redirect(back)
    response.set_signed_cookie(COOKIE, chosen.user_id, salt=COOKIE, httponly=True, samesite="Lax",
                               max_age=30 * 24 * 3600)
    return response


def _checkout_initial(request) -> dict:
    who = current_shopper(request)
    return {"token": new_token(), "name": who.name, "email": who.email, "phone": who.phone}


@csrf_protect
@require_http_methods(["GET", "POST"])
def listing(request, code: str):
    item = catalogue.listing(code)
    if item is None:
        raise Http404("no such listing")
    if request.method == "GET":
        return page(request, "listing.html", {"item": item, "form": CheckoutForm(initial=_checkout_initial(request))})
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        return page(request, "listing.html", {"item": item, "form": form}, status=400)
    data, who = form.cleaned_data, current_shopper(request)
    fields = {"shopper": who.user_id, "listing_code": item.code, "title": item.title, "buyer_name": data["name"],
              "buyer_email": data["email"], "buyer_phone": data["phone"], "card_last4": data["card_number"][-4:]}
    order, created = ShopOrder.objects.get_or_create(token=data["token"], defaults={
        **fields, "number": f"INV/{timezone.localdate():%Y%m%d}/{data['token'][:10].upper()}"})
    if order.payment_id:  # a double click: the first click already started the payment
        return redirect("shop_order", token=order.token)
    if not created:
        for name, value in fields.items():
            setattr(order, name, value)
        order.save(update_fields=[*fields, "updated_at"])
    try:
        answer = api().start_payment(
            card_number=data["card_number"], listing_code=item.code, order_number=order.number,
            user_id=who.user_id, buyer={"name": data["name"], "email": data["email"], "phone": data["phone"]},
            key=f"{order.token}-start")
    except ApiError as exc:
        order.status, order.error_code, order.error_message = "refused", exc.code, exc.message[:500]
        order.save(update_fields=["status", "error_code", "error_message", "updated_at"])
        # A fresh order for the next try: the key of this one is spent on this answer.
        retry = CheckoutForm(initial={**{k: data[k] for k in ("card_number", "name", "email", "phone")},
                                      "token": new_token()})
        return page(request, "listing.html", {"item": item, "form": retry, "error": api_error(exc)}, status=400)
    except ApiUnreachable as exc:
        # Same token, same key: the retry replays the first answer if the payment did start.
        return page(request, "listing.html", {"item": item, "form": form, "error": unreachable(exc)}, status=503)
    order.payment_id, order.status, order.amount = answer["payment_id"], answer["status"], answer.get("amount")
    order.otp_expires_at = _when(answer.get("otp_expires_at"))
    order.error_code = order.error_message = ""
    order.save(update_fields=["payment_id", "status", "amount", "otp_expires_at", "error_code", "error_message",
                              "updated_at"])
    return redirect("shop_order", token=order.token)


def _when(value) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _refresh(order: ShopOrder) -> dict | None:
    """Ask Prakerja for the payment's state (an operator may have cancelled it, an OTP may have expired)."""
    try:
        state = api().payment(order.payment_id)
    except ApiError as exc:
        return api_error(exc)
    except ApiUnreachable:
        return {"message": "Status terbaru tidak dapat diambil: layanan Kartu Prakerja sedang tidak dapat "
                           "dihubungi. Yang tampil adalah status terakhir yang diketahui.", "code": "unreachable"}
    changed = []
    if state.get("status") in STATUS_LABELS and state["status"] != order.status:
        order.status = state["status"]
        changed.append("status")
    if state.get("voucher_code") and state["voucher_code"] != order.voucher_code:
        order.voucher_code = state["voucher_code"]
        changed.append("voucher_code")
    if changed:
        order.save(update_fields=[*changed, "updated_at"])
    return None


def _order_page(request, order: ShopOrder, *, error=None, otp_form=None, status=200):
    if otp_form is None:
        otp_form = OtpForm(initial={"nonce": secrets.token_hex(4)})
    return page(request, "order.html", {
        "order": order, "status_label": STATUS_LABELS.get(order.status, order.status), "error": error,
        "otp_form": otp_form, "amount": catalogue.rupiah(order.amount),
        "refunded": catalogue.rupiah(order.refunded_amount),
        "can_cancel": order.status in ("otp_sent", "paid")}, status=status)


@csrf_protect
@require_GET
def order_detail(request, token: str):
    order = get_object_or_404(ShopOrder, token=token)
    notice = _refresh(order) if order.payment_id else None
    return _order_page(request, order, error=notice)


@csrf_protect
@require_POST
def confirm(request, token: str):
    order = get_object_or_404(ShopOrder, token=token)
    if not order.payment_id or order.status != "otp_sent":
        return redirect("shop_order", token=order.token)
    form = OtpForm(request.POST)
    if not form.is_valid():
        return _order_page(request, order, otp_form=form, status=400)
    try:
        answer = api().confirm(order.payment_id, otp=form.cleaned_data["otp"],
                               key=f"{order.token}-otp-{form.cleaned_data['nonce']}")
    except ApiError as exc:
        if exc.code in CONFIRM_ENDS:
            order.status = CONFIRM_ENDS[exc.code]
        order.error_code, order.error_message = exc.code, exc.message[:500]
        order.save(update_fields=["status", "error_code", "error_message", "updated_at"])
        return _order_page(request, order, error=api_error(exc), status=400)
    except ApiUnreachable as exc:
        # The same nonce stays in the form: pressing the button again replays, never pays twice.
        return _order_page(request, order, error=unreachable(exc), otp_form=form, status=503)
    order.status, order.voucher_code = "paid", answer["voucher_code"]
    order.amount = answer.get("amount", order.amount)
    order.error_code = order.error_message = ""
    order.save(update_fields=["status", "voucher_code", "amount", "error_code", "error_message", "updated_at"])
    return redirect("shop_order", token=order.token)


@csrf_protect
@require_POST
def cancel(request, token: str):
    order = get_object_or_404(ShopOrder, token=token)
    if not order.payment_id:
        return redirect("shop_order", token=order.token)
    try:
        answer = api().cancel(order.payment_id, key=f"{order.token}-cancel")
    except ApiError as exc:
        order.error_code, order.error_message = exc.code, exc.message[:500]
        order.save(update_fields=["error_code", "error_message", "updated_at"])
        return _order_page(request, order, error=api_error(exc), status=400)
    except ApiUnreachable as exc:
        return _order_page(request, order, error=unreachable(exc), status=503)
    order.status, order.refunded_amount = "cancelled", answer.get("refunded_amount", 0)
    order.save(update_fields=["status", "refunded_amount", "updated_at"])
    return redirect("shop_order", token=order.token)


@csrf_protect
@require_GET
def orders(request):
    who = current_shopper(request)
    mine = ShopOrder.objects.filter(shopper=who.user_id).exclude(payment_id="")[:50]
    rows = [{"order": o, "label": STATUS_LABELS.get(o.status, o.status), "amount": catalogue.rupiah(o.amount)}
            for o in mine]
    return page(request, "orders.html", {"rows": rows})


urlpatterns = [
    path("", index, name="shop_index"),
    path("akun", login, name="shop_login"),
    path("kursus/<str:code>", listing, name="shop_listing"),
    path("pesanan", orders, name="shop_orders"),
    path("pesanan/<slug:token>", order_detail, name="shop_order"),
    path("pesanan/<slug:token>/otp", confirm, name="shop_confirm"),
    path("pesanan/<slug:token>/batal", cancel, name="shop_cancel"),
]
