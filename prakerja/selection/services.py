"""The selection run (SEL-1..5) and the announcement (WAV-6).

The run decides every application of a closed wave with a handful of
set-based statements the database executes; Python never loops over the
applicants. Each stage is one transaction that also records itself as done,
so a run killed half-way resumes at the first stage not recorded, and a run
started again after it finished changes nothing: the same seed gives the
same draw. A lease on the run row keeps two workers from running it at once.

Stages, in order, each deciding only applications no earlier stage decided:

- start: the wave records that its selection started, so its applications
  still in play are selecting (WAV-3) without a write to each row, and the
  planner gets fresh statistics;
- SEL-1: the identity is not verified by the civil registry;
- SEL-2: age on the wave's closing day (WIB) outside the programme's range;
  the NIK on an active exclusion list (formal education, the groups excluded
  by law, and other social assistance where the programme excludes it);
- SEL-3: a past or revoked participant; then the family card (KK) cap:
  counting participants of earlier waves, a family's members beyond the cap
  are out, those with the lowest (priority, key) going on to the draw;
- SEL-4: the draw. A province with its own quota is a pool of its own; every
  other province shares the national pool, whose places are the national
  quota less the provincial ones. Within a pool, priority first (a priority
  list, or a declared employment status operators chose), then ascending
  key; the first ``quota`` pass, the rest are not drawn.

Each row is written once, by the stage that decides it, with its draw key,
SHA-256("<seed>:<pseudonym>") as hex (computed where a stage needs it, not
stored first). While a stage runs it holds the wave's row, and whoever
changes an application of the wave (a withdrawal) takes the row first
(``waves.services.wave_hold_for_application_change``): no application changes
under a stage, and nothing outside the wave waits.

docs/verify_draw.py recomputes SEL-4 from the published seed and CSV.
"""

import hashlib
import secrets
import time
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import structlog
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prakerja.audit.services import audit_record
from prakerja.cards.services.issuance import issuance_schedule
from prakerja.core.errors import DomainError
from prakerja.notifications.bulk import CHANNELS, messages_insert_select, texts_rendered
from prakerja.programme.selectors import active_programme
from prakerja.registry.crypto import decrypt, encrypt
from prakerja.selection.models import Announcement, ListKind, NikListVersion, PriorityStatus, RunStatus, SelectionRun
from prakerja.selection.sql import order_key_hex_sql, sha256_hex_sql, sha256_order_sql
from prakerja.waves import services as wave_services
from prakerja.waves.models import Application, ProvinceQuota, Wave
from prakerja.waves.states import ApplicationStatus as S

log = structlog.get_logger(__name__)
WIB = ZoneInfo("Asia/Jakarta")
LEASE = timedelta(minutes=10)
STAGES = ["start", "SEL-1", "SEL-2", "SEL-3", "SEL-4", "report"]
# PostgreSQL, per stage (SET LOCAL): enough for the draw's sort and the joins' hashes of a
# national wave to stay in memory; the default 4 MB spills them to disk.
STAGE_WORK_MEM = "256MB"

# Reason codes and what the person reads after "Kamu Belum Berhasil" (Indonesian, stored).
REASONS = {
    "nik_unverified": "NIK tidak terverifikasi",
    "age": "Usia tidak memenuhi ketentuan program",
    "past_participant": "Sudah pernah menjadi penerima Kartu Prakerja",
    "revoked": "Kepesertaan Kartu Prakerja pernah dicabut",
    "kk_cap": "Jumlah penerima dalam satu Kartu Keluarga sudah mencapai batas",
    "not_drawn": "Tidak terpilih dalam pengundian kuota gelombang ini",
}


def list_reason(name: str) -> str:
    return f"Terdaftar sebagai {name}"


class SelectionRefused(DomainError):
    """Why a selection, a reveal or a publication cannot start now."""


# --- seeds (SEL-4) ------------------------------------------------------------------------
def seed_new() -> tuple[str, str, str]:
    """A fresh seed: (seed, its encrypted form, its published SHA-256 commitment)."""
    seed = secrets.token_hex(32)
    return seed, encrypt(seed), hashlib.sha256(seed.encode()).hexdigest()


def _seed_of(wave: Wave) -> str:
    seed = decrypt(wave.seed_encrypted)
    if hashlib.sha256(seed.encode()).hexdigest() != wave.seed_commitment:
        raise SelectionRefused("seed_mismatch", _("The wave's seed does not match its published commitment."))
    return seed


def seed_reveal(*, actor, wave: Wave) -> Wave:
    """Publish the seed, only once the run is done: a seed known before the draw could steer it."""
    with transaction.atomic():
        wave = Wave.objects.select_for_update().get(pk=wave.pk)
        run = SelectionRun.objects.filter(wave=wave).first()
        if run is None or run.status != RunStatus.DONE:
            raise SelectionRefused("seed_before_run", _("The seed is revealed only after the selection has run."))
        if not wave.seed:
            wave.seed, wave.seed_revealed_at = _seed_of(wave), timezone.now()
            wave.save(update_fields=["seed", "seed_revealed_at"])
            audit_record(actor=actor, action="wave.seed_reveal", target=wave)
    return wave


# --- the run (SEL-5) -----------------------------------------------------------------------
def selection_start(*, actor, wave: Wave, now=None) -> SelectionRun:
    """Claim the wave's run (creating it the first time). Refused while another holds it.

    Returns the run, possibly already done: starting a finished run again
    changes nothing.
    """
    now = now or timezone.now()
    if wave.closed_at is None:
        raise SelectionRefused("wave_open", _("The wave is not closed yet."))
    with transaction.atomic():
        run, created = SelectionRun.objects.get_or_create(wave=wave, defaults={
            "started_by": actor if getattr(actor, "pk", None) else None, "lease_until": now + LEASE})
        if not created:
            if run.status == RunStatus.DONE:
                return run
            # Not a finished run: the worker that held it may have finished (and let go) since it was read.
            claimed = (SelectionRun.objects.filter(pk=run.pk).exclude(status=RunStatus.DONE)
                       .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
                       .update(lease_until=now + LEASE, status=RunStatus.RUNNING))
            if not claimed:
                run.refresh_from_db()
                if run.status == RunStatus.DONE:
                    return run
                raise SelectionRefused("running", _("The selection of this wave is already running."))
            run.refresh_from_db()
        audit_record(actor=actor, action="selection.start" if created else "selection.resume", target=wave,
                     data={"stages_done": run.stages_done})
    return run


def selection_run(*, run: SelectionRun) -> SelectionRun:
    """Run every stage not yet done, each in its own transaction; the caller holds the lease."""
    if run.status == RunStatus.DONE:
        return run
    wave = Wave.objects.get(pk=run.wave_id)
    try:
        for stage in STAGES:
            if stage in run.stages_done:
                continue
            began = time.monotonic()
            with transaction.atomic():
                locked = SelectionRun.objects.select_for_update().get(pk=run.pk)
                if stage in locked.stages_done:  # another worker got here after our lease ran out
                    run = locked
                    continue
                # The wave's row, for the stage: nothing changes an application of the wave
                # meanwhile (see wave_hold_for_application_change), and the stage reads the wave as it is now.
                wave = Wave.objects.select_for_update(no_key=True).get(pk=run.wave_id)
                if connection.vendor == "postgresql":
                    with connection.cursor() as cursor:
                        cursor.execute(f"SET LOCAL work_mem = '{STAGE_WORK_MEM}'")
                        # Each statement runs once: compiling it costs more than it saves.
                        cursor.execute("SET LOCAL jit = off")
                decided = _STAGE_FUNCTIONS[stage](wave=wave, run=locked)
                locked.stages_done = [*locked.stages_done, stage]
                locked.timings = {**locked.timings, stage: round(time.monotonic() - began, 3)}
                locked.lease_until = timezone.now() + LEASE
                if stage == "report":
                    locked.report = decided
                    locked.status, locked.finished_at, locked.lease_until = RunStatus.DONE, timezone.now(), None
                locked.save(update_fields=["stages_done", "timings", "lease_until", "report", "status",
                                           "finished_at"])
                if stage == "report":
                    audit_record(actor=None, action="selection.done", target=wave,
                                 data={"passed": decided["passed"], "eligible": decided["eligible"],
                                       "applied": decided["applied"]})
            log.info("selection_stage", wave=wave.number, stage=stage,
                     seconds=round(time.monotonic() - began, 3), decided=decided if stage != "report" else None)
            run = locked
    except Exception as exc:
        SelectionRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, last_error=repr(exc)[:2000],
                                                      lease_until=None)
        raise
    return run


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if cursor.rowcount < 0 and connection.vendor == "sqlite":
            # Python's sqlite3 gives no row count for a statement that starts with WITH.
            cursor.execute("SELECT changes()")
            return cursor.fetchone()[0]
        return cursor.rowcount


def _undecided(alias: str = "") -> str:
    """SQL: the row ``alias`` is an application of the wave (one parameter) still undecided.

    Still in play: stored as processing (or joined: a join that committed as the wave closed), or as
    selecting by a run from before Wave.selection_started_at; all are selecting once the run started.
    """
    a = f"{alias}." if alias else ""
    return f"{a}wave_id = %s AND {a}status IN ('joined', 'processing', 'selecting') AND {a}decided_stage = ''"


_UNDECIDED = _undecided()


def _key(pseudonym: str) -> str:
    """SQL for the draw key of ``pseudonym`` (a column); its one parameter is "<seed>:" (``_key_prefix``)."""
    return sha256_hex_sql(connection.vendor, f"%s || {pseudonym}")


def _order_key(pseudonym: str) -> str:
    """SQL that sorts as the draw key of ``pseudonym`` does (``sha256_order_sql``); one parameter, as ``_key``."""
    return sha256_order_sql(connection.vendor, f"%s || {pseudonym}")


def _bytewise(expression: str) -> str:
    """Group and sort hex blind indexes (family cards) byte by byte: on PostgreSQL the "C" collation (the
    same order for hex, and sorts without the locale's rules); SQLite compares bytes already."""
    return f'{expression} COLLATE "C"' if connection.vendor == "postgresql" else expression


def _key_prefix(wave: Wave) -> str:
    return f"{_seed_of(wave)}:"


def _fail(*, wave: Wave, stage: str, code: str, reason: str, where: str, params: list) -> int:
    """Decide "failed" for the undecided rows matching ``where``: each row is written once, here, with its key."""
    return _execute(
        f"UPDATE waves_application SET status = 'failed', decided_stage = %s, reason_code = %s, "  # noqa: S608  # nosec B608
        f"status_reason = %s, decided_at = %s, draw_key = {_key('pseudonym')} WHERE {_UNDECIDED} AND ({where})",
        [stage, code, reason, timezone.now(), _key_prefix(wave), wave.pk, *params])


def _stage_start(*, wave: Wave, run: SelectionRun) -> int:
    """The wave's applications in play become selecting (WAV-3): one row written, the wave's."""
    _seed_of(wave)  # a seed that does not match its commitment stops the run before anything is decided
    selecting = wave_services.wave_start_selection(actor=None, wave=wave)
    if connection.vendor == "postgresql":
        # The closing sweep has just rewritten the wave and lists may just have been imported:
        # without fresh statistics the planner can take a million rows for a few. Only the tables'
        # owner may analyze them (PostgreSQL 15, 16): another role gets a warning and nothing else.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE waves_application, selection_niklistentry")
    return selecting


def _stage_identity(*, wave: Wave, run: SelectionRun) -> int:
    return _fail(wave=wave, stage="SEL-1", code="nik_unverified", reason=REASONS["nik_unverified"],
                 where="NOT EXISTS (SELECT 1 FROM registry_profile p WHERE p.user_id = waves_application.user_id "
                       "AND p.identity_status = 'verified')", params=[])


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _stage_basic_rules(*, wave: Wave, run: SelectionRun) -> int:
    programme = active_programme()
    closing_day = wave.closes_at.astimezone(WIB).date()
    decided = 0
    # Age: the clear birth year and month decide almost everyone in SQL; the
    # few born in the boundary month (or with no clear year) are decided from
    # the encrypted birth date, one by one.
    youngest = _years_before(closing_day, programme.min_age)  # born on or before: old enough
    too_young_ym = youngest.year * 12 + youngest.month
    conditions, params = ["(p.birth_year * 12 + p.birth_month) > %s"], [too_young_ym]
    boundary = ["p.birth_year IS NULL", "(p.birth_year * 12 + p.birth_month) = %s"]
    boundary_params = [too_young_ym]
    oldest = None
    if programme.max_age is not None:
        oldest = _years_before(closing_day, programme.max_age + 1)  # born after: young enough
        oldest_ym = oldest.year * 12 + oldest.month
        conditions.append("(p.birth_year * 12 + p.birth_month) < %s")
        params.append(oldest_ym)
        boundary.append("(p.birth_year * 12 + p.birth_month) = %s")
        boundary_params.append(oldest_ym)
    out_of_range = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, p.birth_date_encrypted FROM waves_application a JOIN registry_profile p "  # noqa: S608  # nosec B608
            f"ON p.user_id = a.user_id WHERE {_undecided('a')} "
            f"AND ({' OR '.join(boundary)})", [wave.pk, *boundary_params])
        for application_id, encrypted in cursor.fetchall():
            born = date.fromisoformat(decrypt(encrypted)) if encrypted else None
            if born is None or born > youngest or (oldest is not None and born <= oldest):
                out_of_range.append(application_id)
    for start in range(0, len(out_of_range), 500):
        ids = out_of_range[start:start + 500]
        decided += _fail(wave=wave, stage="SEL-2", code="age", reason=REASONS["age"],
                         where=f"id IN ({', '.join(['%s'] * len(ids))})", params=ids)
    # Then the clear ages and the exclusion lists (each matched by the NIK's keyed hash) in one pass
    # over the profiles and one write per row: the age first, then the first list in order.
    versions = [v for v in NikListVersion.objects.filter(is_current=True, nik_list__is_active=True,
                                                         nik_list__kind=ListKind.EXCLUSION)
                .select_related("nik_list").order_by("nik_list__social_assistance", "nik_list__code")
                if programme.exclude_social_assistance or not v.nik_list.social_assistance]
    outcomes = [("age", REASONS["age"])] + [(f"list:{v.nik_list.code}", list_reason(v.nik_list.name))
                                            for v in versions]
    code_sql = "CASE x.k " + " ".join(["WHEN %s THEN %s"] * len(outcomes)) + " END"
    codes = [value for k, (code, _reason) in enumerate(outcomes) for value in (k, code)]
    reasons = [value for k, (_code, reason) in enumerate(outcomes) for value in (k, reason)]
    listed, listed_params = "SELECT CAST(NULL AS TEXT) AS nik_index, CAST(NULL AS INTEGER) AS k WHERE 1 = 0", []
    if versions:
        listed = ("SELECT nik_index, MIN(CASE version_id " + " ".join(["WHEN %s THEN %s"] * len(versions))  # noqa: S608  # nosec B608
                  + f" END) AS k FROM selection_niklistentry WHERE version_id IN ({', '.join(['%s'] * len(versions))}) "
                  "GROUP BY nik_index")
        listed_params = [value for k, v in enumerate(versions, 1) for value in (v.pk, k)] + [v.pk for v in versions]
    too_old_or_young = " OR ".join(conditions)
    decided += _execute(
        f"UPDATE waves_application SET status = 'failed', decided_stage = 'SEL-2', reason_code = {code_sql}, "  # noqa: S608  # nosec B608
        f"status_reason = {code_sql}, decided_at = %s, draw_key = {_key('waves_application.pseudonym')} "
        f"FROM (SELECT p.user_id AS user_id, CASE WHEN {too_old_or_young} THEN 0 ELSE l.k END AS k "
        f"FROM registry_profile p LEFT JOIN ({listed}) l ON l.nik_index = p.nik_index AND p.nik_index <> '' "
        f"WHERE ({too_old_or_young}) OR l.k IS NOT NULL) x "
        f"WHERE waves_application.user_id = x.user_id AND {_undecided('waves_application')}",
        [*codes, *reasons, timezone.now(), _key_prefix(wave), *params, *listed_params, *params, wave.pk])
    return decided


def _stage_never_twice(*, wave: Wave, run: SelectionRun) -> int:
    decided = 0
    for code, status in (("revoked", S.REVOKED), ("past_participant", S.PASSED)):
        decided += _fail(wave=wave, stage="SEL-3", code=code, reason=REASONS[code],
                         where="user_id IN (SELECT o.user_id FROM waves_application o WHERE o.status = %s "
                               "AND o.wave_id <> %s)", params=[status, wave.pk])
    cap = active_programme().max_recipients_per_kk
    priority, priority_params = _priority("p")
    # Only families with more members than places left are ranked (most have one or two): the
    # family's applications are read once, counted, and the crowded ones sorted.
    decided += _execute(
        "WITH prior AS (SELECT p2.kk_index AS kk, COUNT(*) AS n FROM waves_application a2 "  # noqa: S608  # nosec B608
        "JOIN registry_profile p2 ON p2.user_id = a2.user_id WHERE a2.status IN ('passed', 'revoked') "
        "AND a2.wave_id <> %s AND p2.kk_index <> '' GROUP BY p2.kk_index), "
        f"family AS (SELECT a.id AS id, p.kk_index AS kk, CASE WHEN {priority} THEN 1 ELSE 0 END AS prio, "
        "a.pseudonym AS pseudonym FROM waves_application a JOIN registry_profile p ON p.user_id = a.user_id "
        f"WHERE {_undecided('a')} AND p.kk_index <> ''), "
        "crowded AS (SELECT f.kk AS kk, COALESCE(MAX(prior.n), 0) AS n FROM family f "
        "LEFT JOIN prior ON prior.kk = f.kk GROUP BY f.kk HAVING COUNT(*) + COALESCE(MAX(prior.n), 0) > %s), "
        f"ranked AS (SELECT f.id AS id, ROW_NUMBER() OVER (PARTITION BY {_bytewise('f.kk')} "
        f"ORDER BY f.prio DESC, {_order_key('f.pseudonym')}) AS rn, c.n AS n "
        "FROM family f JOIN crowded c ON c.kk = f.kk) "
        "UPDATE waves_application SET status = 'failed', decided_stage = 'SEL-3', reason_code = 'kk_cap', "
        f"status_reason = %s, decided_at = %s, draw_key = {_key('pseudonym')} "
        f"WHERE {_UNDECIDED} AND id IN (SELECT id FROM ranked WHERE rn + n > %s)",
        [wave.pk, *priority_params, wave.pk, cap, _key_prefix(wave), REASONS["kk_cap"], timezone.now(),
         _key_prefix(wave), wave.pk, cap])
    return decided


def _priority(profile: str) -> tuple[str, list]:
    """SEL-4's tiers as SQL on the applicant's profile row ``profile``: on an active priority list, or a
    declared employment status chosen by operators. Computed where it is used, never a pass of its own."""
    versions = list(NikListVersion.objects.filter(is_current=True, nik_list__is_active=True,
                                                  nik_list__kind=ListKind.PRIORITY).values_list("pk", flat=True))
    statuses = list(PriorityStatus.objects.filter(is_active=True).values_list("employment_status", flat=True))
    conditions, params = [], []
    if versions:
        placeholders = ", ".join(["%s"] * len(versions))  # placeholders only; the values are parameters
        conditions.append(f"EXISTS (SELECT 1 FROM selection_niklistentry e WHERE e.nik_index = {profile}.nik_index "  # noqa: S608  # nosec B608
                          f"AND {profile}.nik_index <> '' AND e.version_id IN ({placeholders}))")
        params += versions
    if statuses:
        conditions.append(f"{profile}.employment_status IN ({', '.join(['%s'] * len(statuses))})")
        params += statuses
    return f"({' OR '.join(conditions) or '1 = 0'})", params


def national_pool_quota(wave: Wave) -> int:
    provincial = sum(ProvinceQuota.objects.filter(wave=wave).values_list("quota", flat=True))
    return max(0, wave.national_quota - provincial)


def _stage_draw(*, wave: Wave, run: SelectionRun) -> int:
    """The draw: every remaining row written once, in one UPDATE in id order: passed or not drawn,
    with its priority and key. On PostgreSQL the sorts carry the 32-byte digest, not the 64-character
    hex key, which is encoded as the row is written (at 1,000,000: 108 MB to sort, not 155 MB)."""
    priority, priority_params = _priority("p")
    return _execute(
        "WITH keyed AS (SELECT a.id AS id, "  # noqa: S608  # nosec B608
        f"CASE WHEN {priority} THEN 1 ELSE 0 END AS prio, {_order_key('a.pseudonym')} AS k, "
        "COALESCE(q.province_id, 0) AS pool, COALESCE(q.quota, %s) AS quota "
        "FROM waves_application a JOIN registry_profile p ON p.user_id = a.user_id "
        "LEFT JOIN waves_provincequota q ON q.wave_id = a.wave_id AND q.province_id = a.province_id "
        f"WHERE {_undecided('a')}), "
        "drawn AS (SELECT id, prio, k, CASE WHEN ROW_NUMBER() OVER (PARTITION BY pool ORDER BY prio DESC, k) "
        "<= quota THEN 1 ELSE 0 END AS passed FROM keyed) "
        "UPDATE waves_application SET status = CASE WHEN d.passed = 1 THEN 'passed' ELSE 'failed' END, "
        "decided_stage = 'SEL-4', reason_code = CASE WHEN d.passed = 1 THEN 'drawn' ELSE 'not_drawn' END, "
        "status_reason = CASE WHEN d.passed = 1 THEN '' ELSE %s END, decided_at = %s, priority = (d.prio = 1), "
        f"draw_key = {order_key_hex_sql(connection.vendor, 'd.k')} FROM (SELECT * FROM drawn ORDER BY id) d "
        f"WHERE waves_application.id = d.id AND {_undecided('waves_application')}",
        [*priority_params, _key_prefix(wave), national_pool_quota(wave), wave.pk, REASONS["not_drawn"],
         timezone.now(), wave.pk])


def _stage_report(*, wave: Wave, run: SelectionRun) -> dict:
    from prakerja.selection.selectors import run_report

    return run_report(wave=wave)


_STAGE_FUNCTIONS = {"start": _stage_start, "SEL-1": _stage_identity, "SEL-2": _stage_basic_rules,
                    "SEL-3": _stage_never_twice, "SEL-4": _stage_draw, "report": _stage_report}


def selection_run_wave(*, actor, wave: Wave) -> SelectionRun:
    """Start (or resume) and run to the end: what the command, the task and the operator's button call."""
    run = selection_start(actor=actor, wave=wave)
    return selection_run(run=run)


def waves_select_due() -> list[int]:
    """The schedule: every closed wave with no finished run, and no live lease, is selected."""
    done = []
    for wave in Wave.objects.filter(closed_at__isnull=False).exclude(selection_run__status=RunStatus.DONE):
        try:
            selection_run_wave(actor=None, wave=wave)
        except SelectionRefused:
            continue
        done.append(wave.number)
    return done


# --- the announcement (WAV-6) ------------------------------------------------------------
CHUNK = 20_000


def selection_request(*, actor, wave: Wave) -> None:
    """An operator's "start the selection": audited here, run by a worker (one at a time, under the lease)."""
    if wave.closed_at is None:
        raise SelectionRefused("wave_open", _("The wave is not closed yet."))
    run = SelectionRun.objects.filter(wave=wave).first()
    if run is not None and run.status == RunStatus.DONE:
        raise SelectionRefused("done", _("The selection of this wave has already run."))
    if run is not None and run.lease_until is not None and run.lease_until > timezone.now():
        raise SelectionRefused("running", _("The selection of this wave is already running."))
    from prakerja.selection.tasks import run_selection

    with transaction.atomic():
        audit_record(actor=actor, action="selection.request", target=wave)
        transaction.on_commit(lambda: run_selection(wave.pk))


def results_publish(*, actor, wave: Wave, now=None) -> Announcement:
    """Publish a wave's results: from now on they show, the seed is revealed, and everyone is told.

    At the announcement time the schedule calls this (``actor`` None); an
    operator with the permission may publish earlier. The fan-out runs after
    the commit, in chunks (``announcement_continue``).
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(pk=wave.pk)
        run = SelectionRun.objects.filter(wave=locked).first()
        if run is None or run.status != RunStatus.DONE:
            raise SelectionRefused("run_not_done", _("The selection of this wave has not finished yet."))
        existing = Announcement.objects.filter(wave=locked).first()
        if existing is not None:
            return existing
        locked.results_published_at = now
        locked.save(update_fields=["results_published_at"])
        seed_reveal(actor=actor, wave=locked)
        announcement = Announcement.objects.create(
            wave=locked, published_by=actor if getattr(actor, "pk", None) else None,
            total=Application.objects.filter(wave=locked, status__in=[S.PASSED, S.FAILED]).count())
        audit_record(actor=actor, action="wave.results_publish", target=locked,
                     data={"early": now < locked.announce_at, "applications": announcement.total})
        # CRD-1: the passed get their cards after the announcement, in chunks of their own.
        issuance_schedule(wave=locked)
    from prakerja.selection.tasks import continue_announcement

    transaction.on_commit(lambda: continue_announcement(announcement.pk))
    return announcement


def _rendered(wave: Wave) -> dict:
    """Every text of the announcement, rendered once per outcome and language (none names a person)."""
    return {"passed": texts_rendered("wave_passed", {"n": wave.number}),
            "failed": texts_rendered("wave_failed", {"n": wave.number}, parts=("subject", "inbox"))}


_APPLICATIONS = "waves_application a JOIN accounts_user u ON u.id = a.user_id"


def _insert_messages(*, wave: Wave, after: int, last: int, texts: dict, now) -> list[int]:
    """One chunk's inbox rows (everyone) and SMS and email rows (the passed), written by the database.

    The chunk is the wave's decided applications with ``after < id <= last``;
    each is keyed ``wave-result:<application id>``. Returns the email and SMS
    ids to deliver.
    """
    queued = []
    for outcome, channels in (("passed", CHANNELS), ("failed", ("inbox",))):
        to_deliver, _users = messages_insert_select(
            template=f"wave_{outcome}", key=("wave-result:", ""), key_id="a.id", source=_APPLICATIONS,
            where="a.wave_id = %s AND a.id > %s AND a.id <= %s AND a.status = %s",
            params=[wave.pk, after, last, outcome], texts=texts[outcome], channels=channels, now=now)
        queued += to_deliver
    return queued


def announcement_continue(*, announcement: Announcement, chunk_size: int = CHUNK) -> Announcement:
    """Tell everyone, a chunk at a time; each chunk commits its messages with its position.

    A crash mid-chunk rolls the chunk back, so nothing is lost or repeated;
    the unique (idempotency key, channel) on messages would stop a repeat
    anyway. Resumable by whoever holds the lease next.
    """
    now = timezone.now()
    if not Announcement.objects.filter(pk=announcement.pk, finished_at__isnull=True).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(lease_until=now + LEASE):
        return Announcement.objects.get(pk=announcement.pk)  # finished, or another worker has it
    wave = Wave.objects.get(pk=announcement.wave_id)
    texts = _rendered(wave)
    from prakerja.notifications.selectors import forget_unread_counts
    from prakerja.notifications.tasks import deliver_messages

    while True:
        with transaction.atomic():
            current = Announcement.objects.select_for_update().get(pk=announcement.pk)
            after = current.last_application_id
            rows = list(Application.objects.filter(wave=wave, status__in=[S.PASSED, S.FAILED], pk__gt=after)
                        .order_by("pk").values_list("pk", "user_id", "status")[:chunk_size])
            if not rows:
                current.finished_at, current.lease_until = timezone.now(), None
                current.save(update_fields=["finished_at", "lease_until"])
                audit_record(actor=None, action="wave.results_announced", target=wave, data={"told": current.done})
                return current
            last = rows[-1][0]
            # Written with the chunk's position in one transaction: a crash loses the whole chunk
            # or none of it, and the next worker starts after the last chunk committed.
            queued = _insert_messages(wave=wave, after=after, last=last, texts=texts, now=timezone.now())
            current.done += len(rows)
            current.last_application_id = last
            current.lease_until = timezone.now() + LEASE
            current.save(update_fields=["done", "last_application_id", "lease_until"])
            users = [user for _pk, user, _status in rows]
            transaction.on_commit(lambda users=users: forget_unread_counts(users))
            if queued:
                transaction.on_commit(lambda queued=queued: deliver_messages(queued))
        log.info("announcement_chunk", wave=wave.number, done=current.done, total=current.total)


def waves_publish_due(*, now=None) -> list[int]:
    """The schedule: publish every wave whose announcement time has come and whose run is done."""
    now = now or timezone.now()
    published = []
    for wave in Wave.objects.filter(announce_at__lte=now, results_published_at__isnull=True,
                                    selection_run__status=RunStatus.DONE):
        results_publish(actor=None, wave=wave, now=now)
        published.append(wave.number)
    for announcement in Announcement.objects.filter(finished_at__isnull=True).filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now)):
        announcement_continue(announcement=announcement)
    return published
