"""The participant's side of the complaints desk (CMP-1, CMP-2): parse, call one service, render.

- "Formulir Pengaduan" (``complaint_form``), for a signed-in participant (the ticket opens at once)
  and for someone locked out of their account (a code goes to the email typed; ``complaint_confirm``
  takes it back, and only then does the ticket open).
- "Pengaduanku" (``ticket_list``) and a ticket's page: to its owner signed in (``ticket_detail``), or
  to whoever holds the signed link from the emails (``ticket_by_link``); replies both ways, evidence,
  and closing a resolved ticket.
- Evidence files (``evidence_download``), to the ticket's owner, the link's holder, or an operator
  allowed to see tickets (every operator's download is audited).

Sending is limited per account, per email address and per client address (a flood from one client
behind many addresses still shares the client's bucket: ``core.http.client_ip`` believes only our
proxies). The forms carry files, so their views read the body with the evidence's own limits
(``registry.uploads.with_upload_limits``): a 20 MB upload is refused before it is read.
"""

import hashlib
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import storages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.formats import date_format
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from prakerja.complaints import evidence as evidence_files
from prakerja.complaints.categories import subcategory_label
from prakerja.complaints.forms import CodeForm, ComplaintForm, ReplyForm, first_subcategory
from prakerja.complaints.models import Author, Evidence, PendingComplaint, Source, Ticket, TicketMessage, TicketStatus
from prakerja.complaints.services import (
    CODE_LIFETIME,
    certificate_gate,
    evidence_viewed,
    pending_complaint_confirm,
    pending_complaint_start,
    ticket_close_by_participant,
    ticket_from_token,
    ticket_link,
    ticket_open,
    ticket_reply_participant,
)
from prakerja.core.errors import DomainError
from prakerja.core.http import client_ip
from prakerja.core.ratelimit import Exceeded, Limit, consume_all
from prakerja.registry.errors import retry_time
from prakerja.registry.selectors import profile_of
from prakerja.registry.uploads import UploadLimits, refusal_response, with_upload_limits

PER_PAGE = 20
REPLIES_PER_TICKET_PER_HOUR = 20
VIEW_TICKET = "complaints.view_ticket"


def evidence_upload_limits() -> UploadLimits:
    """COMPLAINT_EVIDENCE_FILES files, each a photo (5 MB) or a PDF (COMPLAINT_PDF_MAX_BYTES), and the text."""
    largest = max(settings.PHOTO_MAX_BYTES, settings.COMPLAINT_PDF_MAX_BYTES)
    mb = largest // (1024 * 1024)
    return UploadLimits(
        body_bytes=settings.COMPLAINT_EVIDENCE_FILES * largest + 256 * 1024, file_bytes=largest,
        # Called per request, in the request's language (registry.uploads.with_upload_limits).
        body_message=_("The form was not sent: it is larger than %(n)s files of %(mb)s MB each. Choose smaller "
                       "files and send the form again.") % {"n": settings.COMPLAINT_EVIDENCE_FILES, "mb": mb},
        file_message=_("A file is larger than %(mb)s MB. Choose a smaller file.") % {"mb": mb})


uploads = with_upload_limits(evidence_upload_limits)


# --- limits -------------------------------------------------------------------------------------

def _subject(email: str) -> str:
    # Keyed, not the address itself: the cache is no place for personal data.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{email.strip().lower()}".encode()).hexdigest()[:32]


def _complaint_limits(request, *, user, email: str) -> list[tuple[Limit, str | None]]:
    return [(Limit("complaints-account", settings.COMPLAINTS_PER_ACCOUNT_PER_DAY, 86400),
             str(user.public_id) if user is not None else None),
            (Limit("complaints-email", settings.COMPLAINTS_PER_EMAIL_PER_DAY, 86400), _subject(email)),
            (Limit("complaints-client", settings.COMPLAINTS_PER_CLIENT_PER_HOUR, 3600), client_ip(request))]


def _reply_limits(request, ticket) -> list[tuple[Limit, str | None]]:
    return [(Limit("complaint-replies-ticket", REPLIES_PER_TICKET_PER_HOUR, 3600), str(ticket.public_id)),
            (Limit("complaint-replies-client", settings.COMPLAINTS_PER_CLIENT_PER_HOUR, 3600), client_ip(request))]


def _too_many(response, exceeded: Exceeded):
    response.status_code = 429
    response["Retry-After"] = http_date(exceeded.retry_at.timestamp())
    return response


def _field(form, field: str | None) -> str | None:
    if field == "category":  # one select holds both (forms.py)
        field = "subcategory"
    return field if field in form.fields else None


def _private(response):
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


# --- the form -------------------------------------------------------------------------------------

def _category_note(gate) -> str:
    if gate is None:
        return _("A certificate complaint is accepted once 7 business days have passed since the provider reported "
                 "your training as finished.")
    if gate.open:
        return ""
    if gate.opens_on is None:
        return _("A certificate complaint is about a training you have redeemed and finished; we found none without "
                 "a certificate on this account.")
    return _("A certificate can take up to 7 business days to appear. You can file a certificate complaint from "
             "%(day)s.") % {"day": date_format(gate.opens_on, "j F Y")}


def _initial(request, user) -> dict:
    initial = {"subcategory": first_subcategory(request.GET.get("kategori", "")[:40])}
    if user is not None:
        profile = profile_of(user)
        initial.update(name=user.full_name, phone=profile.phone if profile.phone_verified_at else "")
    return initial


def _form_page(request, form, user, status=200):
    response = render(request, "complaints/form.html", {
        "form": form, "signed_in": user is not None, "account_email": user.email if user is not None else ""},
        status=status)
    return _private(response)


@uploads
@require_http_methods(["GET", "POST"])
def complaint_form(request):
    """"Formulir Pengaduan"."""
    user = request.user if request.user.is_authenticated else None
    gate = certificate_gate(user) if user is not None else None
    kwargs = {"signed_in": user is not None, "category_note": _category_note(gate)}
    if request.method != "POST":
        return _form_page(request, ComplaintForm(initial=_initial(request, user), **kwargs), user)
    # Set by the upload handler when it stopped reading the body: what was read is partial.
    refusal = getattr(request, "upload_refusal", None)
    if refusal is not None and refusal.field is None:
        return refusal_response(request, refusal)
    form = ComplaintForm(request.POST, request.FILES, **kwargs)
    if refusal is not None:
        form.add_error(_field(form, refusal.field), refusal.message)
        return _form_page(request, form, user, status=413)
    if not form.is_valid():
        return _form_page(request, form, user)
    data = form.cleaned_data
    email = user.email if user is not None else data["email"]
    # Counted before the files are decoded: a flood costs no decoding once it is over the limit.
    if (exceeded := consume_all(_complaint_limits(request, user=user, email=email))) is not None:
        form.add_error(None, _("You have sent too many complaints. Try again after %(time)s WIB.")
                       % {"time": retry_time(exceeded.retry_at)})
        return _too_many(_form_page(request, form, user), exceeded)
    fields = {"name": data["name"], "phone": data["phone"], "category": form.category,
              "subcategory": data["subcategory"], "description": data["description"]}
    try:
        checked = evidence_files.evidence_check(data["evidence"])
        with evidence_files.stored(checked) as files:
            if user is not None:
                ticket = ticket_open(user=user, email=email, consent=data["consent"], evidence=files, **fields)
            else:
                pending = pending_complaint_start(email=email, data={**fields, "consent": data["consent"]},
                                                  evidence=files)
    except DomainError as exc:
        form.add_error(_field(form, exc.field), exc.message)
        return _form_page(request, form, user)
    if user is None:
        return redirect("complaint_confirm", pending.public_id)
    messages.success(request, _("We received your complaint. Your ticket number is %(number)s: quote it whenever "
                                "you contact us.") % {"number": ticket.number})
    return redirect("complaint_ticket", ticket.public_id)


def _masked(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:2]}{'*' * max(3, len(local) - 2)}@{domain}"


def _link_path(ticket) -> str:
    return urlsplit(ticket_link(ticket)).path


@require_http_methods(["GET", "POST"])
def complaint_confirm(request, public_id):
    """The code from the email: the locked-out person's ticket opens, and its page (by signed link) shows its number."""
    pending = PendingComplaint.objects.filter(public_id=public_id).only("email", "expires_at", "ticket_id").first()
    if pending is None:
        raise Http404
    if pending.ticket_id is not None and request.method == "GET":
        # Already confirmed (the back button, a second tab). This address is no way into the ticket:
        # it may sit in a browser's history; the ticket's link came by email.
        messages.info(request, _("This complaint was already sent. Open it from the link in the email we sent you."))
        return redirect("complaint_form")
    form = CodeForm(request.POST or None)
    ended = False
    if request.method == "POST" and form.is_valid():
        try:
            ticket = pending_complaint_confirm(public_id=pending.public_id, code=form.cleaned_data["code"])
        except DomainError as exc:
            ended = exc.code != "code_wrong"  # expired, used up, or refused: fill in the form again
            form.add_error(_field(form, exc.field), exc.message)
        else:
            messages.success(request, _("We received your complaint. Your ticket number is %(number)s: quote it "
                                        "whenever you contact us.") % {"number": ticket.number})
            return redirect(_link_path(ticket))
    response = render(request, "complaints/confirm.html", {
        "form": form, "email": _masked(pending.email), "ended": ended,
        "minutes": int(CODE_LIFETIME.total_seconds() // 60)})
    return _private(response)


# --- tickets ----------------------------------------------------------------------------------------

@login_required
@require_GET
def ticket_list(request):
    """"Pengaduanku": the participant's tickets, newest first, 20 a page."""
    tickets = (Ticket.objects.filter(user=request.user).order_by("-created_at", "-pk")
               .only("public_id", "number", "category", "subcategory", "status", "created_at", "updated_at"))
    page = Paginator(tickets, PER_PAGE).get_page(request.GET.get("page"))
    return _private(render(request, "complaints/list.html", {"page": page, "tickets": page.object_list}))


@uploads
@login_required
@require_http_methods(["GET", "POST"])
def ticket_detail(request, public_id):
    ticket = get_object_or_404(Ticket, public_id=public_id, user=request.user)  # someone else's: 404
    return _ticket_page(request, ticket, actor=request.user, token=None)


@uploads
@require_http_methods(["GET", "POST"])
def ticket_by_link(request, token):
    """The same page for whoever holds the link from the emails, signed in or not."""
    ticket = ticket_from_token(token)
    if ticket is None:
        raise Http404
    # The link was emailed to the ticket's address: for a ticket on an account, the account's owner.
    response = _ticket_page(request, ticket, actor=ticket.user, token=token)
    # The link is the key: never sent to another site (their logs). Not "no-referrer": the browser
    # would then send "Origin: null" with the reply form, and the CSRF check would refuse it.
    response["Referrer-Policy"] = "same-origin"
    return response


def _here(ticket, token) -> str:
    return reverse("complaint_ticket_link", args=[token]) if token else reverse("complaint_ticket",
                                                                                args=[ticket.public_id])


def _ticket_page(request, ticket, *, actor, token):
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        refusal = getattr(request, "upload_refusal", None)
        if refusal is not None and refusal.field is None:
            return refusal_response(request, refusal)
        if request.POST.get("action") == "close":
            try:
                ticket_close_by_participant(ticket_id=ticket.pk, user=actor)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("The ticket is closed. Thank you."))
            return redirect(_here(ticket, token))
        form = ReplyForm(request.POST, request.FILES)
        if refusal is not None:
            form.add_error(_field(form, refusal.field), refusal.message)
            status = 413
        elif form.is_valid():
            sent = _reply(request, form, ticket, actor)
            if sent is True:
                messages.success(request, _("Your message was sent to the complaints desk."))
                return redirect(_here(ticket, token))
            status = sent or 200
    return _private(render(request, "complaints/ticket.html", _ticket_context(ticket, form, token), status=status))


def _reply(request, form, ticket, actor):
    """True when sent; else the status to answer with (the reason is on the form)."""
    closed = ticket.status == TicketStatus.CLOSED  # the service says why; nothing to count or decode
    if not closed and (exceeded := consume_all(_reply_limits(request, ticket))) is not None:
        form.add_error(None, _("You have sent too many messages. Try again after %(time)s WIB.")
                       % {"time": retry_time(exceeded.retry_at)})
        return 429
    try:
        checked = [] if closed else evidence_files.evidence_check(form.cleaned_data["evidence"])
        with evidence_files.stored(checked) as files:
            ticket_reply_participant(ticket_id=ticket.pk, user=actor, body=form.cleaned_data["body"],
                                     evidence=files)
    except DomainError as exc:
        form.add_error(_field(form, exc.field), exc.message)
        return 409 if exc.code == "ticket_closed" else 200
    return True


def _ticket_context(ticket, form, token) -> dict:
    thread = list(TicketMessage.objects.filter(ticket=ticket).order_by("created_at", "id")
                  .only("public_id", "author", "body", "created_at"))
    by_message: dict = {}
    for item in Evidence.objects.filter(ticket=ticket).order_by("created_at", "id").only(
            "public_id", "message_id", "original_name", "content_type", "size"):
        item.url = (reverse("complaint_link_evidence", args=[token, item.public_id]) if token
                    else reverse("complaint_evidence", args=[item.public_id]))
        by_message.setdefault(item.message_id, []).append(item)
    for message in thread:
        message.files = by_message.get(message.pk, [])
    return {"ticket": ticket, "subcategory": subcategory_label(ticket.subcategory), "thread": thread,
            "opening_files": by_message.get(None, []), "form": form, "token": token, "Author": Author,
            "Status": TicketStatus, "system": ticket.source == Source.SYSTEM, "action": _here(ticket, token)}


# --- evidence ---------------------------------------------------------------------------------------

def _file_response(evidence):
    content_type = (evidence.content_type if evidence.content_type in evidence_files.CONTENT_TYPES
                    else "application/octet-stream")
    response = FileResponse(storages["private"].open(evidence.file, "rb"), as_attachment=True,
                            filename=evidence.original_name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _ticket_evidence(public_id):
    return (Evidence.objects.select_related("ticket").only("public_id", "file", "original_name", "content_type",
                                                           "ticket__public_id", "ticket__number", "ticket__user_id")
            .filter(public_id=public_id, ticket__isnull=False).exclude(file="").first())  # "": erased (PRV-8)


@login_required
@require_GET
def evidence_download(request, public_id):
    """An evidence file: to the ticket's owner; to an operator who may see tickets, audited; else nothing."""
    evidence = _ticket_evidence(public_id)
    user = request.user
    if user.is_staff:
        if not user.has_perm(VIEW_TICKET):
            raise PermissionDenied  # audited as operator.denied (audit.middleware)
        if evidence is None:
            raise Http404
        evidence_viewed(actor=user, evidence=evidence)
        return _file_response(evidence)
    if evidence is None or evidence.ticket.user_id != user.pk:
        raise Http404  # never say whether it exists
    return _file_response(evidence)


@require_GET
def link_evidence_download(request, token, public_id):
    ticket = ticket_from_token(token)
    evidence = _ticket_evidence(public_id)
    if ticket is None or evidence is None or evidence.ticket_id != ticket.pk:
        raise Http404
    response = _file_response(evidence)
    response["Referrer-Policy"] = "same-origin"
    return response
