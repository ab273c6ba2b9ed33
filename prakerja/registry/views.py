"""The registration steps (REG-3..7): parse, call one service, render.

Every step has the same shape, in ``registration_step`` and ``_submitted``:
the step must be open, a valid POST runs one service, a refusal goes on the
form beside its field, success moves to the next open step.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from prakerja.civil.gateway import CALL_CENTRE_ADVICE, REASON_MESSAGES, Reason
from prakerja.core.http import client_ip
from prakerja.programme.selectors import active_programme
from prakerja.regions.selectors import regency_get
from prakerja.registry import forms, selectors
from prakerja.registry.errors import RegistryError
from prakerja.registry.models import IdentityStatus
from prakerja.registry.services import documents, identity, motivation, personal, phone, statement
from prakerja.registry.uploads import refusal_response


def registration_step(key):
    """A step's view: signed in, and only once every earlier step is done."""
    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            profile = selectors.profile_of(request.user)
            if not selectors.step_allowed(profile, key):
                messages.info(request, _("Finish the earlier steps first."))
                return redirect("dashboard")
            return view(request, profile, *args, **kwargs)
        return wrapper
    return decorate


class _Done:
    def __init__(self, result):
        self.result = result


def _submitted(request, form, action) -> _Done | None:
    """Run ``action(cleaned_data)`` for a valid POST; a refusal is put on the form."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return _Done(action(form.cleaned_data))
    except RegistryError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return None


def _next(request, message=None, level=messages.SUCCESS):
    if message:
        messages.add_message(request, level, message)
    profile = selectors.profile_of(request.user)
    current = next((s for s in selectors.registration_steps(profile) if s.current), None)
    return redirect(current.url if current else "dashboard")


def _page(request, template, profile, status=200, **context):
    return render(request, template, {"profile": profile, "steps": selectors.registration_steps(profile),
                                      **context}, status=status)


@registration_step("identity")
def identity_step(request, profile):
    form = forms.IdentityForm(request.POST or None, initial={"full_name": request.user.full_name})
    done = _submitted(request, form, lambda data: identity.identity_submit(
        actor=request.user, client=client_ip(request), **data))
    if done is not None:
        profile = done.result
        if profile.identity_status == IdentityStatus.VERIFIED:
            return _next(request, _("Your identity is verified by the civil registry."))
        if profile.identity_status in (IdentityStatus.PENDING, IdentityStatus.CHECKING):
            return _next(request, _("The civil registry cannot be reached right now. Your data is saved and will "
                                    "be checked automatically; you can continue."), messages.WARNING)
    reasons = [REASON_MESSAGES[Reason(r)] for r in profile.identity_reasons if r in Reason._value2member_map_]
    return _page(request, "registry/identity.html", profile, form=form, reasons=reasons, advice=CALL_CENTRE_ADVICE)


@registration_step("personal")
def personal_step(request, profile):
    initial = {"ktp_address": profile.ktp_address, "domicile_street": profile.domicile_street,
               "education": profile.education, "employment_status": profile.employment_status,
               "domicile_regency": profile.domicile_regency.code if profile.domicile_regency else ""}
    # Set by registry.uploads when it stopped reading the body; what was read is partial.
    refusal = getattr(request, "upload_refusal", None) if request.method == "POST" else None
    if refusal is not None and refusal.field is None:
        return refusal_response(request, refusal)
    form = forms.PersonalDataForm(request.POST or None, request.FILES or None, initial=initial,
                                  regency_choices=selectors.regency_choices(),
                                  selfie_with_ktp=active_programme().selfie_with_ktp)
    if refusal is not None:
        form.add_error(refusal.field, refusal.message)
        return _page(request, "registry/personal.html", profile, status=413, form=form)
    if _submitted(request, form, lambda data: personal.personal_data_save(
            actor=request.user, ktp_address=data["ktp_address"],
            domicile_regency=regency_get(code=data["domicile_regency"]), domicile_street=data["domicile_street"],
            education=data["education"], employment_status=data["employment_status"],
            ktp_photo=data["ktp_photo"] or None, selfie=data["selfie"] or None)):
        return _next(request, _("Your personal data is saved."))
    return _page(request, "registry/personal.html", profile, form=form)


@registration_step("phone")
def phone_step(request, profile):
    pending = selectors.phone_pending(request.user)
    sending = request.method == "POST" and "send" in request.POST
    phone_form = forms.PhoneForm(request.POST if sending else None,
                                 initial={"phone": pending.phone if pending else profile.phone or ""})
    code_form = forms.CodeForm(None if sending else request.POST or None)
    if sending and _submitted(request, phone_form, lambda data: phone.phone_send_code(
            actor=request.user, phone=data["phone"], client=client_ip(request))):
        messages.success(request, _("We sent a 6-digit code by SMS. It is valid for 5 minutes."))
        return redirect("registry_phone")
    if not sending and _submitted(request, code_form, lambda data: phone.phone_verify(
            actor=request.user, code=data["code"], phone=request.POST.get("phone"))):
        return _next(request, _("Your phone number is verified."))
    return _page(request, "registry/phone.html", profile, phone_form=phone_form, code_form=code_form,
                 pending=pending)


@registration_step("statement")
def statement_step(request, profile):
    current = selectors.statement_current()
    form = forms.StatementForm(request.POST or None, initial={"version": current.version if current else 0})
    if _submitted(request, form, lambda data: statement.statement_accept(actor=request.user,
                                                                         version=data["version"])):
        return _next(request, _("Your statement is saved."))
    return _page(request, "registry/statement.html", profile, form=form, statement=current)


@registration_step("test")
def test_step(request, profile):
    state = motivation.test_continue(actor=request.user)
    if state.finished_now:
        messages.success(request, _("The test is finished. Thank you."))
        return redirect("dashboard")
    context = {"attempt": state.attempt, "programme": active_programme()}
    if state.question is None:
        return _page(request, "registry/test_intro.html", profile, **context)
    return _page(request, "registry/test_question.html", profile, form=forms.AnswerForm(question=state.question),
                 question=state.question, number=state.number, total=state.total,
                 seconds_left=state.seconds_left, **context)


@require_POST
@registration_step("test")
def test_start(request, profile):
    try:
        motivation.test_start(actor=request.user)
    except RegistryError as error:
        messages.error(request, error.message)
    return redirect("registry_test")


@login_required
@require_POST
def test_answer(request):
    question = selectors.test_question(user=request.user, question_id=request.POST.get("question"))
    if question is None:
        return redirect("registry_test")
    form = forms.AnswerForm(request.POST, question=question)
    if not form.is_valid():
        messages.error(request, _("Choose one of the answers."))
        return redirect("registry_test")
    try:
        motivation.test_answer(actor=request.user, question_id=question.pk, choice_index=form.cleaned_data["choice"])
    except RegistryError as error:
        messages.error(request, error.message)
    return redirect("registry_test")


@login_required
@require_GET
def photo(request, public_id, kind):
    """A KTP photo or selfie: to its owner, or to an operator allowed to see it (audited)."""
    try:
        name = documents.identity_photo_open(actor=request.user, public_id=public_id, kind=kind,
                                             reason=request.GET.get("reason", ""))
    except RegistryError as error:
        raise Http404 from error  # never say whether the profile exists
    response = FileResponse(storages["private"].open(name), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
