"""Cards and ledger (issue 17): issuing and crediting a wave's cards at national scale, and card debits under load.

    python -m bench.cards                                  # as `make bench` runs it (bench/run.py)
    python -m bench.cards --cards 1000000 --debit-seconds 30 --runs 3
    python -m bench.cards --cards 100000 --debit-seconds 10 --runs 1   # a quick look

Cards and ledger
----------------
What is measured, each run from nothing on PostgreSQL (127.0.0.1:5432, user
postgres, database prakerja_bench_cards, dropped at the end unless
BENCH_CARDS_KEEP=1):

1. Setup, never timed: migrate; a wave whose results are published with
   ``--cards`` passed applications, each person with an account, written in
   bulk SQL (generate_series; secondary indexes and foreign keys dropped and
   rebuilt; VACUUM ANALYZE); the budget funded through ``budget_fund`` and the
   issuance scheduled through ``issuance_schedule``, as the announcement does.
2. Issuance: the real ``issuance_continue`` in a fresh process (issue and
   credit every card, then the credit pass that finds none left), the goal at
   most 120 s for a million cards;
   with cards a second, the process's peak RSS (ru_maxrss) and the CPU
   seconds of the process and of its PostgreSQL backend (from /proc: CPU moves
   less than seconds when other work shares the machine).
3. ``manage.py ledger_check`` (call_command), timed; it must be clean.
4. The yardstick: pgbench, 16 clients, 2 threads, BENCH_CARDS_DEBIT_SECONDS,
   a bare debit (``UPDATE bench_acct SET balance = balance - 1 WHERE id = :aid
   AND balance >= 1`` and one ``INSERT`` into ``bench_posting``) on mirror
   tables in the same database: the card accounts' ids and balances with a
   primary key and a ``balance >= 0`` check, and a posting table with a primary
   key only, so that the ledger's own books stay untouched. Before it the
   ledger tables are vacuumed (purchases start days after an issuance) and
   every participant's three induction videos are marked watched in bulk SQL.
5. The floor, never a result: the same 16 worker processes, each transaction
   a Django ``transaction.atomic()`` running pgbench's own two statements
   (prepared) on the mirror tables, no ``card_debit``: how much of pgbench's
   rate this stack (Python processes, Django, psycopg) keeps before any of
   the ledger's work (``floor_vs_pgbench``).
   Then, also never a result, the other bound: ``card_debit``'s own
   statement (guard, spend, first purchase, audit append; BEGIN and COMMIT
   around it) run by pgbench, 16 clients, prepared, with no Python at all
   (``statement_vs_pgbench``). The service cannot beat either bound.
6. Service debits: 16 worker processes (multiprocessing, each its own Django
   and connection, production settings) for the same time, each debit one
   outermost transaction calling the real ``card_debit`` (the real
   induction rule, in its statement on PostgreSQL, and ``audit_record``
   inside) on one of the
   worker's own random cards, with a new idempotency key, Rp 1,000 to
   Rp 50,000, at one of two platforms. ``service``: the worker loads its cards
   (with user and programme, which card_debit reads) before the clock, as
   pgbench knows its account ids; the goal is at least 0.30 of pgbench's
   transactions a second. ``service_with_lookup``: each debit first loads its
   card in its transaction, as a partner API call would. Both report latency,
   and the CPU a debit of the workers and of their PostgreSQL backends; pgbench
   reports its backends' CPU a transaction.
7. ``ledger_check`` again: the debits must leave the books clean.

Three runs (``--runs``); the report (bench/results/cards-<time>.json, and
printed) has each run, the medians and the load average next to each figure.
The machine is shared: other work moves these figures more than anything else.

Experiments, labelled as such in the report and never results:
``BENCH_CARDS_AUDIT=off`` replaces ``audit_record`` with a no-op in the debit
workers (what the audit chain's one global lock costs);
``BENCH_CARDS_SCHEMA=proposed`` applies the schema changes the report proposes
(``PROPOSED_SCHEMA``) after migrate; ``BENCH_CARDS_PHASES=1`` adds where a
debit's time goes (wall and CPU by part: induction, the ledger statement,
the audit row and the wait for its lock, the commit).

Knobs: BENCH_CARDS=0 skips all of it in bench/run.py; BENCH_CARDS_N
(1,000,000), BENCH_CARDS_DEBIT_SECONDS (30), BENCH_CARDS_RUNS (3),
BENCH_CARDS_WORKERS (16), BENCH_CARDS_KEEP=1.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.selection import _drop_indexes, _peak_mib, _rebuild, psql

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
DB = "prakerja_bench_cards"
URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
TARGETS = {"issuance_s": 120, "debits_vs_pgbench": 0.30}
PLATFORMS = ("bench-shop-a", "bench-shop-b")
# pgbench's transaction below, as the "floor" workers run it through Django (one account, by its id).
FLOOR_STATEMENTS = ("UPDATE bench_acct SET balance = balance - 1 WHERE id = %s AND balance >= 1",
                    "INSERT INTO bench_posting (account_id, amount) VALUES (%s, -1)")
PGBENCH_SCRIPT = """\\set aid random(:lo, :hi)
BEGIN;
UPDATE bench_acct SET balance = balance - 1 WHERE id = :aid AND balance >= 1;
INSERT INTO bench_posting (account_id, amount) VALUES (:aid, -1);
COMMIT;
"""


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def environment() -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "prakerja.settings", "PYTHONPATH": str(ROOT),
           "DEBUG": "false", "LOG_LEVEL": "WARNING", "PRAKERJA_BENCH": "true",
           # Redis db 13: nobody consumes the queue there, so the task the
           # schedule enqueues stays queued; the bench runs the job itself.
           "DATABASE_URL": URL, "REDIS_URL": "redis://127.0.0.1:6379/13"}
    for name in ("PRAKERJA_VAR_DIR", "HUEY_IMMEDIATE"):
        env.pop(name, None)
    return env


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def child(*args: str, extra_env: dict | None = None) -> dict:
    """Run one step in a fresh Python process; its last stdout line is its JSON result."""
    out = subprocess.run([PY, "-m", "bench.cards", "--step", *args], cwd=ROOT,
                         env={**environment(), **(extra_env or {})}, check=True, stdout=subprocess.PIPE,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def fresh_database() -> float:
    began = time.monotonic()
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    # --skip-checks: the system checks load every URLconf, which says nothing about the ledger.
    subprocess.run([PY, "manage.py", "migrate", "-v0", "--skip-checks"], cwd=ROOT, env=environment(), check=True)
    return round(time.monotonic() - began, 1)


# BENCH_CARDS_SCHEMA=proposed: an experiment, never a result. What the report proposes for the models'
# tables, applied by hand after migrate: room on each page so that the purchases' UPDATEs stay on the
# page (HOT: no index entries), no varchar_pattern_ops twins of the ledger's unique keys (nobody searches
# them with LIKE; the card number's blind index lost its twin in cards migration 0004), and no index
# entries for the card accounts' NULL code.
PROPOSED_SCHEMA = [
    "ALTER TABLE cards_card SET (fillfactor = 50)",
    "ALTER TABLE ledger_account SET (fillfactor = 50)",
    "DROP INDEX ledger_transaction_key_70016b4e_like",
    "DROP INDEX ledger_account_code_e0a3af95_like",
    "ALTER TABLE ledger_account DROP CONSTRAINT ledger_account_code_key",
    "CREATE UNIQUE INDEX ledger_account_code_key ON ledger_account (code) WHERE code IS NOT NULL",
]


def proposed_schema() -> None:
    for statement in PROPOSED_SCHEMA:
        psql(statement, DB)


def drop_database() -> None:
    if os.environ.get("BENCH_CARDS_KEEP") != "1":
        psql(f"DROP DATABASE IF EXISTS {DB}")
    subprocess.run(["redis-cli", "-n", "13", "flushdb"], check=False, stdout=subprocess.DEVNULL)


# --- steps, each in its own process -------------------------------------------------------
def _setup():
    import django

    django.setup()
    from django.db import connection

    return connection


def _induction_ready(connection) -> bool:
    """Whether prakerja.induction has its selector and its tables (another engineer is writing it)."""
    import importlib.util

    return (importlib.util.find_spec("prakerja.induction.selectors") is not None
            and "induction_videoprogress" in connection.introspection.table_names())


TICK = os.sysconf("SC_CLK_TCK")


def _backend_cpu(connection) -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine: /proc)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _own_cpu() -> float:
    times = os.times()
    return times.user + times.system


def step_generate(n: int) -> dict:
    """A published wave with ``n`` passed applications, the budget funded, the issuance scheduled."""
    connection = _setup()
    from django.db import transaction

    from prakerja.cards import tasks
    from prakerja.cards.services import budget_fund
    from prakerja.cards.services.issuance import issuance_schedule
    from prakerja.programme.selectors import active_programme
    from prakerja.waves.models import ConsentVersion, Wave

    began = time.monotonic()
    timings = {}

    def run(label: str, sql: str, params=()) -> None:
        start = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute(sql, list(params))
        timings[label] = round(time.monotonic() - start, 1)
        print(f"  {label}: {timings[label]} s", file=sys.stderr, flush=True)

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET synchronous_commit = off")  # generation only; nothing measured runs here
        cursor.execute("SELECT COUNT(*) FROM accounts_user")
        assert cursor.fetchone()[0] == 0, "the bench database must be fresh"
        cursor.execute("SELECT id FROM regions_province ORDER BY code")
        provinces = [row[0] for row in cursor.fetchall()]
    tables = ["accounts_user", "waves_application"]
    rebuild = _drop_indexes(connection, tables)
    now = datetime.now(UTC)
    closes = now - timedelta(days=3)
    wave = Wave.objects.create(number=1, opens_at=now - timedelta(days=20), closes_at=closes,
                               announce_at=now - timedelta(hours=1), national_quota=n, closed_at=closes,
                               results_published_at=now - timedelta(hours=1))
    consent = ConsentVersion.objects.get(version=1).pk
    run("users", "INSERT INTO accounts_user (id, password, last_login, is_superuser, public_id, email, full_name, "
        "language, is_staff, is_active, date_joined) SELECT i, '!bench-unusable', NULL, FALSE, gen_random_uuid(), "
        "'kartu' || i || '@example.id', 'Peserta Kartu ' || i, 'id', FALSE, TRUE, %s "
        "FROM generate_series(1::bigint, %s) AS g(i)", [now, n])
    run("applications", "INSERT INTO waves_application (public_id, status, status_reason, joined_at, decided_at, "
        "province_id, user_id, consent_id, wave_id, decided_stage, draw_key, priority, pseudonym, reason_code) "
        "SELECT gen_random_uuid(), 'passed', '', %s, %s, (%s::bigint[])[1 + i %% %s], i, %s, %s, 'SEL-4', "
        "md5('draw:' || i) || md5('draw.' || i), FALSE, left(md5('w1:' || i), 16), 'drawn' "
        "FROM generate_series(1::bigint, %s) AS g(i)",
        [wave.opens_at, closes, provinces, len(provinces), consent, wave.pk, n])
    start = time.monotonic()
    _rebuild(connection, rebuild)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), %s)", [n])
        for table in tables:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    timings["indexes_vacuum"] = round(time.monotonic() - start, 1)
    programme = active_programme()
    tasks.issue_cards = lambda pk: None  # the bench runs the job itself, in the next step
    with transaction.atomic():
        budget_fund(programme=programme, amount=n * programme.training_balance, key="bench:fund", actor=None)
        issuance = issuance_schedule(wave=wave)
    return {"seconds": round(time.monotonic() - began, 1), "steps": timings, "wave": wave.pk,
            "issuance": issuance.pk, "total": issuance.total}


def step_issue() -> dict:
    """The real issuance (issue and credit, then the credit pass), timed, in this fresh process."""
    connection = _setup()
    from prakerja.cards.models import CardIssuance
    from prakerja.cards.services.issuance import issuance_continue

    issuance = CardIssuance.objects.get()
    baseline = _peak_mib()
    server_before, own_before = _backend_cpu(connection), _own_cpu()
    began = time.monotonic()
    done = issuance_continue(issuance=issuance)
    seconds = round(time.monotonic() - began, 2)
    server_cpu, own_cpu = _backend_cpu(connection) - server_before, _own_cpu() - own_before
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COUNT(credited_at) FROM cards_card")
        cards, credited = cursor.fetchone()
    return {"seconds": seconds, "cards_per_s": round(cards / seconds) if seconds else None, "cards": cards,
            "credited": credited, "issued": done.issued, "finished": done.finished_at is not None,
            # CPU moves less than seconds when other work shares the machine.
            "python_cpu_s": round(own_cpu, 1), "postgres_cpu_s": round(server_cpu, 1),
            "peak_rss_mib": _peak_mib(), "rss_after_setup_mib": baseline, "load_after": load()}


def step_check() -> dict:
    """manage.py ledger_check, timed."""
    import io

    _setup()
    from django.core.management import CommandError, call_command

    out, err = io.StringIO(), io.StringIO()
    began = time.monotonic()
    try:
        call_command("ledger_check", stdout=out, stderr=err, skip_checks=True)
        clean = True
    except CommandError as failed:
        clean = False
        err.write(str(failed))
    return {"seconds": round(time.monotonic() - began, 2), "clean": clean, "output": out.getvalue().strip(),
            "differences": err.getvalue().strip().splitlines()[:20], "load_after": load()}


def step_prepare_debits() -> dict:
    """Mark every participant's induction videos watched (bulk SQL), and make pgbench's mirror tables."""
    connection = _setup()
    began = time.monotonic()
    induction = "selector replaced: prakerja.induction is not there yet (NOT a result)"
    with connection.cursor() as cursor:
        if _induction_ready(connection):
            cursor.execute("SELECT COUNT(*) FROM induction_inductionvideo")
            if not cursor.fetchone()[0]:
                raise RuntimeError("prakerja.induction has no videos: the bench needs the seeded ones")
            # Each video watched to its end: what video_progress_report leaves behind.
            cursor.execute("INSERT INTO induction_videoprogress (user_id, video_id, covered_seconds, last_report_at, "
                           "paced_at, completed_at) SELECT c.user_id, v.id, v.duration_seconds, now(), now(), now() "
                           "FROM cards_card c CROSS JOIN induction_inductionvideo v")
            induction = f"real selector; {cursor.rowcount} videos marked watched in bulk SQL"
            cursor.execute("VACUUM (ANALYZE) induction_videoprogress")
        # Purchases start days after the issuance, when autovacuum has long since cleaned up after it;
        # neither side of the comparison should pay for that here.
        for table in ("cards_card", "ledger_account", "ledger_posting", "ledger_transaction", "accounts_user"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
        cursor.execute("DROP TABLE IF EXISTS bench_acct, bench_posting")
        cursor.execute("CREATE TABLE bench_acct (id bigint PRIMARY KEY, balance bigint NOT NULL CHECK (balance >= 0))")
        cursor.execute("INSERT INTO bench_acct SELECT id, balance FROM ledger_account WHERE kind = 'card'")
        cursor.execute("CREATE TABLE bench_posting (id bigserial PRIMARY KEY, account_id bigint, amount bigint, "
                       "created_at timestamptz DEFAULT now())")
        cursor.execute("VACUUM (ANALYZE) bench_acct")
        cursor.execute("SELECT MIN(id), MAX(id) FROM bench_acct")
        lo, hi = cursor.fetchone()
        cursor.execute("CHECKPOINT")  # neither side pays for the load's dirty pages
    return {"seconds": round(time.monotonic() - began, 1), "induction": induction, "lo": lo, "hi": hi}


def _literal(value) -> str:
    """A SQL string literal for a pgbench script, where ``:name`` is a variable even inside quotes."""
    if value is None:
        return "NULL"
    parts = ["'" + part.replace("'", "''") + "'" for part in str(value).split(":")]
    return parts[0] if len(parts) == 1 else "(" + " || ':' || ".join(parts) + ")"


def step_debit_script() -> dict:
    """The pgbench script of ``card_debit``'s own statement (PostgreSQL): no Python in front of it.

    The statement text is the one card_debit sends (guard, spend, first purchase, audit append); each
    transaction a random card and amount, a fresh ledger key, the audit chain of its client (as each
    connection has its own), the times and the audit row's id from the server. What stays constant
    (the platform, the labels, the audit row's JSON) does not change what the statement writes; the audit
    rows' texts are not what their hashes were made of, so ``audit_verify`` refuses them (the bench's
    database is thrown away).
    """
    connection = _setup()
    from prakerja.audit.services import APPEND_CALL, APPEND_COLUMNS
    from prakerja.cards.services import _FIRST_PURCHASE, _guard_sql, settlement_account
    from prakerja.ledger.models import TransactionKind
    from prakerja.ledger.services import _spend_sql

    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id), MIN(account_id - id), MAX(account_id - id) FROM cards_card")
        lo, hi, offset, offset_max = cursor.fetchone()
    assert offset == offset_max, "each card's account id is expected to be its id plus one offset"
    to = settlement_account(PLATFORMS[0])
    data = json.dumps({"key": "pgbench", "amount": 1000, "platform": PLATFORMS[0]})
    values = {
        "now": "now()", "l_now": "now()", "expired": "FALSE", "card": ":card::bigint", "account": ":account::bigint",
        "l_card": ":account::bigint", "l_amount": ":amount::bigint", "l_minus": ":minus::bigint", "l_to": str(to.pk),
        "l_to_code": _literal(to.code), "l_key": "('pgbench:' || :key::text)",
        "l_kind": _literal(TransactionKind.DEBIT),
        "l_print": _literal("0" * 64), "l_actor": _literal(f"partner:{PLATFORMS[0]}"), "l_memo": "''",
        "l_shard": ":shard::integer", "a_chain": ":chain", "a_public_id": "gen_random_uuid()", "a_actor": "NULL",
        "a_label": _literal(f"partner:{PLATFORMS[0]}"), "a_action": "'card.debit'", "a_target_type": "'cards.card'",
        "a_target_id": _literal("00000000-0000-4000-8000-000000000000"), "a_target_label": "'Kartu Prakerja'",
        "a_reason": "''", "a_data": _literal(data) + "::jsonb",
        "a_before": _literal('{"action":"card.debit","created_at":"'),
        "a_after": _literal(f'","data":{data}}}')}
    statement = _spend_sql(_guard_sql(), _FIRST_PURCHASE, APPEND_CALL, APPEND_COLUMNS) % values
    script = (f"\\set card random({lo}, {hi})\n\\set account :card + {offset}\n"
              "\\set amount 1000 * random(1, 50)\n\\set minus -1 * :amount\n"
              "\\set key random(1, 9000000000000000000)\n\\set shard random(0, 15)\n"
              "\\set chain :client_id % 16\nBEGIN;\n" + " ".join(statement.split()) + ";\nCOMMIT;\n")
    return {"script": script, "lo": lo, "hi": hi}


def step_drop_mirror() -> dict:
    connection = _setup()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_acct, bench_posting")
    return {}


def _pid_cpu(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK


def pgbench(seconds: int, clients: int, lo: int, hi: int, script_text: str = PGBENCH_SCRIPT,
            protocol: str = "simple") -> dict:
    """The yardstick (or another script); also its server processes' CPU a transaction, sampled from 2 s to
    1 s before the end. The yardstick runs in pgbench's default (simple) protocol."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(script_text)
    try:
        process = subprocess.Popen(["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-c", str(clients),
                                    "-j", "2", "-T", str(seconds), "-P", "1", "-M", protocol,
                                    "-D", f"lo={lo}", "-D", f"hi={hi}",
                                    "-f", script.name, DB], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2)
        pids = [int(p) for p in psql("SELECT pid FROM pg_stat_activity WHERE application_name = 'pgbench'").split()]
        before, began = {pid: _pid_cpu(pid) for pid in pids}, time.monotonic()
        time.sleep(max(1, seconds - 3))
        after, ended = {pid: _pid_cpu(pid) for pid in pids}, time.monotonic()
        out, err = process.communicate()
        if process.returncode:
            raise RuntimeError(f"pgbench failed: {err}")
    finally:
        os.unlink(script.name)
    figures = {}
    for line in out.splitlines():
        if line.startswith("tps = "):
            figures["tps"] = round(float(line.split()[2]), 1)
        elif line.startswith("number of transactions actually processed"):
            figures["transactions"] = int(line.split(":")[1].split("/")[0])
        elif line.startswith("number of failed transactions"):
            figures["failed"] = int(line.split(":")[1].split()[0])
        elif line.startswith("latency average"):
            figures["latency_ms"] = float(line.split("=")[1].split()[0])
    cpu = sum(after[p] - before[p] for p in pids if before.get(p) is not None and after.get(p) is not None)
    window = (ended - began) * figures.get("tps", 0)
    figures["server_cpu_us_per_transaction"] = round(1e6 * cpu / window) if window else None
    figures["load_after"] = load()
    return figures


def _debit_worker(index: int, workers: int, seconds: float, cards: tuple[int, int], mode: str, run: str,
                  barrier, results) -> None:
    """One worker: its own Django and connection; debits random cards until the time is up.

    ``mode`` "preloaded": the worker loads its cards (with user and programme, which card_debit reads)
    before the clock starts, as pgbench knows its account ids; "lookup": each debit first loads its card in
    its transaction, as a partner API call would; "floor": no card_debit at all, but pgbench's own bare
    debit (its two statements, prepared) in a Django transaction, on the mirror tables whose ids ``cards``
    then spans: what the stack itself (16 Python processes, Django, psycopg) leaves of pgbench's rate.
    """
    lookup, floor = mode == "lookup", mode == "floor"
    connection = _setup()
    from django.db import transaction

    from prakerja.cards.models import Card
    from prakerja.core.errors import DomainError

    if not _induction_ready(connection):  # only until prakerja.induction exists; the report says so
        import types

        module = types.ModuleType("prakerja.induction.selectors")
        module.induction_complete = lambda user: True
        sys.modules["prakerja.induction.selectors"] = module
    if os.environ.get("BENCH_CARDS_AUDIT") == "off":  # the experiment, never a result
        import prakerja.cards.services as money

        money.audit_record = lambda **kwargs: None
    phases = _time_phases(connection) if os.environ.get("BENCH_CARDS_PHASES") == "1" else None
    from prakerja.cards.services import card_debit

    rng = random.Random(f"{run}:{index}")
    lo, hi = cards
    # Each worker its own cards (ids = index mod workers): no two workers buy with one card at once.
    mine = rng.sample(range(lo + index, hi + 1, workers), min(PRELOAD, (hi - lo) // workers))
    loaded = []
    if floor:
        from prakerja.core.db import prepared_cursor
    elif not lookup:
        for start in range(0, len(mine), 2000):
            loaded += Card.objects.select_related("user", "programme").filter(pk__in=mine[start:start + 2000])
        rng.shuffle(loaded)
    else:
        Card.objects.filter(pk=lo).exists()  # the connection's one-off costs, before the clock
    server_before = _backend_cpu(connection)
    barrier.wait()
    began, cpu_before = time.monotonic(), os.times()
    deadline = began + seconds
    done = refused = 0
    refusals: dict[str, int] = {}
    latencies = []
    while True:
        start = time.monotonic()
        if start >= deadline:
            break
        n = done + refused
        try:
            with transaction.atomic():  # the entry point's transaction, as the partner API's would be
                if floor:
                    with prepared_cursor(connection) as cursor:
                        for statement in FLOOR_STATEMENTS:
                            cursor.execute(statement, [mine[n % len(mine)]])
                else:
                    if lookup:
                        card = Card.objects.select_related("user", "programme").get(pk=mine[n % len(mine)])
                    else:
                        card = loaded[n % len(loaded)]
                    card_debit(card=card, amount=1000 * rng.randint(1, 50), key=f"bench:{run}:{index}:{n}",
                               actor=f"partner:{PLATFORMS[0]}", platform=rng.choice(PLATFORMS))
                if phases is not None:
                    phases.mark()
            if phases is not None:
                phases.add("commit")
            done += 1
        except DomainError as refusal:
            refused += 1
            refusals[refusal.code] = refusals.get(refusal.code, 0) + 1
        latencies.append(time.monotonic() - start)
    cpu = os.times()
    results.put({"index": index, "done": done, "refused": refused, "refusals": refusals,
                 "seconds": time.monotonic() - began, "latencies": latencies,
                 "cpu_s": cpu.user + cpu.system - cpu_before.user - cpu_before.system,
                 "server_cpu_s": _backend_cpu(connection) - server_before,
                 "phases": phases.totals if phases is not None else None})


class _Phases:
    """BENCH_CARDS_PHASES=1: where a debit's time goes (wall and this process's CPU), by wrapping the parts.

    An analysis aid, not a figure: the wrapping costs a little CPU itself.
    """

    def __init__(self):
        self.totals: dict[str, list[float]] = {}
        self.start = (time.monotonic(), time.process_time())

    def mark(self) -> None:
        self.start = (time.monotonic(), time.process_time())

    def add(self, name: str, since=None) -> None:
        wall, cpu = since or self.start
        total = self.totals.setdefault(name, [0.0, 0.0])
        total[0] += time.monotonic() - wall
        total[1] += time.process_time() - cpu

    def wrap(self, module, name: str, label: str) -> None:
        real = getattr(module, name)

        def timed(*args, **kwargs):
            since = (time.monotonic(), time.process_time())
            try:
                return real(*args, **kwargs)
            finally:
                self.add(label, since)

        setattr(module, name, timed)


def _time_phases(connection) -> _Phases:
    import prakerja.audit.services as audit
    import prakerja.cards.services as money
    import prakerja.induction.selectors as induction

    phases = _Phases()
    phases.wrap(induction, "induction_complete", "induction_complete")
    phases.wrap(money, "ledger_spend_card", "ledger_spend_card (the one statement)")
    phases.wrap(money, "audit_record", "audit_record (all of it)")
    phases.wrap(money, "card_debit", "card_debit (all of it)")

    def append(execute, sql, params, many, context):
        if "prakerja_audit_append(" not in sql:
            return execute(sql, params, many, context)
        since = (time.monotonic(), time.process_time())
        try:
            return execute(sql, params, many, context)
        finally:
            phases.add("audit: the append call (the chain's lock, its wait and the insert)", since)

    connection.execute_wrappers.append(append)
    assert audit._APPEND
    return phases


PRELOAD = 8_000  # cards a worker loads ahead (about 20 MB); a worker that gets through them buys again


MODES = ("preloaded", "lookup", "floor")  # step_debits' third argument is the index of its mode here


def step_debits(seconds: int, workers: int, lookup: int = 0) -> dict:
    """``workers`` processes calling the real card_debit for ``seconds``; this process only counts.

    ``lookup`` picks the workers' mode (``MODES``); the floor needs pgbench's mirror tables."""
    import multiprocessing

    mode = MODES[lookup]
    connection = _setup()
    with connection.cursor() as cursor:
        cursor.execute("SELECT MIN(id), MAX(id), COUNT(*) FROM " + ("bench_acct" if mode == "floor" else "cards_card"))
        lo, hi, count = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM audit_auditentry")
        audit_before = cursor.fetchone()[0]
        cursor.execute("CHECKPOINT")  # each side starts without the one before's dirty pages
    assert count == hi - lo + 1, "card (or account) ids are expected to be contiguous"
    induction = "real" if _induction_ready(connection) else "replaced (NOT a result)"
    connection.close()  # not inherited by the workers
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(workers + 1), context.Queue()
    run = f"{datetime.now(UTC):%H%M%S}{mode[0].upper()}"
    processes = [context.Process(target=_debit_worker,
                                 args=(i, workers, seconds, (lo, hi), mode, run, barrier, results))
                 for i in range(workers)]
    for process in processes:
        process.start()
    barrier.wait()
    began = time.monotonic()
    reports = [results.get() for _ in processes]
    elapsed = time.monotonic() - began
    for process in processes:
        process.join()
    done = sum(r["done"] for r in reports)
    refusals: dict[str, int] = {}
    for r in reports:
        for code, number in r["refusals"].items():
            refusals[code] = refusals.get(code, 0) + number
    latencies = sorted(x for r in reports for x in r["latencies"])

    def pct(p: float) -> float | None:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2) if latencies else None

    window = max(r["seconds"] for r in reports)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM audit_auditentry")
        audited = cursor.fetchone()[0] - audit_before
    return {"debits_per_s": round(done / window, 1), "debits": done, "refused": refusals, "seconds": round(window, 2),
            "wall_s": round(elapsed, 2), "workers": workers,
            "card_lookup": {"preloaded": "cards loaded before the clock", "lookup": "each debit loads its card first",
                            "floor": "no card_debit: pgbench's bare debit through Django (the floor)"}[mode],
            "p50_ms": pct(0.5), "p99_ms": pct(0.99),
            "workers_cpu_us_per_debit": round(1e6 * sum(r["cpu_s"] for r in reports) / done) if done else None,
            "server_cpu_us_per_debit": round(1e6 * sum(r["server_cpu_s"] for r in reports) / done) if done else None,
            "induction_selector": induction, "audit_rows_written": audited,
            "phases_us_per_debit": _phase_summary(reports, done),
            "audit": "off (experiment: audit_record replaced by a no-op)"
            if os.environ.get("BENCH_CARDS_AUDIT") == "off" else "on", "load_after": load()}


def _phase_summary(reports: list[dict], done: int) -> dict | None:
    if not done or reports[0]["phases"] is None:
        return None
    names = {name for r in reports for name in r["phases"]}
    return {name: {"wall": round(1e6 * sum(r["phases"].get(name, [0, 0])[0] for r in reports) / done),
                   "cpu": round(1e6 * sum(r["phases"].get(name, [0, 0])[1] for r in reports) / done)}
            for name in sorted(names)}


# --- the orchestration --------------------------------------------------------------------
def one_run(number: int, n: int, debit_seconds: int, workers: int) -> dict:
    print(f"cards bench, run {number}: {n:,} cards", flush=True)
    report = {"migrate_s": fresh_database()}
    if os.environ.get("BENCH_CARDS_SCHEMA") == "proposed":
        proposed_schema()
        report["schema"] = "EXPERIMENT, not a result: the proposed schema changes (PROPOSED_SCHEMA)"
    report["generation"] = child("generate", str(n))
    print(f"  generated in {report['generation']['seconds']} s", flush=True)
    report["load_before_issuance"] = load()
    report["issuance"] = child("issue")
    issuance = report["issuance"]
    print(f"  issuance: {issuance['seconds']} s ({issuance['cards_per_s']} cards/s), peak RSS "
          f"{issuance['peak_rss_mib']} MiB, load {issuance['load_after']}", flush=True)
    report["ledger_check"] = child("check")
    print(f"  ledger_check: {report['ledger_check']['seconds']} s, clean: {report['ledger_check']['clean']}",
          flush=True)
    prepared = child("prepare")
    report["induction"] = prepared["induction"]
    report["pgbench"] = pgbench(debit_seconds, workers, prepared["lo"], prepared["hi"])
    print(f"  pgbench: {report['pgbench']['tps']} tps, server CPU {report['pgbench']['server_cpu_us_per_transaction']} "
          f"us a transaction, load {report['pgbench']['load_after']}", flush=True)
    # The floor right after the yardstick, on its tables: pgbench's own transaction through this stack.
    report["floor"] = floor = child("debits", str(debit_seconds), str(workers), str(MODES.index("floor")))
    report["floor_vs_pgbench"] = round(floor["debits_per_s"] / report["pgbench"]["tps"], 3)
    print(f"  floor (pgbench's bare debit through Django, {workers} processes): {floor['debits_per_s']} a second, "
          f"{report['floor_vs_pgbench']} of pgbench; CPU a transaction: workers {floor['workers_cpu_us_per_debit']} "
          f"us, PostgreSQL {floor['server_cpu_us_per_debit']} us", flush=True)
    # And the other way round: card_debit's own statement run by pgbench, with no Python in front of it.
    script = child("debit_script")
    report["statement_by_pgbench"] = alone = pgbench(debit_seconds, workers, script["lo"], script["hi"],
                                                     script["script"], protocol="prepared")
    report["statement_vs_pgbench"] = round(alone["tps"] / report["pgbench"]["tps"], 3)
    print(f"  card_debit's statement run by pgbench ({workers} clients, no Python): {alone['tps']} tps, "
          f"{report['statement_vs_pgbench']} of the bare debit; server CPU {alone['server_cpu_us_per_transaction']} "
          f"us a transaction", flush=True)
    child("drop_mirror")
    for name, lookup in (("service", "0"), ("service_with_lookup", "1")):
        report[name] = service = child("debits", str(debit_seconds), str(workers), lookup)
        print(f"  card_debit ({service['card_lookup']}): {service['debits_per_s']} a second ({service['debits']} "
              f"debits, refused {service['refused']}), p50 {service['p50_ms']} ms, p99 {service['p99_ms']} ms, "
              f"CPU a debit: workers {service['workers_cpu_us_per_debit']} us, PostgreSQL "
              f"{service['server_cpu_us_per_debit']} us; load {service['load_after']}", flush=True)
    report["debits_vs_pgbench"] = round(report["service"]["debits_per_s"] / report["pgbench"]["tps"], 3)
    report["debits_with_lookup_vs_pgbench"] = round(report["service_with_lookup"]["debits_per_s"]
                                                    / report["pgbench"]["tps"], 3)
    report["ledger_check_after_debits"] = child("check")
    print(f"  ratio {report['debits_vs_pgbench']}; ledger_check after the debits: "
          f"{report['ledger_check_after_debits']['seconds']} s, clean: "
          f"{report['ledger_check_after_debits']['clean']}", flush=True)
    return report


def summarize(runs: list[dict]) -> dict:
    def median(values):
        return round(statistics.median(values), 3)

    return {
        "issuance_s": [r["issuance"]["seconds"] for r in runs],
        "issuance_median_s": median(r["issuance"]["seconds"] for r in runs),
        "issuance_peak_rss_mib": max(r["issuance"]["peak_rss_mib"] for r in runs),
        "ledger_check_s": [r["ledger_check"]["seconds"] for r in runs],
        "ledger_check_clean": all(r["ledger_check"]["clean"] and r["ledger_check_after_debits"]["clean"]
                                  for r in runs),
        "pgbench_tps": [r["pgbench"]["tps"] for r in runs],
        "pgbench_median_tps": median(r["pgbench"]["tps"] for r in runs),
        "debits_per_s": [r["service"]["debits_per_s"] for r in runs],
        "debits_median_per_s": median(r["service"]["debits_per_s"] for r in runs),
        "debits_vs_pgbench": [r["debits_vs_pgbench"] for r in runs],
        "debits_vs_pgbench_median": median(r["debits_vs_pgbench"] for r in runs),
        "debits_with_lookup_per_s": [r["service_with_lookup"]["debits_per_s"] for r in runs],
        "debits_with_lookup_vs_pgbench_median": median(r["debits_with_lookup_vs_pgbench"] for r in runs),
        # Not a result: how much of pgbench's rate the stack keeps with pgbench's own transaction.
        "floor_per_s": [r["floor"]["debits_per_s"] for r in runs],
        "floor_vs_pgbench": [r["floor_vs_pgbench"] for r in runs],
        "statement_by_pgbench_tps": [r["statement_by_pgbench"]["tps"] for r in runs],
        "statement_vs_pgbench": [r["statement_vs_pgbench"] for r in runs],
    }


def main(n: int, debit_seconds: int, runs: int, workers: int) -> dict:
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": {"cpus": os.cpu_count()},
              "setup": {"cards": n, "debit_seconds": debit_seconds, "workers": workers, "pgbench_clients": workers,
                        "pgbench_script": PGBENCH_SCRIPT, "database": "PostgreSQL, fresh each run"},
              "targets": TARGETS, "runs": []}
    try:
        for number in range(1, runs + 1):
            report["runs"].append(one_run(number, n, debit_seconds, workers))
    finally:
        drop_database()
    report["summary"] = summary = summarize(report["runs"])
    report["met"] = {"issuance_s": max(summary["issuance_s"]) <= TARGETS["issuance_s"],
                     "debits_vs_pgbench": summary["debits_vs_pgbench_median"] >= TARGETS["debits_vs_pgbench"],
                     "ledger_check_clean": summary["ledger_check_clean"]}
    report["machine"]["load_average_after"] = load()
    return report


def run_all() -> dict:
    """What `make bench` runs (bench/run.py)."""
    return main(env_int("BENCH_CARDS_N", 1_000_000), env_int("BENCH_CARDS_DEBIT_SECONDS", 30),
                env_int("BENCH_CARDS_RUNS", 3), env_int("BENCH_CARDS_WORKERS", 16))


def cli() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        step, args = sys.argv[2], [int(a) for a in sys.argv[3:]]
        result = {"generate": step_generate, "issue": step_issue, "check": step_check,
                  "prepare": step_prepare_debits, "drop_mirror": step_drop_mirror, "debits": step_debits,
                  "debit_script": step_debit_script}[step](*args)
        print(json.dumps(result, default=str))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cards", type=int, default=env_int("BENCH_CARDS_N", 1_000_000))
    parser.add_argument("--debit-seconds", type=int, default=env_int("BENCH_CARDS_DEBIT_SECONDS", 30))
    parser.add_argument("--runs", type=int, default=env_int("BENCH_CARDS_RUNS", 3))
    parser.add_argument("--workers", type=int, default=env_int("BENCH_CARDS_WORKERS", 16))
    options = parser.parse_args()
    report = main(options.cards, options.debit_seconds, options.runs, options.workers)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"cards-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps(report["summary"], indent=2, default=str))
    print(f"met: {report['met']}")
    print(f"report: {path}")


if __name__ == "__main__":
    cli()
