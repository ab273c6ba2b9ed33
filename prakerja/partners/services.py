"""Partner accounts and their secrets (TRN-1, TRN-2)."""

import hmac
import secrets as random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.audit.services import audit_record
from prakerja.core.errors import DomainError
from prakerja.partners import signing
from prakerja.partners.models import Partner, PartnerKind, PartnerSecret
from prakerja.registry import crypto


class PartnerError(DomainError):
    pass


@dataclass(frozen=True)
class Credentials:
    client_code: str
    secret: str  # shown once; we keep it encrypted


def _new_secret() -> str:
    return random.token_urlsafe(32)


def partner_create(*, kind: str, code: str, name: str, actor, secret: str | None = None, **fields) -> Credentials:
    """A new partner and its first secret (``secret`` fixed only for the demo and tests)."""
    if kind not in PartnerKind.values:
        raise PartnerError("partner_kind_invalid", _("The type must be platform or provider."), field="kind")
    partner = Partner(kind=kind, code=code, name=name, **fields)
    partner.full_clean()
    secret = secret or _new_secret()
    with transaction.atomic():
        if Partner.objects.filter(code=code).exists():
            raise PartnerError("partner_code_taken", _("A partner with this client code already exists."),
                               field="code")
        partner.save()
        PartnerSecret.objects.create(partner=partner, secret_encrypted=crypto.encrypt(secret))
        audit_record(actor=actor, action="partner.create", target=partner, data={"kind": kind, "code": code})
    return Credentials(partner.code, secret)


def partner_secret_rotate(*, partner: Partner, actor, now=None) -> Credentials:
    """A new current secret; the old one keeps verifying for PARTNER_SECRET_GRACE, then stops."""
    now = now or timezone.now()
    secret = _new_secret()
    with transaction.atomic():
        Partner.objects.select_for_update().get(pk=partner.pk)  # two rotations at once: one after the other
        forget_partner(partner.code)
        partner.secrets.filter(retires_at__isnull=True).update(retires_at=now + settings.PARTNER_SECRET_GRACE)
        # A secret retired earlier and still in its grace stops now: at most two verify at any time.
        partner.secrets.filter(retires_at__gt=now + settings.PARTNER_SECRET_GRACE).update(retires_at=now)
        PartnerSecret.objects.create(partner=partner, secret_encrypted=crypto.encrypt(secret))
        audit_record(actor=actor, action="partner.rotate_secret", target=partner,
                     data={"grace_hours": settings.PARTNER_SECRET_GRACE.total_seconds() / 3600})
    return Credentials(partner.code, secret)


def current_secret(partner: Partner) -> str:
    return crypto.decrypt(partner.secrets.get(retires_at__isnull=True).secret_encrypted)


# --- who signs: read on every partner call, so kept in the shared cache -------------------------

def _auth_key(code: str) -> str:
    return f"partner-auth:v1:{code}"


def partner_for_signature(code: str, *, now=None, _retry: bool = True) -> tuple[Partner | None, list[str]]:
    """The enabled partner with this client code and the secrets that verify now (current first).

    Every partner call needs them; the cache (Redis in production) keeps
    the partner row and its secrets' ciphertexts, never a secret in clear,
    so a call costs one cache read instead of two queries. Any change to a
    partner or its secrets through the models or these services forgets the
    entry (``forget_partner``); it also expires after a minute.
    """
    now = now or timezone.now()
    entry = cache.get(_auth_key(code))
    if entry is None:
        partner = Partner.objects.filter(code=code).first()
        rows = list(partner.secrets.filter(Q(retires_at__isnull=True) | Q(retires_at__gt=now))
                    .values_list("secret_encrypted", "retires_at")) if partner else []
        entry = (partner, rows)
        cache.set(_auth_key(code), entry, 60)
    partner, rows = entry
    if partner is None or not partner.enabled:
        return None, []
    live = sorted((row for row in rows if row[1] is None or row[1] > now), key=lambda row: row[1] is not None)
    try:
        return partner, [crypto.decrypt(token) for token, _retires in live]
    except crypto.DecryptionError:
        # Cached before rotate_personal_data re-encrypted the secrets, and the old key is gone since: read afresh.
        cache.delete(_auth_key(code))
        if _retry:
            return partner_for_signature(code, now=now, _retry=False)
        raise


def forget_partner(code: str) -> None:
    """Drop the cached entry now and again after the commit (a reader in between may have cached the old)."""
    cache.delete(_auth_key(code))
    transaction.on_commit(lambda: cache.delete(_auth_key(code)))


def signature_valid(partner: Partner, *, timestamp: str, method: str, path: str, body: bytes,
                    given: str, secrets: list[str] | None = None) -> bool:
    """Does ``given`` sign this request under a secret that verifies now? Compared in constant time."""
    valid = False
    if secrets is None:  # what verifies now, as a signed request finds it
        secrets = partner_for_signature(partner.code)[1]
    for secret in secrets:
        expected = signing.signature(secret, client_code=partner.code, timestamp=timestamp, method=method,
                                     path=path, body=body)
        valid |= hmac.compare_digest(expected, given)
    return valid


def idempotency_records_prune(*, now=None, batch: int = 10_000) -> int:
    """Delete the answers kept for replays once partners can no longer retry (PARTNER_IDEMPOTENCY_DAYS).

    In batches by id, each its own short statement, so a big backlog never
    holds a long transaction. The records hold voucher codes: keeping them
    longer than a retry needs only keeps more to protect. Returns the count.
    """
    from prakerja.partners.models import IdempotencyRecord

    cutoff = (now or timezone.now()) - timedelta(days=settings.PARTNER_IDEMPOTENCY_DAYS)
    deleted = 0
    while True:
        ids = list(IdempotencyRecord.objects.filter(created_at__lt=cutoff).order_by("id")
                   .values_list("id", flat=True)[:batch])
        if not ids:
            return deleted
        deleted += IdempotencyRecord.objects.filter(id__in=ids).delete()[0]
