"""REG-5: a mobile number proven by a 6-digit SMS code.

The code is stored only as an HMAC. It lives OTP_LIFETIME; OTP_MAX_WRONG
wrong codes lock the verification for OTP_LOCK; a new code can be asked for
after OTP_RESEND_AFTER, at most OTP_MAX_SENDS times, then the lock applies.
"""

import hmac
import secrets

import phonenumbers
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from prakerja.core.ratelimit import Limit, consume_all
from prakerja.notifications.services import notification_send
from prakerja.registry.crypto import blind_index
from prakerja.registry.errors import RegistryError, retry_time
from prakerja.registry.models import PhoneVerification, Profile
from prakerja.registry.services.progress import profile_for_update, profile_refresh_completion

MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalise_phone(raw: str) -> str:
    """E.164 for an Indonesian mobile number, or a RegistryError."""
    try:
        number = phonenumbers.parse((raw or "").strip(), "ID")
    except phonenumbers.NumberParseException as exc:
        raise RegistryError("phone_invalid", _("Enter a mobile number such as 0812 3456 7890."), "phone") from exc
    if (number.country_code != 62 or not phonenumbers.is_valid_number(number)
            or phonenumbers.number_type(number) not in MOBILE_TYPES):
        raise RegistryError("phone_not_mobile", _("Enter an Indonesian mobile number such as 0812 3456 7890."),
                            "phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _hash(verification_id, code: str) -> str:
    return blind_index(f"otp:{verification_id}", code)


def _locked(verification: PhoneVerification, now) -> RegistryError | None:
    if verification.locked_until and verification.locked_until > now:
        until = formats.time_format(timezone.localtime(verification.locked_until), "H:i")
        return RegistryError("otp_locked", _("Too many attempts. Try again after %(time)s WIB.") % {"time": until},
                             "code")
    return None


def _send_limits(actor, client: str | None) -> list[tuple[Limit, str | None]]:
    return [(Limit("otp-account", settings.OTP_SENDS_PER_ACCOUNT_PER_DAY, 86400), str(actor.public_id)),
            (Limit("otp-client", settings.OTP_SENDS_PER_CLIENT_PER_HOUR, 3600), client)]


def phone_send_code(*, actor, phone: str, client: str | None = None) -> PhoneVerification:
    """Send a code to ``phone`` (a new number, or again to the same one).

    Besides the per-number resend rules, sends are capped per account across
    all numbers and per client: each code is an SMS the programme pays for,
    and a fresh number must not bring a fresh budget (SMS pumping).
    """
    phone = normalise_phone(phone)
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    # Outermost on purpose: a lock set by the last allowed resend is refused
    # after this transaction commits, so the refusal cannot roll the lock back.
    with transaction.atomic(durable=True):
        profile = profile_for_update(actor)
        if profile.phone_verified_at and profile.phone == phone:
            raise RegistryError("phone_done", _("This number is already verified."), "phone")
        if Profile.objects.filter(phone=phone, phone_verified_at__isnull=False).exclude(pk=profile.pk).exists():
            raise RegistryError("phone_taken", _("This number is already used by another account."), "phone")
        verification = (PhoneVerification.objects.select_for_update()
                        .filter(user=actor, phone=phone, verified_at__isnull=True).order_by("-created_at").first())
        lock = _resend_lock(verification, now) if verification is not None else None
        if lock is None:
            verification = _send(actor=actor, phone=phone, verification=verification, code=code, now=now,
                                 client=client)
    if lock is not None:
        raise lock
    return verification


def _resend_lock(verification: PhoneVerification, now) -> RegistryError | None:
    """Refuse a resend that comes too soon or too often; the last allowed one sets the lock."""
    if (locked := _locked(verification, now)) is not None:
        raise locked
    wait = verification.last_sent_at + settings.OTP_RESEND_AFTER - now
    if wait.total_seconds() > 0:
        raise RegistryError("otp_wait", _("Wait %(n)d seconds before asking for a new code.")
                            % {"n": int(wait.total_seconds()) + 1}, "phone")
    if verification.sends >= settings.OTP_MAX_SENDS:
        verification.locked_until = now + settings.OTP_LOCK
        verification.sends = 0
        verification.save(update_fields=["locked_until", "sends"])
        return _locked(verification, now)
    return None


def _send(*, actor, phone: str, verification: PhoneVerification | None, code: str, now, client) -> PhoneVerification:
    if verification is not None:
        verification.sends += 1
        verification.wrong_attempts = 0
        verification.locked_until = None
    else:
        verification = PhoneVerification(user=actor, phone=phone, sends=1)
    if (exceeded := consume_all(_send_limits(actor, client))) is not None:
        raise RegistryError("otp_too_many", _("Too many codes were requested. Try again after %(time)s WIB.")
                            % {"time": retry_time(exceeded.retry_at)}, "phone")
    verification.last_sent_at = now
    verification.expires_at = now + settings.OTP_LIFETIME
    verification.code_hash = _hash(verification.public_id, code)  # public_id is set before the first save
    if verification.pk is None:
        verification.save()
    else:
        verification.save(update_fields=["sends", "wrong_attempts", "locked_until", "last_sent_at", "expires_at",
                                         "code_hash"])
    # One message per send: ``sends`` starts again at 1 after a lock, so it cannot key the message.
    notification_send(template="phone_otp", key=f"otp:{verification.public_id}:{now.isoformat()}",
                      channels=["sms"], user=actor, phone=phone, context={"code": code}, sensitive=True)
    return verification


def phone_verify(*, actor, code: str, phone: str | None = None) -> Profile:
    """Check ``code`` against the number it was sent to.

    ``phone`` is the number the page said the code went to; without it, the
    number that was sent a code last. Never the row created last: after
    sending to A, then B, then A again, A's fresh code must match A's row.
    """
    now = timezone.now()
    code = (code or "").strip()
    # Outermost on purpose: a wrong code is counted, committed, then refused;
    # inside a caller's transaction the refusal would roll the count back.
    wrong = None
    with transaction.atomic(durable=True):
        profile = profile_for_update(actor)
        rows = PhoneVerification.objects.select_for_update().filter(user=actor, verified_at__isnull=True)
        if phone:
            try:
                rows = rows.filter(phone=normalise_phone(phone))
            except RegistryError:
                rows = rows.none()
        verification = rows.order_by("-last_sent_at", "-pk").first()
        if verification is None:
            raise RegistryError("otp_none", _("Ask for a code first."), "code")
        if (locked := _locked(verification, now)) is not None:
            raise locked
        if verification.expires_at <= now:
            raise RegistryError("otp_expired", _("This code has expired. Ask for a new code."), "code")
        if not (len(code) == 6 and code.isdigit()
                and hmac.compare_digest(verification.code_hash, _hash(verification.public_id, code))):
            verification.wrong_attempts += 1
            fields = ["wrong_attempts"]
            if verification.wrong_attempts >= settings.OTP_MAX_WRONG:
                verification.locked_until = now + settings.OTP_LOCK
                fields.append("locked_until")
            verification.save(update_fields=fields)
            left = settings.OTP_MAX_WRONG - verification.wrong_attempts
            wrong = (_locked(verification, now) if left <= 0 else
                     RegistryError("otp_wrong", _("Wrong code. %(n)d attempts left.") % {"n": left}, "code"))
        else:
            verification.verified_at = now
            verification.save(update_fields=["verified_at"])
            profile.phone = verification.phone
            profile.phone_verified_at = now
            try:
                with transaction.atomic():
                    profile.save(update_fields=["phone", "phone_verified_at"])
            except IntegrityError as exc:
                raise RegistryError("phone_taken", _("This number is already used by another account."),
                                    "code") from exc
            profile_refresh_completion(profile_id=profile.pk)
    if wrong is not None:
        raise wrong
    return profile
