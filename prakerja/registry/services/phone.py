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


def _send_limits(user, client: str | None) -> list[tuple[Limit, str | None]]:
    return [(Limit("otp-account", settings.OTP_SENDS_PER_ACCOUNT_PER_DAY, 86400), str(user.public_id)),
            (Limit("otp-client", settings.OTP_SENDS_PER_CLIENT_PER_HOUR, 3600), client)]


def phone_send_code(*, user, phone: str, client: str | None = None) -> PhoneVerification:
    """Send a code to ``phone`` (a new number, or again to the same one).

    Besides the per-number resend rules, sends are capped per account across
    all numbers and per client: each code is an SMS the programme pays for,
    and a fresh number must not bring a fresh budget (SMS pumping).
    """
    phone = normalise_phone(phone)
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    with transaction.atomic(durable=True):
        profile = profile_for_update(user)
        if profile.phone_verified_at and profile.phone == phone:
            raise RegistryError("phone_done", _("This number is already verified."), "phone")
        if Profile.objects.filter(phone=phone, phone_verified_at__isnull=False).exclude(pk=profile.pk).exists():
            raise RegistryError("phone_taken", _("This number is already used by another account."), "phone")
        verification = (PhoneVerification.objects.select_for_update()
                        .filter(user=user, phone=phone, verified_at__isnull=True).order_by("-created_at").first())
        if verification is not None:
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
                raise _locked(verification, now)
            verification.sends += 1
            verification.wrong_attempts = 0
            verification.locked_until = None
        else:
            verification = PhoneVerification(user=user, phone=phone, sends=1)
        if (exceeded := consume_all(_send_limits(user, client))) is not None:
            raise RegistryError("otp_too_many", _("Too many codes were requested. Try again after %(time)s WIB.")
                                % {"time": retry_time(exceeded.retry_at)}, "phone")
        verification.last_sent_at = now
        verification.expires_at = now + settings.OTP_LIFETIME
        verification.code_hash = ""
        verification.save()
        verification.code_hash = _hash(verification.public_id, code)
        verification.save(update_fields=["code_hash"])
        notification_send(template="phone_otp", key=f"otp:{verification.public_id}:{verification.sends}",
                          channels=["sms"], user=user, phone=phone, context={"code": code}, sensitive=True)
    return verification


def phone_verify(*, user, code: str, phone: str | None = None) -> Profile:
    """Check ``code`` against the number it was sent to.

    ``phone`` is the number the page said the code went to; without it, the
    number that was sent a code last. Never the row created last: after
    sending to A, then B, then A again, A's fresh code must match A's row.
    """
    now = timezone.now()
    code = (code or "").strip()
    wrong = None  # raised after the commit: a wrong attempt must be counted
    with transaction.atomic(durable=True):
        profile = profile_for_update(user)
        rows = PhoneVerification.objects.select_for_update().filter(user=user, verified_at__isnull=True)
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
