"""The selection at national scale (issue 16): synthetic waves written straight into the database, the real run.

    python -m bench.selection                      # everything, as `make bench` runs it (bench/run.py)
    python -m bench.selection --engine postgres --applications 10000000 --list-entries 1000000
    python -m bench.selection --engine sqlite --applications 1000000
    python -m bench.selection --engine postgres --applications 1000000 --fanout

For each engine a fresh database is made (PostgreSQL: prakerja_bench_selection
on 127.0.0.1:5432, dropped at the end unless BENCH_SELECTION_KEEP=1; SQLite:
bench/results/selection-sqlite/prakerja.sqlite3, the embedded default's own
settings) and migrated, and a wave is generated in SQL, in bulk (PostgreSQL:
INSERT ... SELECT FROM generate_series, with the loaded tables' secondary
indexes and foreign keys dropped and rebuilt; SQLite: the same statements over
a recursive CTE). Every applicant has an account, a complete profile (real
Fernet tokens where the platform keeps them, so rows are as wide as real
ones) and a province from the real regencies. The mixture:

- ~3% identity not verified (pending, rejected, not started);
- ~2% too young on the closing day, 0.5% born in the boundary month (half of
  them too young to the day: the run decrypts their birth date; the tokens
  are real Fernet tokens of real dates, a few thousand made once and shared
  by birth month), 0.1% with no birth date at all;
- the exclusion lists: the entries are split over two current, ready
  versions (formal education, and PKH, which the active semi-bansos preset
  excludes), half of them NIKs of applicants (one applicant in
  n / (entries / 2)), half NIKs of nobody;
- ~1% passed and ~0.2% revoked in an earlier wave (3.8% failed there);
- 40% of people share a family card four at a time at most (so some
  families have 3 or 4 applicants; cap 2, earlier participants count);
- ~5% laid off (the priority status the migrations seed), the rest spread
  over the other employment statuses;
- a national quota of 10% of the applicants, and provincial quotas of 8% of
  their applicants for three provinces.

The run is the real one (selection_run_wave) in a fresh Python process, so
its peak RSS (ru_maxrss) is the run's own; its timings are the run's. On
PostgreSQL a hand-written SQL reference computes the same decisions (stage,
and passed or not) in one SELECT without writing anything back, and must
agree with the run count for count. The announcement fan-out (results_publish
then announcement_continue until done: an inbox row for everyone, SMS and
email rows for the passed) is timed on a PostgreSQL wave of
BENCH_SELECTION_FANOUT decided applications, in a process of its own.

Knobs: BENCH_SELECTION=0 skips all of it (bench/run.py);
BENCH_SELECTION_APPLICATIONS (PostgreSQL, 10,000,000),
BENCH_SELECTION_LIST_ENTRIES (1,000,000), BENCH_SELECTION_SQLITE_APPLICATIONS
(1,000,000), BENCH_SELECTION_SQLITE_LIST_ENTRIES (100,000),
BENCH_SELECTION_FANOUT (1,000,000; 0 skips), BENCH_SELECTION_RUNS (3: the
wave is put back to "processing" and vacuumed between runs),
BENCH_SELECTION_KEEP=1 keeps the databases. At the default sizes the selection part
of `make bench` takes over an hour on 2 cores (three runs of 10 million).

Generation time is printed and reported, never part of a measured figure.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
PG_DB = "prakerja_bench_selection"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
SQLITE_DIR = RESULTS / "selection-sqlite"
TARGETS = {"postgres_s": 90, "sqlite_s": 60, "peak_rss_mib": 500, "fanout_s": 60}

# The generated wave: closes on 15 June 2025, 10:00 WIB. The active preset
# (semi-bansos) has a minimum age of 18 and no maximum: born on or before
# 15 June 2007 is old enough, June 2007 is the boundary month.
CLOSES = datetime(2025, 6, 15, 3, 0, tzinfo=UTC)
BOUNDARY_T = 2007 * 12 + 5  # year * 12 + month - 1
OLDEST_T = 1961 * 12
YOUNG_MONTHS = 30  # the too young: born July 2007 .. December 2009
DAYS = (1, 10, 20, 28)  # birth days a month's tokens hold: 20 and 28 June 2007 are too young
P = 1_000_003  # a prime: u(k) = i * A_k mod P, cheap pseudo-random draws the same on both engines
A = {"age": 7919, "month": 104729, "identity": 15485863 % P, "past": 32452843 % P, "kk": 49979687 % P,
     "work": 67867967 % P, "region": 86028121 % P}


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def environment(engine: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "prakerja.settings", "PYTHONPATH": str(ROOT),
           "DEBUG": "false", "LOG_LEVEL": "WARNING", "PRAKERJA_BENCH": "true"}
    for name in ("DATABASE_URL", "REDIS_URL", "PRAKERJA_VAR_DIR", "HUEY_IMMEDIATE"):
        env.pop(name, None)
    if engine == "postgres":
        # Redis db 13: nobody consumes the queue there, so the fan-out's
        # deliveries stay queued (they are not part of the figure).
        env.update(DATABASE_URL=PG_URL, REDIS_URL="redis://127.0.0.1:6379/13")
    else:
        env.update(PRAKERJA_VAR_DIR=str(SQLITE_DIR))
    return env


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-qAtc", sql],
                          check=True, capture_output=True, text=True).stdout.strip()


def child(engine: str, *args: str) -> dict:
    """Run one step in a fresh Python process; its last stdout line is its JSON result."""
    out = subprocess.run([PY, "-m", "bench.selection", "--step", *args], cwd=ROOT, env=environment(engine),
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def fresh_database(engine: str) -> None:
    if engine == "postgres":
        psql(f"DROP DATABASE IF EXISTS {PG_DB}")
        psql(f"CREATE DATABASE {PG_DB}")
    else:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
        SQLITE_DIR.mkdir(parents=True)
    subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=environment(engine), check=True)


def drop_database(engine: str) -> None:
    if os.environ.get("BENCH_SELECTION_KEEP") == "1":
        return
    if engine == "postgres":
        psql(f"DROP DATABASE IF EXISTS {PG_DB}")
    else:
        shutil.rmtree(SQLITE_DIR, ignore_errors=True)
    subprocess.run(["redis-cli", "-n", "13", "flushdb"], check=False, stdout=subprocess.DEVNULL)


# --- steps, each in its own process -------------------------------------------------------
def _setup():
    import django

    django.setup()
    from django.db import connection

    return connection


def _peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _lit(prefix: str, expression: str) -> str:
    """SQL for the text '<prefix>' || expression."""
    return f"'{prefix}' || {expression}"


def _u(column: str, key: str) -> str:
    return f"(({column} * {A[key]}) % {P})"


def step_generate(n: int, entries: int) -> dict:
    """Write the waves straight into the (freshly migrated) database."""
    connection = _setup()
    import hashlib

    from django.db import transaction

    from prakerja.registry.crypto import encrypt
    from prakerja.selection.models import ImportStatus, NikList, NikListVersion
    from prakerja.waves.models import ConsentVersion, ProvinceQuota, Wave

    began = time.monotonic()
    pg = connection.vendor == "postgresql"
    timings = {}

    def run(label: str, sql: str, params=()) -> None:
        start = time.monotonic()
        with connection.cursor() as cursor:  # a literal % is %% once there are parameters, on both engines
            cursor.execute(sql.replace("%", "%%").replace("%%s", "%s"), list(params))
        timings[label] = round(time.monotonic() - start, 1)
        print(f"  {label}: {timings[label]} s", file=sys.stderr, flush=True)

    if pg:
        series = "generate_series(1::bigint, %s) AS g(i)"
        uuid = "gen_random_uuid()"

        def hex64(x):
            return f"(md5({x}) || md5({x} || '.'))"

        def hex16(x):
            return f"left(md5({x}), 16)"
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET synchronous_commit = off")
    else:
        series = ("(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %s) "
                  "SELECT i FROM s) AS g")
        uuid = "lower(hex(randomblob(16)))"
        connection.ensure_connection()
        raw = connection.connection
        raw.create_function("bench_hex", 1, lambda v: hashlib.sha256(v.encode()).hexdigest(), deterministic=True)

        def hex64(x):
            return f"bench_hex({x})"

        def hex16(x):
            return f"substr(bench_hex({x}), 1, 16)"
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -262144")

    tables = ["accounts_user", "registry_profile", "waves_application", "selection_niklistentry"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM accounts_user")
        assert cursor.fetchone()[0] == 0, "the bench database must be fresh"
    rebuild = _drop_indexes(connection, tables)

    now = datetime.now(UTC)
    # Helpers: the birth dates' tokens, a handful per month, and the regencies by position.
    tokens = []
    for t in range(OLDEST_T, BOUNDARY_T + YOUNG_MONTHS + 1):
        for slot, day in enumerate(DAYS):
            born = date(t // 12, t % 12 + 1, day)
            tokens.append((t, slot, encrypt(born.isoformat()), born.isoformat()))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_birth")
        cursor.execute("DROP TABLE IF EXISTS bench_regency")
        cursor.execute(f"CREATE TABLE bench_birth (t integer, slot integer, token text PRIMARY KEY, "
                       f"born {'date' if pg else 'text'})")
        cursor.executemany("INSERT INTO bench_birth VALUES (%s, %s, %s, %s)", tokens)
        cursor.execute("CREATE UNIQUE INDEX bench_birth_t ON bench_birth (t, slot)")
        cursor.execute("CREATE TABLE bench_regency (idx integer PRIMARY KEY, regency_id bigint, province_id bigint)")
        cursor.execute("SELECT id, province_id FROM regions_regency ORDER BY code")
        regencies = cursor.fetchall()
        cursor.executemany("INSERT INTO bench_regency VALUES (%s, %s, %s)",
                           [(k, r, p) for k, (r, p) in enumerate(regencies)])
    nik_token, kk_token = encrypt("3273012345670001"), encrypt("3273019876540001")
    consent = ConsentVersion.objects.get(version=1).pk

    run("users", f"INSERT INTO accounts_user (id, password, last_login, is_superuser, public_id, email, full_name, "  # noqa: S608
        f"language, is_staff, is_active, date_joined) SELECT i, '!bench-unusable', NULL, FALSE, {uuid}, "
        f"'seleksi' || i || '@example.id', 'Peserta Seleksi ' || i, CASE WHEN i % 10 = 0 THEN 'en' ELSE 'id' END, "
        f"FALSE, TRUE, %s FROM {series}", [now, n])
    age, work = f"({_u('i', 'age')} % 1000)", f"({_u('s.i', 'work')} % 100)"
    birth_t = (f"CASE WHEN {age} < 20 THEN {BOUNDARY_T + 1} + {_u('i', 'month')} % {YOUNG_MONTHS} "
               f"WHEN {age} < 25 THEN {BOUNDARY_T} WHEN {age} = 25 THEN NULL "
               f"ELSE {OLDEST_T} + {_u('i', 'month')} % {BOUNDARY_T - OLDEST_T} END")
    run("profiles", f"INSERT INTO registry_profile (id, public_id, nik_encrypted, nik_index, nik_masked, "  # noqa: S608
        "kk_encrypted, kk_index, female, identity_status, identity_reasons, identity_submitted_at, "
        "identity_checked_at, identity_next_check_at, identity_lease_until, identity_check_attempts, ktp_address, "
        "domicile_street, education, employment_status, ktp_photo, selfie, personal_data_at, phone, "
        "phone_verified_at, statement_accepted_at, completed_at, created_at, domicile_regency_id, user_id, "
        "statement_version_id, birth_date_encrypted, birth_year, birth_month) "
        f"SELECT s.i, {uuid}, %s, {hex64(_lit('nik:', 's.i'))}, '3273********' || (1000 + s.i % 9000), "
        f"%s, CASE WHEN {_u('s.i', 'kk')} % 100 < 60 THEN {hex64(_lit('kk:', 's.i'))} "
        f"ELSE {hex64(_lit('kf:', '(s.i / 4)'))} END, s.i % 2 = 0, "
        f"CASE WHEN {_u('s.i', 'identity')} % 100 < 3 THEN CASE {_u('s.i', 'identity')} % 3 "
        "WHEN 0 THEN 'pending' WHEN 1 THEN 'rejected' ELSE 'not_started' END ELSE 'verified' END, '[]', "
        "%s, %s, NULL, NULL, 1, 'Jl. Contoh No. ' || (s.i % 200) || ', RT 001/RW 002, Kel. Contoh, Kec. Contoh', "
        "'Jl. Domisili No. ' || (s.i % 300), 'sma', "
        f"CASE WHEN {work} < 5 THEN 'laid_off' WHEN {work} < 45 "
        f"THEN 'job_seeker' WHEN {work} < 65 THEN 'employed' "
        f"WHEN {work} < 85 THEN 'self_employed' ELSE 'other' END, "
        f"'ktp/' || {hex16(_lit('ktp:', 's.i'))} || '.jpg', "
        f"'selfie/' || {hex16(_lit('selfie:', 's.i'))} || '.jpg', %s, "
        "'+6281' || (100000000 + s.i), %s, %s, %s, %s, r.regency_id, s.i, NULL, COALESCE(b.token, ''), "
        "s.t / 12, s.t % 12 + 1 "
        f"FROM (SELECT i, {birth_t} AS t FROM {series}) s "
        f"JOIN bench_regency r ON r.idx = {_u('s.i', 'region')} % {len(regencies)} "
        "LEFT JOIN bench_birth b ON b.t = s.t AND b.slot = s.i % 4",
        [nik_token, kk_token, now, now, now, now, now, now, now, n])

    earlier = Wave.objects.create(number=1, opens_at=datetime(2025, 1, 1, tzinfo=UTC),
                                  closes_at=datetime(2025, 1, 15, tzinfo=UTC),
                                  announce_at=datetime(2025, 1, 20, tzinfo=UTC), national_quota=max(1, n // 100),
                                  closed_at=datetime(2025, 1, 15, tzinfo=UTC),
                                  results_published_at=datetime(2025, 1, 20, tzinfo=UTC))
    wave = Wave.objects.create(number=2, opens_at=datetime(2025, 6, 1, tzinfo=UTC), closes_at=CLOSES,
                               announce_at=datetime(2025, 6, 20, tzinfo=UTC), national_quota=max(1, n // 10),
                               closed_at=CLOSES)
    past = f"({_u('p.user_id', 'past')} % 1000)"
    columns = ("public_id, status, status_reason, joined_at, decided_at, province_id, user_id, consent_id, wave_id, "
               "decided_stage, draw_key, priority, pseudonym, reason_code")
    run("earlier wave", f"INSERT INTO waves_application ({columns}) SELECT {uuid}, "  # noqa: S608
        f"CASE WHEN {past} < 10 THEN 'passed' WHEN {past} < 12 THEN 'revoked' ELSE 'failed' END, '', %s, %s, "
        f"r.province_id, p.user_id, %s, %s, 'SEL-4', '', FALSE, {hex16(_lit('w1:', 'p.user_id'))}, "
        f"CASE WHEN {past} < 12 THEN 'drawn' ELSE 'not_drawn' END "
        f"FROM registry_profile p JOIN regions_regency r ON r.id = p.domicile_regency_id WHERE {past} < 50",
        [earlier.opens_at, earlier.closes_at, consent, earlier.pk])
    run("applications", f"INSERT INTO waves_application ({columns}) SELECT {uuid}, 'processing', '', %s, NULL, "  # noqa: S608
        f"r.province_id, p.user_id, %s, %s, '', '', NULL, {hex16(_lit('w2:', 'p.user_id'))}, '' "
        "FROM registry_profile p JOIN regions_regency r ON r.id = p.domicile_regency_id",
        [wave.opens_at, consent, wave.pk])

    matching = entries // 2
    stride = max(1, n // max(1, matching))
    versions = []
    for code in ("pendidikan-formal", "pkh"):
        versions.append(NikListVersion.objects.create(
            nik_list=NikList.objects.get(code=code), number=1, source_agency="bench", source_date=date(2025, 6, 1),
            file_name="bench.csv", status=ImportStatus.READY, is_current=True, finished_at=now).pk)
    run("list entries", "INSERT INTO selection_niklistentry (version_id, nik_index) "  # noqa: S608
        f"SELECT CASE WHEN i % 2 = 0 THEN %s ELSE %s END, {hex64(_lit('nik:', f'(i * {stride})'))} "
        f"FROM {series} WHERE i * {stride} <= {n}",
        [versions[0], versions[1], matching])
    run("list entries (nobody)", "INSERT INTO selection_niklistentry (version_id, nik_index) "  # noqa: S608
        f"SELECT CASE WHEN i % 2 = 0 THEN %s ELSE %s END, {hex64(_lit('other:', 'i'))} "
        f"FROM {series}", [versions[0], versions[1], entries - matching])
    with connection.cursor() as cursor:
        for version in versions:
            cursor.execute("UPDATE selection_niklistversion SET rows_read = (SELECT COUNT(*) FROM "
                           "selection_niklistentry WHERE version_id = %s), rows_imported = (SELECT COUNT(*) FROM "
                           "selection_niklistentry WHERE version_id = %s) WHERE id = %s", [version, version, version])
        cursor.execute("SELECT q.id, COUNT(*) FROM waves_application a JOIN regions_province q ON q.id = a.province_id "
                       "WHERE a.wave_id = %s AND q.code IN ('11', '32', '91') GROUP BY q.id", [wave.pk])
        provincial = cursor.fetchall()
    with transaction.atomic():
        for province, count in provincial:
            ProvinceQuota.objects.create(wave=wave, province_id=province, quota=max(1, count * 8 // 100))

    start = time.monotonic()
    _rebuild(connection, rebuild)
    timings["indexes"] = round(time.monotonic() - start, 1)
    print(f"  indexes and keys: {timings['indexes']} s", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        if pg:
            cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %s)", [n])
            cursor.execute("SELECT setval(pg_get_serial_sequence('registry_profile', 'id'), %s)", [n])
            start = time.monotonic()
            for table in tables:  # as autovacuum would have left them: visibility map, statistics
                cursor.execute(f"VACUUM (ANALYZE) {table}")
            timings["vacuum"] = round(time.monotonic() - start, 1)
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.execute("SELECT COUNT(*) FROM waves_application WHERE wave_id = %s", [wave.pk])
        applications = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM selection_niklistentry")
        list_entries = cursor.fetchone()[0]
    size = None
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            size = round(cursor.fetchone()[0] / 2**30, 2)
    return {"seconds": round(time.monotonic() - began, 1), "steps": timings, "applications": applications,
            "list_entries": list_entries, "matching_entries": min(matching, n // stride),
            "provincial_quotas": len(provincial), "database_gib": size, "wave": wave.pk}


def _drop_indexes(connection, tables: list[str]) -> list[str]:
    """Drop the loaded tables' secondary indexes, unique constraints and foreign keys: rebuilt after the load."""
    statements = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(f"'{t}'::regclass" for t in tables)
            cursor.execute(f"SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype "  # noqa: S608
                           f"FROM pg_constraint WHERE conrelid IN ({names}) AND contype IN ('u', 'f')")
            constraints = cursor.fetchall()
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                           "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint "
                           "WHERE contype IN ('p', 'u'))", [tables])
            indexes = cursor.fetchall()
            for table, name, _definition, _kind in sorted(constraints, key=lambda c: c[3] != "f"):
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            statements += [definition for _name, definition in indexes]
            statements += [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
                           for table, name, definition, kind in sorted(constraints, key=lambda c: c[3] == "f")]
        else:
            placeholders = ", ".join(["%s"] * len(tables))
            cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "  # noqa: S608
                           f"AND tbl_name IN ({placeholders})", tables)
            for name, sql in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
                statements.append(sql)
    return statements


def _rebuild(connection, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def step_run() -> dict:
    """The real selection of wave 2, timed, in this fresh process."""
    connection = _setup()
    from prakerja.selection.services import selection_run_wave
    from prakerja.waves.models import Wave

    wave = Wave.objects.get(number=2)
    baseline = _peak_mib()
    began = time.monotonic()
    run = selection_run_wave(actor=None, wave=wave)
    seconds = round(time.monotonic() - began, 2)
    stages = {}
    for row in run.report.get("by_reason", []):
        stages[row["decided_stage"]] = stages.get(row["decided_stage"], 0) + row["count"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM waves_application WHERE wave_id = %s AND status IN ('selecting', "
                       "'processing')", [wave.pk])
        undecided = cursor.fetchone()[0]
    return {"seconds": seconds, "stages_s": run.timings, "status": run.status,
            "peak_rss_mib": _peak_mib(), "rss_after_setup_mib": baseline,
            "applied": run.report.get("applied"), "eligible": run.report.get("eligible"),
            "passed": run.report.get("passed"), "decided_by_stage": dict(sorted(stages.items())),
            "by_reason": {f"{r['decided_stage']} {r['reason_code']}": r["count"] for r in run.report["by_reason"]},
            "undecided": undecided}


def step_reference() -> dict:
    """The same decisions in one hand-written SELECT (PostgreSQL), nothing written back."""
    connection = _setup()
    from prakerja.programme.selectors import active_programme
    from prakerja.selection.models import ListKind, NikListVersion, PriorityStatus
    from prakerja.selection.services import WIB, _seed_of, _years_before, national_pool_quota
    from prakerja.waves.models import Wave

    wave = Wave.objects.get(number=2)
    programme = active_programme()
    assert programme.max_age is None, "the reference covers the active preset's rules (no maximum age)"
    assert not NikListVersion.objects.filter(is_current=True, nik_list__kind=ListKind.PRIORITY).exists()
    youngest = _years_before(CLOSES.astimezone(WIB).date(), programme.min_age)
    too_young_ym = youngest.year * 12 + youngest.month
    versions = [v.pk for v in NikListVersion.objects.filter(
        is_current=True, nik_list__is_active=True, nik_list__kind=ListKind.EXCLUSION).select_related("nik_list")
        if programme.exclude_social_assistance or not v.nik_list.social_assistance]
    statuses = list(PriorityStatus.objects.filter(is_active=True).values_list("employment_status", flat=True))
    prio = f"(p.employment_status IN ({', '.join(['%s'] * len(statuses))}))" if statuses else "FALSE"
    sql = f"""
WITH prior AS (
  SELECT p2.kk_index AS kk, COUNT(*) AS n FROM waves_application a2 JOIN registry_profile p2 ON p2.user_id = a2.user_id
  WHERE a2.status IN ('passed', 'revoked') AND a2.wave_id <> %(w)s AND p2.kk_index <> '' GROUP BY p2.kk_index),
listed AS (SELECT DISTINCT nik_index FROM selection_niklistentry WHERE version_id = ANY(%(versions)s)),
past AS (SELECT DISTINCT user_id FROM waves_application WHERE wave_id <> %(w)s AND status IN ('passed', 'revoked')),
s0 AS (
  SELECT a.id, p.kk_index AS kk, COALESCE(q.province_id, 0) AS pool, COALESCE(q.quota, %(national)s) AS quota,
    {prio} AS prio, encode(sha256(convert_to(%(seed)s || a.pseudonym, 'UTF8')), 'hex') AS k,
    CASE
      WHEN p.identity_status IS DISTINCT FROM 'verified' THEN 'SEL-1'
      WHEN p.birth_year IS NULL THEN CASE WHEN p.birth_date_encrypted = '' OR
        (SELECT born FROM bench_birth WHERE token = p.birth_date_encrypted) > %(youngest)s THEN 'SEL-2' END
      WHEN p.birth_year * 12 + p.birth_month > %(ym)s THEN 'SEL-2'
      WHEN p.birth_year * 12 + p.birth_month = %(ym)s
        AND (SELECT born FROM bench_birth WHERE token = p.birth_date_encrypted) > %(youngest)s THEN 'SEL-2'
    END AS s_age,
    l.nik_index IS NOT NULL AND p.nik_index <> '' AS on_list, past.user_id IS NOT NULL AS was_in,
    COALESCE(prior.n, 0) AS prior_n
  FROM waves_application a LEFT JOIN registry_profile p ON p.user_id = a.user_id
  LEFT JOIN waves_provincequota q ON q.wave_id = a.wave_id AND q.province_id = a.province_id
  LEFT JOIN listed l ON l.nik_index = p.nik_index
  LEFT JOIN past ON past.user_id = a.user_id
  LEFT JOIN prior ON prior.kk = p.kk_index
  WHERE a.wave_id = %(w)s),
s1 AS (
  SELECT *, COALESCE(s_age, CASE WHEN on_list THEN 'SEL-2' WHEN was_in THEN 'SEL-3' END) AS stage FROM s0),
s2 AS (
  SELECT *, CASE WHEN stage IS NULL AND kk <> '' AND ROW_NUMBER() OVER (
      PARTITION BY stage IS NULL, kk ORDER BY prio DESC, k) + prior_n > %(cap)s THEN 'SEL-3' ELSE stage END AS stage2
  FROM s1),
s3 AS (
  SELECT stage2, quota, ROW_NUMBER() OVER (PARTITION BY stage2 IS NULL, pool ORDER BY prio DESC, k) AS rn FROM s2)
SELECT COALESCE(stage2, 'SEL-4'), COUNT(*), COUNT(*) FILTER (WHERE stage2 IS NULL AND rn <= quota)
FROM s3 GROUP BY 1 ORDER BY 1"""
    # The lists and priority statuses as parameters; psycopg takes %(name)s and plain %s apart, so the
    # statuses are spliced in as literals (operators' fixed choices, not input).
    sql = sql.replace(prio, prio.replace("%s", "{}").format(*[f"'{s}'" for s in statuses]) if statuses else prio)
    params = {"w": wave.pk, "versions": versions, "national": national_pool_quota(wave), "seed": f"{_seed_of(wave)}:",
              "youngest": youngest, "ym": too_young_ym, "cap": programme.max_recipients_per_kk}
    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    seconds = round(time.monotonic() - began, 2)
    return {"seconds": seconds, "decided_by_stage": {stage: count for stage, count, _ in rows},
            "passed": sum(passed for _, _, passed in rows), "peak_rss_mib": _peak_mib()}


def step_reset() -> dict:
    """Put wave 2 back as it was before its run (for the next run), and vacuum."""
    connection = _setup()
    from prakerja.waves.models import Wave

    wave = Wave.objects.get(number=2)
    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE waves_application SET status = 'processing', decided_stage = '', reason_code = '', "
                       "status_reason = '', decided_at = NULL, priority = NULL, draw_key = '' "
                       "WHERE wave_id = %s", [wave.pk])
        cursor.execute("UPDATE waves_wave SET selection_started_at = NULL WHERE id = %s", [wave.pk])
        cursor.execute("DELETE FROM selection_selectionrun WHERE wave_id = %s", [wave.pk])
        cursor.execute("VACUUM (ANALYZE) waves_application" if connection.vendor == "postgresql" else "ANALYZE")
    return {"seconds": round(time.monotonic() - began, 1)}


def step_fanout() -> dict:
    """WAV-6: publish wave 2's results and fan them out to the end, timed, in this fresh process."""
    connection = _setup()
    from prakerja.selection import services
    from prakerja.waves.models import Wave

    if not hasattr(services, "results_publish") or not hasattr(services, "announcement_continue"):
        return {"skipped": "results_publish / announcement_continue are not in prakerja/selection/services.py yet"}
    wave = Wave.objects.get(number=2)
    began = time.monotonic()
    announcement = services.results_publish(actor=None, wave=wave)
    published = round(time.monotonic() - began, 2)
    for _ in range(100):  # one call runs to the end unless another worker holds the lease
        announcement = services.announcement_continue(announcement=announcement)
        if announcement.finished_at is not None:
            break
        time.sleep(1)
    seconds = round(time.monotonic() - began, 2)
    with connection.cursor() as cursor:
        cursor.execute("SELECT channel, status, COUNT(*) FROM notifications_message "
                       "WHERE idempotency_key LIKE 'wave-result:%%' GROUP BY channel, status ORDER BY 1, 2")
        messages = {f"{channel} {status}": count for channel, status, count in cursor.fetchall()}
    return {"seconds": seconds, "publish_s": published, "told": announcement.done, "total": announcement.total,
            "messages": messages, "peak_rss_mib": _peak_mib()}


# --- the orchestration --------------------------------------------------------------------
def summarize(runs: list[dict]) -> dict:
    seconds = [r["seconds"] for r in runs]
    stages = {stage: [r["stages_s"].get(stage) for r in runs] for stage in runs[0]["stages_s"]}
    return {"runs_s": seconds, "median_s": round(statistics.median(seconds), 2), "max_s": max(seconds),
            "stages_s": stages, "peak_rss_mib": max(r["peak_rss_mib"] for r in runs)}


def main(engine: str, n_applications: int, n_list_entries: int, runs: int | None = None, fanout: bool = False,
         reference: bool | None = None) -> dict:
    """One engine: a fresh database, the generated wave, the run (``runs`` times) and, on PostgreSQL,
    the SQL reference and (with ``fanout``) the announcement of the decided wave."""
    runs = runs or env_int("BENCH_SELECTION_RUNS", 3)
    reference = engine == "postgres" if reference is None else reference
    print(f"selection bench, {engine}: {n_applications:,} applications, {n_list_entries:,} list entries",
          flush=True)
    began = time.monotonic()
    fresh_database(engine)
    migrate_s = round(time.monotonic() - began, 1)
    report = {"engine": engine, "applications": n_applications, "list_entries": n_list_entries,
              "migrate_s": migrate_s}
    try:
        report["generation"] = child(engine, "generate", str(n_applications), str(n_list_entries))
        print(f"  generated in {report['generation']['seconds']} s "
              f"({report['generation'].get('database_gib')} GiB)", flush=True)
        if reference:
            report["reference"] = child(engine, "reference")
            print(f"  SQL reference: {report['reference']['seconds']} s", flush=True)
        results = []
        for number in range(runs):
            if number:
                reset = child(engine, "reset")
                print(f"  reset for the next run: {reset['seconds']} s", flush=True)
            results.append(child(engine, "run"))
            print(f"  run {number + 1}: {results[-1]['seconds']} s, peak RSS {results[-1]['peak_rss_mib']} MiB, "
                  f"stages {results[-1]['stages_s']}", flush=True)
        report["run"] = {**summarize(results), "last": results[-1]}
        if reference:
            ref = report["reference"]
            report["reference"]["agrees"] = (ref["passed"] == results[-1]["passed"]
                                             and ref["decided_by_stage"] == results[-1]["decided_by_stage"])
            print(f"  reference agrees with the run: {report['reference']['agrees']}", flush=True)
        if fanout and engine == "postgres":
            report["fanout"] = child(engine, "fanout")
            print(f"  fan-out: {report['fanout']}", flush=True)
    finally:
        drop_database(engine)
    return report


def run_all() -> dict:
    """What `make bench` runs: PostgreSQL at full size, SQLite, and the fan-out on a PostgreSQL wave of its own."""
    pg_n = env_int("BENCH_SELECTION_APPLICATIONS", 10_000_000)
    pg_entries = env_int("BENCH_SELECTION_LIST_ENTRIES", 1_000_000)
    sqlite_n = env_int("BENCH_SELECTION_SQLITE_APPLICATIONS", 1_000_000)
    sqlite_entries = env_int("BENCH_SELECTION_SQLITE_LIST_ENTRIES", 100_000)
    fanout_n = env_int("BENCH_SELECTION_FANOUT", 1_000_000)
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count()}, "targets": TARGETS}
    report["postgres"] = main("postgres", pg_n, pg_entries)
    report["sqlite"] = main("sqlite", sqlite_n, sqlite_entries)
    if fanout_n:
        report["fanout"] = main("postgres", fanout_n, fanout_n // 10, runs=1, fanout=True, reference=False)
    report["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    report["met"] = met(report)
    return report


def met(report: dict) -> dict:
    out = {}
    if "postgres" in report:
        out["postgres_s"] = report["postgres"]["run"]["max_s"] <= TARGETS["postgres_s"]
    if "sqlite" in report:
        out["sqlite_s"] = report["sqlite"]["run"]["max_s"] <= TARGETS["sqlite_s"]
    peaks = [report[k]["run"]["peak_rss_mib"] for k in ("postgres", "sqlite", "fanout") if k in report]
    if peaks:
        out["peak_rss_mib"] = max(peaks) <= TARGETS["peak_rss_mib"]
    fan = report.get("fanout", {}).get("fanout", {})
    if "seconds" in fan:
        out["fanout_s"] = fan["seconds"] <= TARGETS["fanout_s"]
    return out


def cli() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        step, args = sys.argv[2], [int(a) for a in sys.argv[3:]]
        result = {"generate": step_generate, "run": step_run, "reference": step_reference, "reset": step_reset,
                  "fanout": step_fanout}[step](*args)
        print(json.dumps(result, default=str))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--engine", choices=["postgres", "sqlite"])
    parser.add_argument("--applications", type=int)
    parser.add_argument("--list-entries", type=int)
    parser.add_argument("--runs", type=int)
    parser.add_argument("--fanout", action="store_true", help="PostgreSQL: also time the announcement fan-out")
    options = parser.parse_args()
    if options.engine is None:
        report = run_all()
    else:
        n = options.applications or (10_000_000 if options.engine == "postgres" else 1_000_000)
        report = main(options.engine, n, options.list_entries if options.list_entries is not None else n // 10,
                      runs=options.runs, fanout=options.fanout)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"selection-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps(report, indent=2, default=str))
    print(f"report: {path}")


if __name__ == "__main__":
    cli()
