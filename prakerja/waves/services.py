"""Waves (WAV-1..5): operators create them, registrants join, the clock closes them."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.audit.services import audit_record
from prakerja.core.errors import DomainError
from prakerja.programme.selectors import switches
from prakerja.waves import selectors, states
from prakerja.waves.models import Application, ProvinceQuota, Wave
from prakerja.waves.states import ApplicationStatus as S


class JoinRefused(DomainError):
    """WAV-2: why this person cannot join this wave now."""


# --- operators: waves -------------------------------------------------------------------
def wave_validate(*, number: int, opens_at, closes_at, announce_at, national_quota: int, provinces,
                  province_quotas: dict, exclude_pk: int | None = None) -> None:
    """WAV-1 rules; raises ValidationError with messages per field."""
    errors: dict[str, list] = {}
    if closes_at <= opens_at:
        errors.setdefault("closes_at", []).append(_("The wave must close after it opens."))
    if announce_at < closes_at:
        errors.setdefault("announce_at", []).append(_("The announcement cannot be before the close."))
    if national_quota is None or national_quota <= 0:
        errors.setdefault("national_quota", []).append(_("The national quota must be more than zero."))
    if any(q <= 0 for q in province_quotas.values()):
        errors.setdefault("province_quotas", []).append(_("A provincial quota must be more than zero."))
    if national_quota and sum(province_quotas.values()) > national_quota:
        errors.setdefault("province_quotas", []).append(_("The provincial quotas add up to more than the national "
                                                          "quota."))
    province_codes = {p.code for p in provinces}
    if province_codes and set(province_quotas) - province_codes:
        errors.setdefault("province_quotas", []).append(_("A quota is set for a province that is not eligible."))
    if exclude_pk:
        _refuse_moving_a_closed_wave(errors, pk=exclude_pk, opens_at=opens_at, closes_at=closes_at)
    overlapping = Wave.objects.filter(opens_at__lt=closes_at, closes_at__gt=opens_at)
    if exclude_pk:
        overlapping = overlapping.exclude(pk=exclude_pk)
    for other in overlapping.prefetch_related("eligible_provinces"):
        others = {p.code for p in other.eligible_provinces.all()}
        if not province_codes or not others or province_codes & others:
            errors.setdefault("opens_at", []).append(
                _("Wave %(n)s is open at the same time for the same provinces.") % {"n": other.number})
    if errors:
        raise ValidationError(errors)


def _refuse_moving_a_closed_wave(errors: dict, *, pk: int, opens_at, closes_at) -> None:
    # Finding 14: a closed wave whose closing time moved later took joins that
    # the closing sweep, which runs once per wave, never moved on. The admin
    # shows times to the second, so an untouched field may differ below that.
    current = Wave.objects.filter(pk=pk).values("closed_at", "opens_at", "closes_at").first()
    if current is None or current["closed_at"] is None:
        return
    for field, value in (("opens_at", opens_at), ("closes_at", closes_at)):
        if value.replace(microsecond=0) != current[field].replace(microsecond=0):
            errors.setdefault(field, []).append(_("The wave is closed; its opening and closing times cannot change."))


@transaction.atomic
def wave_save(*, actor, wave: Wave | None, number: int, kind: str, opens_at, closes_at, announce_at,
              national_quota: int, provinces, province_quotas: dict) -> Wave:
    """Create or edit a wave. ``province_quotas`` maps province code to quota."""
    created = wave is None
    # The lock orders this edit with the closing sweep, which re-checks the
    # closing time in its UPDATE; and the edit writes only the fields it
    # owns, so a copy loaded before the sweep cannot clear closed_at again.
    wave = Wave() if created else Wave.objects.select_for_update().get(pk=wave.pk)
    wave_validate(number=number, opens_at=opens_at, closes_at=closes_at, announce_at=announce_at,
                  national_quota=national_quota, provinces=provinces, province_quotas=province_quotas,
                  exclude_pk=None if created else wave.pk)
    wave.number, wave.kind = number, kind
    wave.opens_at, wave.closes_at, wave.announce_at = opens_at, closes_at, announce_at
    wave.national_quota = national_quota
    if created:
        wave.save()
    else:
        wave.save(update_fields=["number", "kind", "opens_at", "closes_at", "announce_at", "national_quota"])
    wave.eligible_provinces.set(provinces)
    from prakerja.regions.models import Province

    by_code = {p.code: p for p in Province.objects.filter(code__in=province_quotas)}
    ProvinceQuota.objects.filter(wave=wave).exclude(province__code__in=province_quotas).delete()
    for code, quota in province_quotas.items():
        ProvinceQuota.objects.update_or_create(wave=wave, province=by_code[code], defaults={"quota": quota})
    transaction.on_commit(selectors.forget_open_waves)
    audit_record(actor=actor, action="wave.create" if created else "wave.update", target=wave, data={
        "number": number, "national_quota": national_quota, "province_quotas": province_quotas,
        "opens_at": opens_at.isoformat(), "closes_at": closes_at.isoformat()})
    return wave


# --- registrants: joining -------------------------------------------------------------------
def application_join(*, actor, wave: Wave, consent_version: int) -> Application:
    """WAV-2: join ``wave``. Joining the same wave twice returns the first application."""
    from prakerja.registry.selectors import identity_stands, profile_of

    existing = Application.objects.filter(wave=wave, user=actor).first()
    if existing is not None:
        if existing.status == S.WITHDRAWN:
            # One application per wave: a withdrawn one is not taken up again.
            raise JoinRefused("withdrawn", _("Your application to wave %(n)s was withdrawn. You can join the next "
                                             "wave.") % {"n": wave.number})
        return existing
    if not switches().joins_open:
        raise JoinRefused("joins_closed", _("Joining waves is closed until the next programme year."))
    profile = profile_of(actor)
    if profile.completed_at is None or profile.domicile_regency_id is None:
        raise JoinRefused("profile_incomplete", _("Complete your profile first."))
    # REG-3: a pending identity lets the person go on; a rejected one must not
    # join even if an old completion time is still set.
    if not identity_stands(profile):
        raise JoinRefused("identity", _("The civil registry did not match your identity, so you cannot join a "
                                        "wave. Correct your identity data first."))
    # WAV-6: before the barred check, whose "you already passed" would tell an
    # unpublished result; a failed person may rejoin only once it is announced.
    if (pending := selectors.result_pending(user=actor)) is not None:
        raise JoinRefused("result_pending", _("Wait for the announcement of wave %(n)s.")
                          % {"n": pending.wave.number})
    if (barred := selectors.barred_application(user=actor)) is not None:
        if barred.status == S.REVOKED:
            raise JoinRefused("revoked", _("Your participation was revoked, so you cannot join again."))
        raise JoinRefused("passed", _("You already passed in wave %(n)s; a participant can join only once.")
                          % {"n": barred.wave.number})
    if (active := selectors.active_application(user=actor)) is not None:
        if active.wave_id == wave.pk:
            return active  # a concurrent second click committed first: still harmless
        raise JoinRefused("other_wave", _("You are already in wave %(n)s. Wait for its result.")
                          % {"n": active.wave.number})
    consent = selectors.consent_current()
    if consent is None or consent.version != consent_version:
        raise JoinRefused("consent_changed", _("The agreement was updated. Read it again and agree."))
    province = profile.domicile_regency.province
    now = timezone.now()
    # The clock decides, not the page the person loaded: a join at the closing
    # second is refused (closes_at is exclusive).
    if wave.closed_at is not None or not (wave.opens_at <= now < wave.closes_at):
        raise JoinRefused("wave_closed", _("This wave is closed."))
    if wave.eligible_provinces.exists() and not wave.eligible_provinces.filter(pk=province.pk).exists():
        raise JoinRefused("province", _("This wave is not open for your province."))
    try:
        with transaction.atomic():
            return Application.objects.create(wave=wave, user=actor, province=province, consent=consent)
    except IntegrityError:
        # A second click or a second tab: the unique constraints let one row in.
        existing = Application.objects.filter(wave=wave, user=actor).first()
        if existing is not None:
            return existing
        raise JoinRefused("other_wave", _("You are already in another wave. Wait for its result."))


# --- the clock and selection: set-based transitions --------------------------------------
def _move_all(*, wave: Wave, to: str, **also) -> int:
    return Application.objects.filter(wave=wave, status__in=states.sources_of(to)).update(status=to, **also)


def waves_close_due(*, now=None) -> list[int]:
    """Close every wave whose time has come: one UPDATE per wave, idempotent."""
    now = now or timezone.now()
    closed = []
    for wave in Wave.objects.filter(closes_at__lte=now, closed_at__isnull=True):
        with transaction.atomic():
            # closes_at again: an edit that held the row may just have moved it later.
            if not Wave.objects.filter(pk=wave.pk, closed_at__isnull=True, closes_at__lte=now).update(closed_at=now):
                continue  # another worker closed it
            moved = _move_all(wave=wave, to=S.PROCESSING)
            audit_record(actor=None, action="wave.close", target=wave, data={"applications": moved})
        closed.append(wave.number)
    _sweep_stranded()
    return closed


def _sweep_stranded() -> None:
    # A join can still commit in a wave just after its sweep (it checked the
    # clock a moment before), and finding 14 left joins in closed waves whose
    # closing time had moved later. Rows are never left waiting for a close
    # that already happened; the (wave, status) index keeps this cheap.
    stranded = Application.objects.filter(wave=OuterRef("pk"), status=S.JOINED)
    for wave in Wave.objects.filter(Exists(stranded), closed_at__isnull=False):
        with transaction.atomic():
            if wave.selection_started_at is not None:
                wave_hold_for_application_change(wave.pk)  # not under a stage of its selection
            if moved := _move_all(wave=wave, to=S.PROCESSING):
                audit_record(actor=None, action="wave.close_stranded", target=wave, data={"applications": moved})


@transaction.atomic
def wave_start_selection(*, actor, wave: Wave, now=None) -> int:
    """The wave's applications still in play become selecting (WAV-3); the selection run calls this.

    No application row is written: the wave records ``selection_started_at``
    and ``states.effective`` reads processing (or a late joined) in a started
    wave as selecting. A full-table UPDATE of every application was the
    run's costliest pass. Idempotent: the first start's time stays. Returns
    how many applications are selecting.
    """
    if wave.closed_at is None:
        raise states.TransitionError("the wave is not closed yet")
    locked = Wave.objects.select_for_update(no_key=True).get(pk=wave.pk)
    if locked.selection_started_at is None:
        locked.selection_started_at = now or timezone.now()
        locked.save(update_fields=["selection_started_at"])
    wave.selection_started_at = locked.selection_started_at
    selecting = Application.objects.filter(wave=wave, status__in=states.ACTIVE).count()
    audit_record(actor=actor, action="wave.selection_start", target=wave, data={"applications": selecting})
    return selecting


def wave_hold_for_application_change(wave_id: int) -> None:
    """Wait while the wave's selection is deciding (SEL-5), then hold it off until the caller commits.

    Each stage of the run holds its wave's row (FOR NO KEY UPDATE) for the
    stage's transaction; whoever changes an application of a wave whose
    selection may be running takes the row FOR SHARE first, so no
    application changes under a stage and a stage never waits on such a
    change. Only that wave is concerned: joins and changes in other waves
    never wait. SQLite runs one writer at a time anyway.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM waves_wave WHERE id = %s FOR SHARE", [wave_id])


def application_decide(*, actor, application: Application, passed: bool, reason: str = "") -> Application:
    """SELECTING -> PASSED or FAILED with the deciding reason (SEL-5 fills these in bulk).

    ``actor`` is the selection run (or the operator) that decided; the
    decision changes a person's status, so it is audited (OPS-4).
    """
    new = S.PASSED if passed else S.FAILED
    with transaction.atomic():
        wave_hold_for_application_change(application.wave_id)
        locked = Application.objects.select_for_update().get(pk=application.pk)
        started = Wave.objects.filter(pk=locked.wave_id, selection_started_at__isnull=False).exists()
        states.check(states.effective(locked.status, started), new)
        locked.status, locked.status_reason, locked.decided_at = new, reason[:300], timezone.now()
        locked.save(update_fields=["status", "status_reason", "decided_at"])
        audit_record(actor=actor, action=f"application.{new}", target=locked, reason=reason[:300])
    return locked


def applications_withdraw_open(*, actor, user, reason) -> int:
    """REG-3: the civil registry rejected a pending identity, so the person's
    application still in play is withdrawn with the reason. Nothing is barred:
    after fixing the identity the person may join a later wave.

    Runs inside the registry's transaction (the ``identity_rejected`` signal).
    """
    reason = str(reason)[:300]
    with transaction.atomic():
        in_play = Application.objects.filter(user=user, status__in=states.sources_of(S.WITHDRAWN))
        wave_id = in_play.values_list("wave_id", flat=True).first()
        if wave_id is None:
            return 0
        # A stage of the wave's selection run holds the wave: wait for it to end
        # (SEL-5), then hold the stages off until this commits.
        wave_hold_for_application_change(wave_id)
        # The lock waits for a closing sweep or a stage that holds the row,
        # then sees its status; the database allows one active row.
        application = in_play.select_for_update(of=("self",)).select_related("wave").first()
        if application is None:
            return 0
        previous = states.effective(application.status, application.wave.selection_started_at is not None)
        states.check(previous, S.WITHDRAWN)
        application.status, application.status_reason = S.WITHDRAWN, reason
        application.save(update_fields=["status", "status_reason"])
        audit_record(actor=actor, action="application.withdraw", target=application, reason=reason,
                     data={"from": previous, "wave": application.wave.number})
    return 1


@transaction.atomic
def application_revoke(*, actor, application: Application, reason: str) -> Application:
    """CRD-5: participation revoked; the person can never join again."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    states.check(locked.status, S.REVOKED)
    locked.status, locked.status_reason = S.REVOKED, reason[:300]
    locked.save(update_fields=["status", "status_reason"])
    audit_record(actor=actor, action="application.revoke", target=locked, reason=reason)
    return locked



def applications_revoke(*, actor, application_ids: list[int], reason: str) -> int:
    """CRD-5 for many at once (the card revocation sweep): passed -> revoked, one UPDATE, one audit row.

    Runs inside the caller's transaction (a chunk of the sweep). Rows are
    locked in primary-key order; a row that is not in a status the state
    machine lets reach revoked is left as it is and not counted.
    """
    reason = str(reason)[:300]
    sources = states.sources_of(S.REVOKED)
    with transaction.atomic():
        rows = list(Application.objects.select_for_update().filter(pk__in=application_ids, status__in=sources)
                    .order_by("pk").values_list("pk", "public_id"))
        if not rows:
            return 0
        moved = (Application.objects.filter(pk__in=[pk for pk, _public in rows], status__in=sources)
                 .update(status=S.REVOKED, status_reason=reason))
        audit_record(actor=actor, action="application.revoke_many", reason=reason,
                     data={"applications": moved, "ids": [str(public) for _pk, public in rows]})
    return moved
