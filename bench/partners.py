"""Card purchases through the partner API (issue 18): complete purchases over HTTP at 64 concurrent clients.

    python -m bench.partners                      # as `make bench` runs it (bench/run.py)
    python -m bench.partners --cards 20000 --seconds 30 --runs 3 --clients 64

Each run, from nothing, on PostgreSQL (database prakerja_bench_partners,
dropped at the end unless BENCH_PARTNERS_KEEP=1):

1. Setup, never timed: bench/cards.py's steps make ``--cards`` participants
   with issued, credited cards whose induction videos are watched; each gets
   a verified phone; one platform partner (a known secret) and one approved
   listing at Rp 10,000. The card numbers are decrypted once into a file for
   the load generator, as a platform would have them from its buyers.
2. gunicorn with prakerja/gunicorn.conf.py (production settings, Redis for
   cache and queue: db 13, where no worker consumes, so OTP SMS stay queued
   and cost the run nothing but their rows).
3. The load generator, a second process (``--processes`` processes of
   threads, ``--clients`` in all, keep-alive HTTP/1.1, each its own
   PostgreSQL connection): each client loops over its own cards (so no two
   clients share a card or a platform user) doing one complete purchase:
   ``POST /payments`` (signed, a fresh Idempotency-Key), the OTP read from the
   SMS row in the database, ``POST /payments/{id}/confirm``. Reported:
   purchases a second, p50/p99 of a complete purchase, and every non-2xx by
   status and code. Also where the machine's CPU went, in ms a purchase
   (``cpu_ms_per_purchase``): the whole machine (/proc/stat), gunicorn's
   master and workers, the load generator's processes (their own count), and
   the rest (PostgreSQL, Redis, the kernel); beside the budget at the target,
   1,000 ms x cores / 400 (5 ms on 2 cores) for all of it together.
4. ``ledger_check`` after the load (must be clean: no overspend, books
   balance), and the count of paid payments equal to the card debits.
5. The yardstick in the same run: pgbench, ``--clients`` clients, the bare
   debit transaction of bench/cards.py on mirror tables.

The report goes to bench/results/partners-<time>.json. Target (issue 18): at
least 400 purchases a second on this 2-core machine, three runs.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import bench.cards as cards
from bench.cards import env_int

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
cards.DB = DB = "prakerja_bench_partners"
cards.URL = URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
TARGET = 400
PORT = 8010
SECRET = "bench-secret"
CODE = "bench-shop"
LISTING = "BENCH-00001"
PRICE = 10_000
CARD_FILE = RESULTS / "partners-cards.json"
# The OTP as the cardholder received it: the body of the SMS row (the queue is not consumed in the bench).
OTP_QUERY = "SELECT body FROM notifications_message WHERE idempotency_key = %s AND channel = 'sms'"


def child(*args: str) -> dict:
    out = subprocess.run([PY, "-m", "bench.partners", "--step", *args], cwd=ROOT, env=cards.environment(),
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# --- steps in their own processes ------------------------------------------------------
def step_seed() -> dict:
    """Phones, the platform, a listing; the card numbers (and whose) into CARD_FILE for the generator."""
    connection = cards._setup()
    from django.utils import timezone

    from prakerja.cards.models import Card
    from prakerja.catalog.models import Course, Listing, ListingStatus
    from prakerja.partners.models import Partner
    from prakerja.partners.services import partner_create
    from prakerja.registry import crypto
    from prakerja.registry.models import Profile

    began = time.monotonic()
    now = timezone.now()
    users = list(Card.objects.values_list("user_id", flat=True))
    Profile.objects.bulk_create([Profile(user_id=u, phone=f"+6281{u:09d}", phone_verified_at=now) for u in users],
                                batch_size=5000)
    partner_create(kind="platform", code=CODE, name="Bench Shop", actor=None, secret=SECRET)
    partner_create(kind="provider", code="bench-provider", name="Bench Provider", actor=None, secret=SECRET)
    course = Course.objects.create(provider=Partner.objects.get(code="bench-provider"), code="BENCH-C1",
                                   title="Bench course", description="-", category="sales", kind="webinar", hours=1)
    Listing.objects.create(code=LISTING, platform=Partner.objects.get(code=CODE), course=course, price=PRICE,
                           status=ListingStatus.APPROVED, decided_at=now)
    rows = Card.objects.values_list("number_encrypted", "user__public_id").order_by("pk")
    CARD_FILE.parent.mkdir(parents=True, exist_ok=True)
    CARD_FILE.write_text(json.dumps([[crypto.decrypt(n), str(u)] for n, u in rows]))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) registry_profile")
    return {"seconds": round(time.monotonic() - began, 1), "cards": len(users)}


def step_verify() -> dict:
    """After the load: paid payments = card debits = what left the cards."""
    connection = cards._setup()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM learning_payment WHERE status = 'paid'")
        paid, paid_amount = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM ledger_transaction WHERE kind = 'debit'")
        debits = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM ledger_account WHERE balance < 0")
        negative = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM learning_payment")
        payments = cursor.fetchone()[0]
    return {"payments": payments, "paid": paid, "paid_amount": paid_amount, "debits": debits,
            "negative_balances": negative}


# --- the load generator ----------------------------------------------------------------
def _signed(method: str, path: str, body: bytes, key: str | None) -> dict:
    from prakerja.partners import signing

    headers = signing.headers(SECRET, client_code=CODE, timestamp=int(time.time()), method=method, path=path,
                              body=body)
    headers["Content-Type"] = "application/json"
    if key:
        headers["Idempotency-Key"] = key
    return headers


def _client(mine: list, deadline: float, start: threading.Barrier, out: dict) -> None:
    import psycopg

    database = psycopg.connect(URL, autocommit=True)
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    latencies, errors, done = [], {}, 0
    position = 0

    def call(method, path, payload):
        body = json.dumps(payload).encode()
        connection.request(method, path, body=body, headers=_signed(method, path, body, uuid.uuid4().hex))
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    start.wait()
    while time.monotonic() < deadline:
        number, user = mine[position % len(mine)]
        position += 1
        began = time.monotonic()
        try:
            status, body = call("POST", "/api/partner/v1/payments", {
                "card_number": number, "listing_code": LISTING, "platform_order_id": f"o-{position}",
                "platform_user_id": f"u-{user}", "buyer": {"name": "Bench", "email": "b@example.id",
                                                          "phone": "+6281200000000"}})
            if status != 201:
                errors[f"start {status} {body.get('error', {}).get('code')}"] = errors.get(
                    f"start {status} {body.get('error', {}).get('code')}", 0) + 1
                continue
            payment = body["payment_id"]
            row = database.execute(OTP_QUERY, [f"{user}:payment-otp:{payment}"]).fetchone()
            otp = next(word for word in row[0].replace(",", " ").split() if word.isdigit() and len(word) == 6)
            status, body = call("POST", f"/api/partner/v1/payments/{payment}/confirm", {"otp": otp})
            if status != 200:
                label = f"confirm {status} {body.get('error', {}).get('code')}"
                errors[label] = errors.get(label, 0) + 1
                continue
        except (OSError, http.client.HTTPException) as exc:
            errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            continue
        latencies.append(time.monotonic() - began)
        done += 1
    out["latencies"], out["errors"], out["done"] = latencies, errors, done


def generator(process: int, processes: int, clients: int, seconds: float, report_path: str) -> None:
    """One generator process: its share of the clients as threads; writes its figures to ``report_path``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prakerja.settings")
    all_cards = json.loads(CARD_FILE.read_text())
    mine_clients = [c for c in range(clients) if c % processes == process]
    start = threading.Barrier(len(mine_clients) + 1)
    outs = [{} for _ in mine_clients]
    # A client's cards: every clients-th card from its index, so no two clients share one.
    threads = []
    began = time.monotonic() + 1.0
    deadline = began + seconds
    for out, client in zip(outs, mine_clients, strict=True):
        thread = threading.Thread(target=_client, args=(all_cards[client::clients], deadline,
                                                        start, out))
        thread.start()
        threads.append(thread)
    start.wait()
    cpu_before = cards._own_cpu()
    for thread in threads:
        thread.join()
    Path(report_path).write_text(json.dumps({
        "cpu_s": cards._own_cpu() - cpu_before,
        "done": sum(o.get("done", 0) for o in outs), "latencies": [x for o in outs for x in o.get("latencies", [])],
        "errors": {k: sum(o.get("errors", {}).get(k, 0) for o in outs) for o in outs for k in o.get("errors", {})}}))


def load_test(seconds: int, clients: int, processes: int) -> dict:
    env = {**cards.environment(), "GUNICORN_BIND": f"127.0.0.1:{PORT}", "REDIS_URL": "redis://127.0.0.1:6379/13",
           "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    server = subprocess.Popen([PY, "-m", "gunicorn", "--config", "prakerja/gunicorn.conf.py", "--no-control-socket",
                               "prakerja.wsgi"], cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        paths = [f"/tmp/bench-partners-{os.getpid()}-{p}.json" for p in range(processes)]
        began = time.monotonic()
        generators = [subprocess.Popen([PY, "-m", "bench.partners", "--generator", str(p), str(processes),
                                        str(clients), str(seconds), path], cwd=ROOT, env=cards.environment())
                      for p, path in enumerate(paths)]
        # Where the machine's CPU goes while the clients run (the generators start their clock a second in).
        sampler = threading.Thread(target=_sample_cpu, args=(server.pid, began + 1.0, began + 1.0 + seconds,
                                                             cpu := {}))
        sampler.start()
        for process in generators:
            process.wait()
        sampler.join()
        wall = time.monotonic() - began - 1.0  # the generators start their clock a second after launch
        parts = [json.loads(Path(p).read_text()) for p in paths]
        for path in paths:
            os.unlink(path)
    finally:
        server.terminate()
        server.wait(30)
    latencies = sorted(x for part in parts for x in part["latencies"])
    errors: dict = {}
    for part in parts:
        for key, count in part["errors"].items():
            errors[key] = errors.get(key, 0) + count
    done = sum(part["done"] for part in parts)
    generators_cpu = sum(part["cpu_s"] for part in parts)

    def per_purchase(cpu_s: float) -> float | None:
        return round(1000 * cpu_s / done, 2) if done else None

    # At the target a purchase may cost the whole machine 1,000 ms x cores / 400 of CPU, everything included.
    split = {"budget_at_target": round(1000 * (os.cpu_count() or 1) / TARGET, 2),
             "machine": per_purchase(cpu.get("machine_s", 0)), "gunicorn": per_purchase(cpu.get("gunicorn_s", 0)),
             "load_generator": per_purchase(generators_cpu),
             "rest (PostgreSQL, Redis, the kernel's own)": per_purchase(
                 cpu.get("machine_s", 0) - cpu.get("gunicorn_s", 0) - generators_cpu)}
    return {"purchases": done, "seconds": round(wall, 1), "purchases_per_s": round(done / seconds, 1),
            "cpu_ms_per_purchase": split,
            "p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
            "p99_ms": round(1000 * latencies[int(len(latencies) * 0.99) - 1], 1) if latencies else None,
            "errors": errors, "load_after": cards.load()}


def _machine_busy() -> float:
    """CPU seconds the whole machine has been busy (all cores; /proc/stat, idle and iowait left out)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / cards.TICK


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its children (gunicorn's master and its workers)."""
    children = subprocess.run(["pgrep", "-P", str(pid)], stdout=subprocess.PIPE, text=True).stdout.split()
    return sum(cards._pid_cpu(p) or 0 for p in [pid, *map(int, children)])


def _sample_cpu(server: int, start: float, end: float, out: dict) -> None:
    time.sleep(max(0.0, start - time.monotonic()))
    machine, gunicorn = _machine_busy(), _tree_cpu(server)
    time.sleep(max(0.0, end - time.monotonic()))
    out["machine_s"], out["gunicorn_s"] = _machine_busy() - machine, _tree_cpu(server) - gunicorn


def one_run(number: int, n: int, seconds: int, clients: int, processes: int) -> dict:
    print(f"partners bench, run {number}: {n:,} cards, {clients} clients", flush=True)
    report = {"migrate_s": cards.fresh_database()}
    report["generation"] = cards.child("generate", str(n))
    report["issuance"] = cards.child("issue")
    prepared = cards.child("prepare")
    report["seed"] = child("seed")
    report["load"] = load = load_test(seconds, clients, processes)
    print(f"  purchases: {load['purchases_per_s']} a second ({load['purchases']} in {seconds} s), p50 "
          f"{load['p50_ms']} ms, p99 {load['p99_ms']} ms, errors {load['errors']}, load {load['load_after']}",
          flush=True)
    print(f"  CPU a purchase, ms: {load['cpu_ms_per_purchase']}", flush=True)
    report["verify"] = verify = child("verify")
    report["ledger_check"] = check = cards.child("check")
    print(f"  paid {verify['paid']}, debits {verify['debits']}, negative balances {verify['negative_balances']}; "
          f"ledger_check clean: {check['clean']} ({check['seconds']} s)", flush=True)
    report["pgbench"] = bench = cards.pgbench(seconds, clients, prepared["lo"], prepared["hi"])
    print(f"  pgbench (bare debit, {clients} clients): {bench['tps']} tps", flush=True)
    return report


def main(n: int, seconds: int, runs: int, clients: int, processes: int) -> dict:
    report = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": {"cpus": os.cpu_count()},
              "setup": {"cards": n, "seconds": seconds, "clients": clients, "generator_processes": processes,
                        "price": PRICE}, "target_purchases_per_s": TARGET, "runs": []}
    try:
        for number in range(1, runs + 1):
            report["runs"].append(one_run(number, n, seconds, clients, processes))
    finally:
        if os.environ.get("BENCH_PARTNERS_KEEP") != "1":
            cards.psql(f"DROP DATABASE IF EXISTS {DB}")
            CARD_FILE.unlink(missing_ok=True)
        subprocess.run(["redis-cli", "-n", "13", "flushdb"], check=False, stdout=subprocess.DEVNULL)
    runs_ = report["runs"]
    report["summary"] = {
        "purchases_per_s": [r["load"]["purchases_per_s"] for r in runs_],
        "p50_ms": [r["load"]["p50_ms"] for r in runs_], "p99_ms": [r["load"]["p99_ms"] for r in runs_],
        "pgbench_tps": [r["pgbench"]["tps"] for r in runs_],
        "cpu_ms_per_purchase": [r["load"]["cpu_ms_per_purchase"] for r in runs_],
        "ledger_check_clean": all(r["ledger_check"]["clean"] for r in runs_),
        "paid_equals_debits": all(r["verify"]["paid"] == r["verify"]["debits"] for r in runs_),
        "no_negative_balance": all(r["verify"]["negative_balances"] == 0 for r in runs_)}
    report["met"] = {"purchases_per_s": min(report["summary"]["purchases_per_s"], default=0) >= TARGET,
                     "books_clean": report["summary"]["ledger_check_clean"]
                     and report["summary"]["paid_equals_debits"] and report["summary"]["no_negative_balance"]}
    return report


def run_all() -> dict:
    return main(env_int("BENCH_PARTNERS_CARDS", 20_000), env_int("BENCH_PARTNERS_SECONDS", 30),
                env_int("BENCH_PARTNERS_RUNS", 3), env_int("BENCH_PARTNERS_CLIENTS", 64),
                env_int("BENCH_PARTNERS_PROCESSES", 2))


def cli() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--step":
        print(json.dumps({"seed": step_seed, "verify": step_verify}[sys.argv[2]](), default=str))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--generator":
        process, processes, clients, seconds = (int(x) for x in sys.argv[2:6])
        generator(process, processes, clients, seconds, sys.argv[6])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cards", type=int, default=env_int("BENCH_PARTNERS_CARDS", 20_000))
    parser.add_argument("--seconds", type=int, default=env_int("BENCH_PARTNERS_SECONDS", 30))
    parser.add_argument("--runs", type=int, default=env_int("BENCH_PARTNERS_RUNS", 3))
    parser.add_argument("--clients", type=int, default=env_int("BENCH_PARTNERS_CLIENTS", 64))
    parser.add_argument("--processes", type=int, default=env_int("BENCH_PARTNERS_PROCESSES", 2))
    options = parser.parse_args()
    report = main(options.cards, options.seconds, options.runs, options.clients, options.processes)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"partners-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    print(json.dumps(report["summary"], indent=2, default=str))
    print(f"met: {report['met']}")
    print(f"report: {path}")


if __name__ == "__main__":
    cli()
