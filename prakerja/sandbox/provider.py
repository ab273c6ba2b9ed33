"""The demo provider desk at /provider/: a training provider ("lembaga pelatihan") of the demo catalogue.

It plays the provider's half of the partner API (docs/partner-api.md,
section 5) by hand, over signed HTTP like the demo shop, signing as the
demo provider chosen in the header (provider_client): check a redeem code
the participant brings from their Prakerja dashboard, use it, and report
the training completed with the provider's certificate. The desk keeps its own
records (DeskAction) and never reads the platform's database.

Every POST carries an Idempotency-Key derived from the form's token: a
double click or a retry of the same form replays the first answer; a new
form has a new token. Refusals show the contract's Indonesian ``message``
verbatim (and get a fresh token, their key being spent on that answer); an
API that cannot be reached shows a plain notice and keeps the form, token
included, for the retry.
"""

import re
import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prakerja.sandbox import shop_catalogue
from prakerja.sandbox.forms import REQUIRED, ContactFields, TokenForm
from prakerja.sandbox.provider_client import PROVIDERS, DeskProvider, provider_api, provider_by_code, provider_by_name
from prakerja.sandbox.provider_models import DeskAction
from prakerja.sandbox.shop_client import ApiError, ApiUnreachable
from prakerja.sandbox.shop_models import new_token

COOKIE = "provider_desk"
WIB = ZoneInfo("Asia/Jakarta")
RECENT = 20
UNREACHABLE = ("Layanan Kartu Prakerja sedang tidak dapat dihubungi. Coba lagi beberapa saat lagi dengan "
               "tombol yang sama: permintaan yang sama tidak diproses dua kali.")
KIND_LABELS = {"status": "Cek kode redeem", "commit": "Gunakan kode redeem", "completion": "Laporkan selesai"}
OUTCOME_LABELS = {
    "unused": "Belum digunakan", "used": "Sudah digunakan", "cancelled": "Dibatalkan",
    "accepted": "Diterima: sertifikat muncul di Dashboard peserta",
    "held_for_review": "Ditahan untuk diperiksa operator", "refused": "Ditolak",
}
# What the desk adds to a refusal so the newcomer knows what to do (docs/partner-api.md says when each happens).
HINTS = {
    "redeem_code_wrong_provider": "Kode ini untuk pelatihan lembaga lain. Pilih lembaga penyelenggara pelatihannya "
                                  "di kolom \"Masuk sebagai\" (namanya ada di halaman pelatihan toko demo).",
    "redeem_code_cancelled": "Operator mengganti kode ini; kode redeem yang baru ada di Dashboard peserta.",
    "transaction_cancelled": "Pembelian pelatihan ini dibatalkan dan saldonya sudah dikembalikan ke kartu.",
    "redeem_code_not_used": "Gunakan kode redeem dulu (tombol \"Gunakan kode redeem\"), lalu laporkan selesai.",
    "already_completed": "Laporan pelatihan ini sudah diterima atau sedang diperiksa operator.",
    "idempotency_key_reused": "Isi formulir berubah setelah dikirim; kirim lagi dengan formulir ini.",
    "rate_limited": "Tunggu sebentar, lalu coba lagi.",
}


def current_provider(request) -> DeskProvider:
    return provider_by_code(request.get_signed_cookie(COOKIE, default=None, salt=COOKIE)) or PROVIDERS[0]


def page(request, template: str, context: dict, status: int = 200):
    context = {"provider": current_provider(request), "providers": PROVIDERS, **context}
    return render(request, f"sandbox/provider/{template}", context, status=status)


def api_error(exc: ApiError) -> dict:
    """A refusal as the desk shows it: the contract's Indonesian message verbatim, and the code for support."""
    fields = exc.extra.get("fields")
    return {"message": exc.message, "code": exc.code, "hint": HINTS.get(exc.code, ""),
            "fields": sorted(fields.items()) if isinstance(fields, dict) else []}


def unreachable(exc: ApiUnreachable) -> dict:
    return {"message": UNREACHABLE, "code": f"http_{exc.status}" if exc.status else exc.reason}


def _record(provider: DeskProvider, token: str, kind: str, code: str, **fields) -> DeskAction:
    """The action of this form's token: created once, updated by a replay (a double click, a retry)."""
    action, _created = DeskAction.objects.update_or_create(token=token, defaults={
        "provider": provider.code, "kind": kind, "redeem_code": code, **fields})
    return action


def _refused(provider: DeskProvider, token: str, kind: str, code: str, exc: ApiError) -> None:
    _record(provider, token, kind, code, outcome="refused", error_code=exc.code[:64], error_message=exc.message[:500])


# --- forms ------------------------------------------------------------------------------

def clean_redeem_code(value: str) -> str:
    """As Prakerja reads it: spaces, dashes and case do not matter (12 characters on the dashboard)."""
    code = re.sub(r"[\s-]", "", value).upper()
    if not re.fullmatch(r"[0-9A-Z]{1,32}", code):
        raise forms.ValidationError("Kode redeem terdiri dari huruf dan angka (12 karakter di Dashboard peserta).")
    return code


class RedeemForm(TokenForm):
    redeem_code = forms.CharField(max_length=40, error_messages=REQUIRED)

    def clean_redeem_code(self):
        return clean_redeem_code(self.cleaned_data["redeem_code"])


class CompletionForm(TokenForm, ContactFields):
    redeem_code = forms.CharField(max_length=40, error_messages=REQUIRED)
    completed_at = forms.CharField(max_length=40, error_messages=REQUIRED)
    certificate_number = forms.CharField(max_length=64, error_messages=REQUIRED)
    certificate_url = forms.URLField(max_length=500, assume_scheme="https", error_messages={
        **REQUIRED, "invalid": "Alamat sertifikat harus berupa URL http(s)."})
    score = forms.IntegerField(min_value=0, max_value=100, required=False, error_messages={
        "invalid": "Nilai berupa angka 0-100.", "min_value": "Nilai berupa angka 0-100.",
        "max_value": "Nilai berupa angka 0-100."})

    def clean_redeem_code(self):
        return clean_redeem_code(self.cleaned_data["redeem_code"])

    def clean_certificate_url(self):
        url = self.cleaned_data["certificate_url"]
        if not url.lower().startswith(("http://", "https://")):  # URLField also takes ftp; the contract does not
            raise forms.ValidationError("Alamat sertifikat harus berupa URL http(s).")
        return url

    def clean_completed_at(self):
        try:
            when = datetime.fromisoformat(self.cleaned_data["completed_at"].strip())
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:
            raise forms.ValidationError("Tulis tanggal dan jam dengan zona waktu, contoh 2026-11-20T10:00:00+07:00.")
        if when > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError("Tanggal selesai tidak boleh di masa depan.")
        return when


def certificate_number_new() -> str:
    """The provider's own numbering, as "LP-2026-000123"."""
    return f"LP-{timezone.localdate().year}-{secrets.randbelow(10**6):06d}"


def now_wib() -> str:
    return timezone.now().astimezone(WIB).replace(microsecond=0).isoformat()


def _redeem_form(code: str = "") -> RedeemForm:
    return RedeemForm(initial={"token": new_token(), "redeem_code": code})


# --- pages ------------------------------------------------------------------------------

def _index(request, *, form=None, error=None, status=200):
    provider = current_provider(request)
    recent = [{"action": a, "kind": KIND_LABELS.get(a.kind, a.kind),
               "outcome": OUTCOME_LABELS.get(a.outcome, a.outcome)}
              for a in DeskAction.objects.filter(provider=provider.code)[:RECENT]]
    # Arriving from the demo shop's order page: which provider gives that training.
    course = shop_catalogue.listing(request.GET.get("kursus", "")[:32])
    organiser = provider_by_name(course.provider) if course else None
    return page(request, "index.html", {"form": form or _redeem_form(), "error": error, "recent": recent,
                                        "course": course, "organiser": organiser}, status=status)


@csrf_protect
@require_GET
def index(request):
    return _index(request)


@csrf_protect
@require_POST
def login(request):
    """The demo's "log in": pick the demo provider the desk signs as (a signed cookie, no password)."""
    chosen = provider_by_code(request.POST.get("provider")) or PROVIDERS[0]
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("provider_index")
    response = redirect(back)
    response.set_signed_cookie(COOKIE, chosen.code, salt=COOKIE, httponly=True, samesite="Lax",
                               max_age=30 * 24 * 3600)
    return response


@csrf_protect
@require_POST
def redeem(request):
    """Check a redeem code ("cek") or use it ("gunakan"): the two buttons of one form."""
    provider = current_provider(request)
    kind = "commit" if request.POST.get("aksi") == "gunakan" else "status"
    form = RedeemForm(request.POST)
    if not form.is_valid():
        return _index(request, form=form, status=400)
    token, code = form.cleaned_data["token"], form.cleaned_data["redeem_code"]
    client = provider_api(provider)
    call = client.redemption_commit if kind == "commit" else client.redemption_status
    try:
        answer = call(code, key=f"desk-{kind}-{token}")
    except ApiError as exc:
        _refused(provider, token, kind, code, exc)
        return _index(request, form=_redeem_form(code), error=api_error(exc), status=400)
    except ApiUnreachable as exc:
        # Same token, same key: pressing the button again replays the first answer if the call went through.
        return _index(request, form=form, error=unreachable(exc), status=503)
    _record(provider, token, kind, answer.get("redeem_code") or code, outcome=str(answer.get("status", ""))[:16],
            course_code=str(answer.get("course_code", ""))[:32],
            participant_name=str(answer.get("participant_name", ""))[:200], error_code="", error_message="")
    return redirect("provider_action", token=token)


@require_GET
@csrf_protect
def action(request, token: str):
    done = get_object_or_404(DeskAction, token=token)
    return page(request, "action.html", {
        "action": done, "kind": KIND_LABELS.get(done.kind, done.kind),
        "outcome": OUTCOME_LABELS.get(done.outcome, done.outcome),
        "commit_form": _redeem_form(done.redeem_code) if done.outcome == "unused" else None})


def _completion_initial(request) -> dict:
    number = certificate_number_new()
    initial = {"token": new_token(), "redeem_code": request.GET.get("kode", "")[:40], "completed_at": now_wib(),
               "certificate_number": number, "score": 85,
               "certificate_url": request.build_absolute_uri(reverse("provider_certificate", args=[number]))}
    # A demo helper: the participant as the provider's own sign-up would know them (the demo shop's accounts).
    who = next((s for s in shop_catalogue.SHOPPERS if s.user_id == request.GET.get("peserta")), None)
    if who is not None:
        initial.update(name=who.name, email=who.email, phone=who.phone)
    return initial


def _completion_page(request, form, *, error=None, status=200):
    code = form["redeem_code"].value() or ""
    return page(request, "complete.html", {"form": form, "error": error, "shoppers": shop_catalogue.SHOPPERS,
                                           "kode": code}, status=status)


@csrf_protect
@require_http_methods(["GET", "POST"])
def complete(request):
    if request.method == "GET":
        return _completion_page(request, CompletionForm(initial=_completion_initial(request)))
    provider = current_provider(request)
    form = CompletionForm(request.POST)
    if not form.is_valid():
        return _completion_page(request, form, status=400)
    data = form.cleaned_data
    token, code = data["token"], data["redeem_code"]
    try:
        answer = provider_api(provider).report_completion(
            redeem_code=code, completed_at=data["completed_at"].isoformat(),
            certificate_number=data["certificate_number"], certificate_url=data["certificate_url"],
            score=data["score"], participant={"name": data["name"], "email": data["email"], "phone": data["phone"]},
            key=f"desk-completion-{token}")
    except ApiError as exc:
        _refused(provider, token, "completion", code, exc)
        # The same details in a fresh form: this form's key is spent on the refusal.
        retry = CompletionForm(initial={**{k: form[k].value() for k in form.fields}, "token": new_token()})
        return _completion_page(request, retry, error=api_error(exc), status=400)
    except ApiUnreachable as exc:
        return _completion_page(request, form, error=unreachable(exc), status=503)
    known = (DeskAction.objects.filter(provider=provider.code, redeem_code=code).exclude(course_code="")
             .values_list("course_code", "participant_name").first()) or ("", "")
    _record(provider, token, "completion", code, outcome=str(answer.get("status", ""))[:16],
            course_code=known[0], participant_name=known[1],
            completion_id=str(answer.get("completion_id", ""))[:36], completed_at=data["completed_at"],
            certificate_number=data["certificate_number"], certificate_url=data["certificate_url"],
            score=data["score"], reported_name=data["name"], error_code="", error_message="")
    return redirect("provider_action", token=token)


@csrf_protect  # the desk's header form posts with a CSRF token: this page sets its cookie too
@require_GET
def certificate(request, number: str):
    """The provider's own certificate page: what the desk's default certificate URL points to."""
    issued = (DeskAction.objects.filter(kind="completion", certificate_number=number)
              .exclude(outcome="refused").first())
    if issued is None:
        raise Http404("no such certificate")
    return page(request, "certificate.html", {"action": issued, "issuer": provider_by_code(issued.provider)})


urlpatterns = [
    path("", index, name="provider_index"),
    path("lembaga", login, name="provider_login"),
    path("kode", redeem, name="provider_redeem"),
    path("selesai", complete, name="provider_complete"),
    path("aksi/<slug:token>", action, name="provider_action"),
    path("sertifikat/<str:number>", certificate, name="provider_certificate"),
]
