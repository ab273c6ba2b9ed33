from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import storages
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from prakerja.audit.services import audit_record
from prakerja.civil.gateway import CALL_CENTRE_ADVICE, REASON_MESSAGES, Reason
from prakerja.core.http import client_ip
from prakerja.programme.selectors import active_programme
from prakerja.regions.selectors import regency_get
from prakerja.registry import forms, selectors
from prakerja.registry.errors import RegistryError
from prakerja.registry.models import IdentityStatus, Profile, Question, TestAttempt
from prakerja.registry.services import identity, motivation, personal, phone, statement


def _step_or_redirect(request, key):
    profile = selectors.profile_of(request.user)
    if not selectors.step_allowed(profile, key):
        messages.info(request, _("Finish the earlier steps first."))
        return profile, redirect("dashboard")
    return profile, None


def _apply(form, error: RegistryError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _next(request):
    profile = selectors.profile_of(request.user)
    current = next((s for s in selectors.registration_steps(profile) if s.current), None)
    return redirect(current.url if current else "dashboard")


@login_required
def identity_step(request):
    profile, away = _step_or_redirect(request, "identity")
    if away:
        return away
    form = forms.IdentityForm(request.POST or None, initial={"full_name": request.user.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            profile = identity.identity_submit(user=request.user, client=client_ip(request), **form.cleaned_data)
        except RegistryError as error:
            _apply(form, error)
        else:
            if profile.identity_status == IdentityStatus.VERIFIED:
                messages.success(request, _("Your identity is verified by the civil registry."))
                return _next(request)
            if profile.identity_status in (IdentityStatus.PENDING, IdentityStatus.CHECKING):
                messages.warning(request, _("The civil registry cannot be reached right now. Your data is saved "
                                            "and will be checked automatically; you can continue."))
                return _next(request)
    reasons = [REASON_MESSAGES[Reason(r)] for r in profile.identity_reasons if r in Reason._value2member_map_]
    return render(request, "registry/identity.html", {
        "form": form, "profile": profile, "reasons": reasons, "advice": CALL_CENTRE_ADVICE,
        "steps": selectors.registration_steps(profile)})


@login_required
def personal_step(request):
    profile, away = _step_or_redirect(request, "personal")
    if away:
        return away
    programme = active_programme()
    initial = {"ktp_address": profile.ktp_address, "domicile_street": profile.domicile_street,
               "education": profile.education, "employment_status": profile.employment_status,
               "domicile_regency": profile.domicile_regency.code if profile.domicile_regency else ""}
    # Set by registry.uploads when it stopped reading the body; what was read is partial.
    refusal = getattr(request, "upload_refusal", None) if request.method == "POST" else None
    if refusal is not None and refusal.field is None:
        from prakerja.registry.uploads import refusal_response

        return refusal_response(request, refusal)
    form = forms.PersonalDataForm(request.POST or None, request.FILES or None, initial=initial,
                                  regency_choices=selectors.regency_choices(),
                                  selfie_with_ktp=programme.selfie_with_ktp)
    if refusal is not None:
        _apply(form, refusal)
        return render(request, "registry/personal.html", {
            "form": form, "profile": profile, "steps": selectors.registration_steps(profile)}, status=413)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            personal.personal_data_save(
                user=request.user, ktp_address=data["ktp_address"],
                domicile_regency=regency_get(code=data["domicile_regency"]),
                domicile_street=data["domicile_street"], education=data["education"],
                employment_status=data["employment_status"], ktp_photo=data["ktp_photo"] or None,
                selfie=data["selfie"] or None)
        except RegistryError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Your personal data is saved."))
            return _next(request)
    return render(request, "registry/personal.html", {"form": form, "profile": profile,
                                                      "steps": selectors.registration_steps(profile)})


@login_required
def phone_step(request):
    profile, away = _step_or_redirect(request, "phone")
    if away:
        return away
    pending = selectors.phone_pending(request.user)
    phone_form = forms.PhoneForm(initial={"phone": pending.phone if pending else profile.phone or ""})
    code_form = forms.CodeForm()
    if request.method == "POST" and "send" in request.POST:
        phone_form = forms.PhoneForm(request.POST)
        if phone_form.is_valid():
            try:
                phone.phone_send_code(user=request.user, phone=phone_form.cleaned_data["phone"],
                                      client=client_ip(request))
            except RegistryError as error:
                _apply(phone_form, error)
            else:
                messages.success(request, _("We sent a 6-digit code by SMS. It is valid for 5 minutes."))
                return redirect("registry_phone")
    elif request.method == "POST":
        code_form = forms.CodeForm(request.POST)
        if code_form.is_valid():
            try:
                phone.phone_verify(user=request.user, code=code_form.cleaned_data["code"],
                                   phone=request.POST.get("phone"))
            except RegistryError as error:
                _apply(code_form, error)
            else:
                messages.success(request, _("Your phone number is verified."))
                return _next(request)
    return render(request, "registry/phone.html", {
        "phone_form": phone_form, "code_form": code_form, "profile": profile,
        "pending": pending, "steps": selectors.registration_steps(profile)})


@login_required
def statement_step(request):
    profile, away = _step_or_redirect(request, "statement")
    if away:
        return away
    current = selectors.statement_current()
    form = forms.StatementForm(request.POST or None, initial={"version": current.version if current else 0})
    if request.method == "POST" and form.is_valid():
        try:
            statement.statement_accept(user=request.user, version=form.cleaned_data["version"])
        except RegistryError as error:
            _apply(form, error)
        else:
            messages.success(request, _("Your statement is saved."))
            return _next(request)
    return render(request, "registry/statement.html", {"form": form, "statement": current, "profile": profile,
                                                       "steps": selectors.registration_steps(profile)})


@login_required
def test_step(request):
    profile, away = _step_or_redirect(request, "test")
    if away:
        return away
    attempt = TestAttempt.objects.filter(user=request.user).first()
    context = {"profile": profile, "steps": selectors.registration_steps(profile), "attempt": attempt,
               "programme": active_programme()}
    if attempt is not None and attempt.submitted_at is None and timezone.now() >= attempt.deadline:
        motivation.test_submit(attempt_id=attempt.pk, auto=True)  # the browser came back after the deadline
        attempt.refresh_from_db()
    if attempt is None or attempt.submitted_at is not None:
        return render(request, "registry/test_intro.html", context)
    answered = set(attempt.answers.values_list("question_id", flat=True))
    remaining = [pk for pk in attempt.question_ids if pk not in answered]
    if not remaining:
        motivation.test_submit(attempt_id=attempt.pk)
        messages.success(request, _("The test is finished. Thank you."))
        return redirect("dashboard")
    question = Question.objects.get(pk=remaining[0])
    form = forms.AnswerForm(question=question)
    context.update(form=form, question=question, number=len(answered) + 1, total=len(attempt.question_ids),
                   seconds_left=max(0, int((attempt.deadline - timezone.now()).total_seconds())))
    return render(request, "registry/test_question.html", context)


@login_required
@require_POST
def test_start(request):
    profile, away = _step_or_redirect(request, "test")
    if away:
        return away
    try:
        motivation.test_start(user=request.user)
    except RegistryError as error:
        messages.error(request, error.message)
    return redirect("registry_test")


@login_required
@require_POST
def test_answer(request):
    attempt = TestAttempt.objects.filter(user=request.user).first()
    question = Question.objects.filter(pk=request.POST.get("question") or 0).first()
    if attempt is None or question is None:
        return redirect("registry_test")
    form = forms.AnswerForm(request.POST, question=question)
    if not form.is_valid():
        messages.error(request, _("Choose one of the answers."))
        return redirect("registry_test")
    try:
        motivation.test_answer(user=request.user, question_id=question.pk,
                               choice_index=form.cleaned_data["choice"])
    except RegistryError as error:
        if error.code == "test_time_up":
            motivation.test_submit(attempt_id=attempt.pk, auto=True)
        messages.error(request, error.message)
    return redirect("registry_test")


@login_required
@require_GET
def photo(request, public_id, kind):
    """A KTP photo or selfie: to its owner, or to an operator allowed to see it (logged)."""
    if kind not in ("ktp", "selfie"):
        raise Http404
    profile = Profile.objects.filter(public_id=public_id).first()
    is_owner = profile is not None and profile.user_id == request.user.pk
    may_view = request.user.is_staff and request.user.has_perm("registry.view_identity_photos")
    if profile is None or not (is_owner or may_view):
        raise Http404  # never say whether the profile exists
    name = profile.ktp_photo if kind == "ktp" else profile.selfie
    if not name:
        raise Http404
    if not is_owner:
        with transaction.atomic():
            audit_record(actor=request.user, action=f"registry.photo_view.{kind}", target=profile,
                         reason=request.GET.get("reason", "")[:500])
    response = FileResponse(storages["private"].open(name), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response
