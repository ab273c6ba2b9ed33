"""A supplementary wave ("gelombang tambahan", WAV-1) whose quota is the places revocation gave back (CRD-5).

Here and not in waves: the count comes from cards' revocations, and waves
stands below cards (tests/platform/test_layers.py). The wave itself is made
by waves' own ``wave_save``, with its validation and audit row.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prakerja.audit.models import AuditEntry
from prakerja.audit.services import audit_record
from prakerja.cards.operator_selectors import revoked_places
from prakerja.core.errors import DomainError
from prakerja.regions.models import Province
from prakerja.waves.models import Wave, WaveKind
from prakerja.waves.services import wave_save

ACTION = "wave.supplementary_create"


class SupplementaryRefused(DomainError):
    pass


def supplementary_wave_create(*, actor, from_wave: Wave, number: int, opens_at, closes_at, announce_at,
                              per_province: bool = True) -> Wave:
    """Create a supplementary wave whose national quota is ``from_wave``'s revoked places.

    With ``per_province`` each province gets back its own revoked places as
    its quota, and only those provinces are eligible; without it the places
    form one national pool open to every province. The places of one wave
    are reused once: a second supplementary wave from the same wave is
    refused (the audit trail records each reuse). Raises ValidationError
    from ``wave_validate`` (times, number, overlap) and SupplementaryRefused.
    """
    with transaction.atomic():
        # The source wave's lock orders two operators reusing the same places.
        source = Wave.objects.select_for_update().get(pk=from_wave.pk)
        if AuditEntry.objects.filter(action=ACTION, data__from_wave=source.number).exists():
            raise SupplementaryRefused("already_reused", _("The revoked places of wave %(n)s were already reused "
                                                           "by a supplementary wave.") % {"n": source.number})
        rows = revoked_places(wave=source)
        total = sum(row["revoked"] for row in rows)
        if total == 0:
            raise SupplementaryRefused("nothing_revoked", _("Wave %(n)s has no revoked places to reuse.")
                                       % {"n": source.number})
        if Wave.objects.filter(number=number).exists():  # wave_validate leaves this to the unique index
            raise ValidationError({"number": _("Wave %(n)s already exists.") % {"n": number}})
        quotas = {row["province__code"]: row["revoked"] for row in rows} if per_province else {}
        provinces = list(Province.objects.filter(code__in=quotas)) if per_province else []
        wave = wave_save(actor=actor, wave=None, number=number, kind=WaveKind.SUPPLEMENTARY, opens_at=opens_at,
                         closes_at=closes_at, announce_at=announce_at, national_quota=total, provinces=provinces,
                         province_quotas=quotas)
        audit_record(actor=actor, action=ACTION, target=wave, data={
            "from_wave": source.number, "national_quota": total, "province_quotas": quotas,
            "per_province": per_province})
    return wave
