"""REG-3: NIK, KK and birth date, checked for structure, then by the civil registry.

The civil registry is called outside any database transaction, after the
entry is saved: a slow or dead registry never holds a lock or loses what the
person typed. Each check first claims the profile with a conditional UPDATE
and a lease, so the web request and the periodic re-check never ask about
the same person at once.
"""

from datetime import date, timedelta

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from prakerja.accounts.services import user_set_full_name
from prakerja.civil.gateway import (
    REASON_MESSAGES,
    CivilRegistryError,
    CivilRegistryUnavailable,
    Reason,
    VerifyRequest,
    get_civil_registry,
)
from prakerja.core.claims import stepped
from prakerja.core.ratelimit import Limit, consume_all
from prakerja.regions.selectors import regency_code_exists
from prakerja.registry import crypto
from prakerja.registry.errors import RegistryError, retry_time
from prakerja.registry.models import HOLDING_STATUSES, IDENTITY_CHECKS, IdentityStatus, Profile
from prakerja.registry.nik import NumberError, mask, parse_nik, validate_kk
from prakerja.registry.selectors import birth_date_of
from prakerja.registry.services.progress import profile_for_update, profile_refresh_completion
from prakerja.registry.signals import identity_rejected

log = structlog.get_logger(__name__)
# Re-check a pending identity after 1, 5, 15, 60 minutes, then hourly.
RECHECK_DELAYS = [timedelta(minutes=m) for m in (1, 5, 15, 60)]


def _check_numbers(*, nik: str, kk: str, birth_date: date):
    try:
        info = parse_nik(nik)
    except NumberError as exc:
        raise RegistryError(exc.code, exc.message, "nik") from exc
    try:
        kk = validate_kk(kk)
    except NumberError as exc:
        raise RegistryError(exc.code, exc.message, "kk") from exc
    if not regency_code_exists(info.regency_code):
        raise RegistryError("nik_region", _("The first digits of this NIK are not the code of a real regency or "
                                            "city. Check the NIK on your KTP."), "nik")
    if not info.matches_birth_date(birth_date):
        raise RegistryError("nik_birth_date_mismatch", _("The birth date does not match your NIK (digits 7-12). "
                                                         "Check both against your KTP."), "birth_date")
    return info, kk


def _submit_limits(user, client: str | None) -> list[tuple[Limit, str | None]]:
    return [(Limit("identity-account", settings.IDENTITY_SUBMITS_PER_ACCOUNT_PER_DAY, 86400), str(user.public_id)),
            (Limit("identity-client", settings.IDENTITY_SUBMITS_PER_CLIENT_PER_HOUR, 3600), client)]


def identity_submit(*, actor, nik: str, kk: str, birth_date: date, full_name: str,
                    client: str | None = None) -> Profile:
    """Save the identity step and ask the civil registry at once.

    Changes nothing when the numbers are malformed or the NIK belongs to
    another account. If the registry cannot be reached the step stays
    ``pending`` and the periodic re-check tries again.

    Each well-formed submission counts against a limit per account and per
    client (REG-3): every answer says something about whoever owns the NIK
    ("taken", "name does not match"), and every check spends the registry's
    budget that all registrants share.
    """
    info, kk = _check_numbers(nik=nik, kk=kk, birth_date=birth_date)
    if (exceeded := consume_all(_submit_limits(actor, client))) is not None:
        raise RegistryError("identity_too_many", _("You have tried too many times. Try again after %(time)s WIB.")
                            % {"time": retry_time(exceeded.retry_at)}, "nik")
    index = crypto.blind_index("nik", info.nik)
    taken = RegistryError("nik_taken", _("This NIK is already registered to another account. One NIK can have "
                                         "only one account; if this is your NIK, file a complaint."), "nik")
    try:
        # Outermost on purpose: the entry is committed before the registry is
        # called, so a slow registry never holds this row's lock (and a
        # caller's transaction could not see the call's outcome anyway).
        with transaction.atomic(durable=True):
            profile = profile_for_update(actor)
            if profile.identity_status == IdentityStatus.VERIFIED:
                raise RegistryError("identity_verified", _("Your identity is already verified."))
            if profile.identity_status == IdentityStatus.CHECKING:
                raise RegistryError("identity_checking", _("Your identity is being checked. Try again in a minute."))
            holders = Profile.objects.filter(nik_index=index, identity_status__in=HOLDING_STATUSES)
            if holders.exclude(pk=profile.pk).exists():
                raise taken
            user_set_full_name(user=actor, full_name=full_name)
            now = timezone.now()
            profile.nik_encrypted = crypto.encrypt(info.nik)
            profile.nik_index = index
            profile.nik_masked = mask(info.nik)
            profile.kk_encrypted = crypto.encrypt(kk)
            profile.kk_index = crypto.blind_index("kk", kk)
            profile.birth_date_encrypted = crypto.encrypt(birth_date.isoformat())
            profile.birth_year, profile.birth_month = birth_date.year, birth_date.month
            profile.female = info.female
            profile.identity_status = IdentityStatus.PENDING
            profile.identity_reasons = []
            profile.identity_submitted_at = profile.identity_next_check_at = now
            profile.identity_check_attempts = 0
            profile.save(update_fields=[
                "nik_encrypted", "nik_index", "nik_masked", "kk_encrypted", "kk_index", "birth_date_encrypted",
                "birth_year", "birth_month", "female", "identity_status", "identity_reasons", "identity_submitted_at",
                "identity_next_check_at", "identity_check_attempts"])
    except IntegrityError as exc:  # another account claimed the same NIK a moment ago
        raise taken from exc
    identity_check(profile_id=profile.pk)
    profile.refresh_from_db()
    return profile




def identity_check(*, profile_id: int) -> str | None:
    """Ask the civil registry about one pending identity; returns the new status.

    Safe to run twice and concurrently: only the caller whose UPDATE claims
    the row calls out.
    """
    if not IDENTITY_CHECKS.claim(profile_id):
        return None
    profile = Profile.objects.select_related("user").get(pk=profile_id)
    request = VerifyRequest(nik=crypto.decrypt(profile.nik_encrypted), kk=crypto.decrypt(profile.kk_encrypted),
                            name=profile.user.full_name, birth_date=birth_date_of(profile))
    attempt = profile.identity_check_attempts
    try:
        result = get_civil_registry().verify(request)
    except (CivilRegistryUnavailable, CivilRegistryError) as exc:
        # A misconfigured key (CivilRegistryError) is the operators' problem,
        # not the registrant's: keep the entry pending and keep retrying.
        delay = stepped(attempt, RECHECK_DELAYS)
        IDENTITY_CHECKS.retry(profile_id, attempt, delay=delay)
        log.warning("identity_check_deferred", profile=str(profile.public_id), error=type(exc).__name__,
                    attempt=attempt, retry_in=delay.total_seconds())
        return IdentityStatus.PENDING
    status = IdentityStatus.VERIFIED if result.matched else IdentityStatus.REJECTED
    with transaction.atomic():
        updated = IDENTITY_CHECKS.finish(profile_id, attempt, status=status, identity_next_check_at=None,
                                identity_reasons=[str(r) for r in result.reasons],
                                identity_checked_at=timezone.now())
        if updated and status == IdentityStatus.VERIFIED:
            profile_refresh_completion(profile_id=profile_id)
            if attempt > 1:
                _notify(profile, "identity_verified")
        elif updated:
            _reject(profile, result.reasons)
    log.info("identity_checked", profile=str(profile.public_id), status=status)
    return status


def _reject(profile: Profile, reasons) -> None:
    """REG-3: a pending identity the registry turns down after the person moved on.

    The profile is incomplete again (REG-8 is undone), an open application
    is withdrawn with the reason, and the person is told by inbox and email.
    """
    was_complete = Profile.objects.filter(pk=profile.pk, completed_at__isnull=False).update(completed_at=None)
    # Stored as text for the person (the withdrawn application's reason): in
    # their language, whatever language this worker or request has active.
    with translation.override(profile.user.language or settings.LANGUAGE_CODE):
        reason = str(_("The civil registry did not match your data: %(reasons)s.") % {
            "reasons": ", ".join(str(REASON_MESSAGES[Reason(r)]) for r in reasons if r in Reason._value2member_map_)
            or _("no match")})
    withdrawn = sum(count or 0 for _receiver, count in
                    identity_rejected.send(sender=Profile, user=profile.user, reason=reason))
    if profile.identity_check_attempts > 1 or was_complete or withdrawn:
        _notify(profile, "identity_rejected", withdrawn=bool(withdrawn))


def _notify(profile: Profile, template: str, **context) -> None:
    # A check that ran while the person watched the page needs no message.
    from prakerja.notifications.services import notification_send

    notification_send(template=template, key=f"{template}:{profile.identity_submitted_at.isoformat()}",
                      channels=["inbox", "email"], user=profile.user, context=context)

