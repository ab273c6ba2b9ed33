"""`make bench`: the platform's pages under load, next to a bare Django hello as the yardstick.

PostgreSQL (127.0.0.1:5432, database prakerja_bench, recreated) and Redis
(db 14, flushed) must be running; wrk comes from Debian (installed if
missing). Two gunicorn servers run side by side with the same
prakerja/gunicorn.conf.py (workers and threads as in production):

- the platform (prakerja.wsgi, production settings) on BENCH_PORT;
- a bare Django (bench/bare: no apps, no middleware, no database) on
  BENCH_PORT + 1, whose hello is the yardstick.

Scenarios, each at BENCH_CONNECTIONS connections:

- bare_hello, hello_anonymous (/bench/hello, no cookies), hello_logged_in
  (/bench/hello with a registrant's session), dashboard and home_anonymous
  (the public home page, no cookies: issue 21): BENCH_SECONDS
  each, in BENCH_ROUNDS interleaved rounds so that a noisy neighbour weighs
  on every scenario alike; rps is all requests over all rounds' time, p50
  the median of the rounds' p50s, p99 the worst round's p99;
- join: the join POST for BENCH_SECONDS, every join a different registrant;
- login: POST /accounts/login/ with email and password (Argon2id as
  configured) for BENCH_SECONDS, each a different registrant from an address
  of their own in X-Forwarded-For (the platform trusts one proxy hop, as
  behind a load balancer), so allauth's per-client limits run as configured
  and none is reached; a login counts only when answered by the 302 to the
  dashboard.

Before the clock each scenario runs 3 s, and every seeded session makes a
signed-in request (USERS / WARM_RATE seconds), as a person's first page after
signing in would: that leaves their user row cached beside the session.

Every wrk run also records the server's CPU a request (its gunicorn master
and workers, from /proc), and the report gives the ratios both ways: from
requests a second, and from CPU a request, which other work on the machine
disturbs less. Before the logins, the bench measures how many Argon2id
verifications a second the machine does right now, one thread a core: the
ceiling that logins per second can reach.

After the pages, bench/selection.py (issue 16; BENCH_SELECTION=0 skips it) and
bench/cards.py (issue 17, cards and ledger; BENCH_CARDS=0 skips it) and
bench/partners.py (issue 18, purchases through the partner API; BENCH_PARTNERS=0
skips it) and bench/search.py (issue 19, "Cari Pelatihan"; BENCH_SEARCH=0 skips it) and
bench/stats.py (issue 20, the statistics pages; BENCH_STATS=0 skips it) run with
databases of their own; their docstrings say what they measure.

LOG_LEVEL is WARNING, as before (BENCH_LOG_LEVEL=INFO writes the request log
like production, to bench/results/server-<time>.log). The report goes to
bench/results/bench-<time>.json and is printed.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from bench.seed import BENCH_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT", 8100))
BARE_PORT = PORT + 1
SECONDS = int(os.environ.get("BENCH_SECONDS", 15))
ROUNDS = max(1, int(os.environ.get("BENCH_ROUNDS", 3)))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 64))
USERS = int(os.environ.get("BENCH_USERS", 30000))
DB = "prakerja_bench"
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "PRAKERJA_BENCH": "true",
    "DEBUG": "false",
    "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "WARNING"),
    "LOG_FORMAT": "json",  # as in production
    "TRUSTED_PROXY_COUNT": "1",  # login.lua: each registrant from their own address
    "GUNICORN_BIND": f"127.0.0.1:{PORT}",
    # BENCH_SETTINGS_MODULE (importable through BENCH_PYTHONPATH) measures a settings change before it is
    # made: a module that imports prakerja.settings and changes what is being tried. Recorded in the report.
    "DJANGO_SETTINGS_MODULE": os.environ.get("BENCH_SETTINGS_MODULE", "prakerja.settings"),
    "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("BENCH_PYTHONPATH", "")])),
}
# The yardstick: the same gunicorn settings (REDIS_URL decides the worker
# count there, so it stays set), another port, another Django project.
BARE_ENV = {**ENV, "GUNICORN_BIND": f"127.0.0.1:{BARE_PORT}", "DJANGO_SETTINGS_MODULE": "bench.bare.settings"}
# No control socket: two masters would share its one default path.
GUNICORN = [PY, "-m", "gunicorn", "--config", "prakerja/gunicorn.conf.py", "--no-control-socket"]
WARM_RATE = 1000  # signed-in hellos a second at least, for the warm-up pass over every session
TARGETS = {"anonymous_vs_bare": 0.50, "logged_in_vs_bare": 0.30, "dashboard_vs_logged_in": 0.40,
           "logins_per_s": 80}


def sh(*args, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=ENV, check=True, **kwargs)


def prepare(sessions: Path, logins: Path) -> str:
    if not shutil.which("wrk"):
        print("installing wrk (Debian package)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DB}")
    sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"CREATE DATABASE {DB}")
    sh("redis-cli", "-n", "14", "flushdb", stdout=subprocess.DEVNULL)
    sh(PY, "manage.py", "migrate", "-v0")
    sh(PY, "manage.py", "collectstatic", "--noinput", "-v0")
    print(f"seeding {USERS} registrants with sessions ...", flush=True)
    out = sh(PY, "bench/seed.py", str(USERS), str(sessions), str(logins), capture_output=True, text=True).stdout
    return out.strip().rsplit(" ", 1)[-1]  # the open wave's public id


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def check_signed_in(url: str, sessions: Path) -> None:
    """The logged-in scenarios measure nothing if their sessions no longer sign anyone in."""
    sid = sessions.read_text().split(None, 1)[0]
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={sid}"})
    body = urllib.request.urlopen(request, timeout=5).read().decode()  # noqa: S310 - loopback only
    if body != "Hello, signed in":
        raise RuntimeError(f"a seeded session is not signed in at {url}: {body!r}")


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(master: int) -> float:
    """CPU used so far by a gunicorn master and its workers, live and exited (Linux /proc)."""
    def stat(pid: int) -> list[str]:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()

    fields = stat(master)  # utime, stime, cutime (reaped workers), cstime
    ticks = sum(int(x) for x in fields[11:15])
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and entry.name != str(master):
            try:
                fields = stat(int(entry.name))
            except OSError:
                continue
            if fields[1] == str(master):  # a live worker
                ticks += int(fields[11]) + int(fields[12])
    return ticks / TICK


def wrk(url: str, seconds: int, script: str = "wrk.lua", server: int | None = None, **env) -> dict:
    """One wrk run; with server (a gunicorn master's pid) also its CPU per request."""
    env = {**ENV, "SESSIONS": "", "METHOD": "GET", "BODY": "", **{k: str(v) for k, v in env.items()}}
    before = cpu_seconds(server) if server else None
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "--latency", "-s",
                          str(ROOT / "bench" / script), url],
                         env=env, check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    if server:
        result["server_cpu_s"] = round(cpu_seconds(server) - before, 2)
        result["server_cpu_us_per_request"] = (round(1e6 * result["server_cpu_s"] / result["requests"])
                                               if result["requests"] else None)
    return result


def combine(runs: list[dict]) -> dict:
    requests = sum(r["requests"] for r in runs)
    duration = sum(r["duration_s"] for r in runs)
    cpu = sum(r["server_cpu_s"] for r in runs)
    return {"requests": requests, "duration_s": round(duration, 3), "rps": round(requests / duration, 1),
            "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 2),
            "p99_ms": max(r["p99_ms"] for r in runs), "errors": sum(r["errors"] for r in runs),
            "server_cpu_us_per_request": round(1e6 * cpu / requests) if requests else None,
            "rounds_rps": [r["rps"] for r in runs]}


def argon2_ceiling(seconds: float = 5) -> float:
    """Argon2id verifications a second on this machine right now, one thread a core: what logins can reach."""
    code = f"""
import os, threading, time
import django
django.setup()
from django.contrib.auth.hashers import get_hasher, make_password
encoded, hasher = make_password("x"), get_hasher()
count, stop = [0], time.monotonic() + {seconds}
def work():
    while time.monotonic() < stop:
        hasher.verify("x", encoded)
        count[0] += 1
threads = [threading.Thread(target=work) for _ in range(os.cpu_count() or 1)]
start = time.monotonic()
[t.start() for t in threads]
[t.join() for t in threads]
print(count[0] / (time.monotonic() - start))
"""
    return round(float(sh(PY, "-c", code, capture_output=True, text=True).stdout.strip()), 1)


def count_applications() -> int:
    code = ("import django;django.setup();from prakerja.waves.models import Application;"
            "print(Application.objects.count())")
    return int(sh(PY, "-c", code, capture_output=True, text=True).stdout.strip())


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    sessions, logins = RESULTS / "sessions.txt", RESULTS / "logins.txt"
    wave = prepare(sessions, logins)
    full = f"http://127.0.0.1:{PORT}"
    bare = f"http://127.0.0.1:{BARE_PORT}"
    # Below WARNING the platform writes a request line a request: to a file, not the terminal.
    server_log = RESULTS / f"server-{stamp}.log" if ENV["LOG_LEVEL"].upper() not in ("WARNING", "ERROR") else None
    with open(server_log or os.devnull, "w") as log:
        servers = [subprocess.Popen([*GUNICORN, "prakerja.wsgi"], cwd=ROOT, env=ENV,
                                    stderr=log if server_log else None)]
    try:
        servers.append(subprocess.Popen([*GUNICORN, "bench.bare.wsgi"], cwd=ROOT, env=BARE_ENV))
        platform, yardstick = servers[0].pid, servers[1].pid
        scenarios = {
            "bare_hello": lambda s: wrk(f"{bare}/hello", s, server=yardstick),
            "hello_anonymous": lambda s: wrk(f"{full}/bench/hello", s, server=platform),
            "hello_logged_in": lambda s: wrk(f"{full}/bench/hello", s, server=platform, SESSIONS=sessions),
            "dashboard": lambda s: wrk(f"{full}/dashboard/", s, server=platform, SESSIONS=sessions),
            # Issue 21: the public home page as a national rush meets it (no cookies: cached, per language).
            "home_anonymous": lambda s: wrk(f"{full}/", s, server=platform),
        }
        login = {"script": "login.lua", "server": platform, "LOGINS": logins, "PASSWORD": BENCH_PASSWORD,
                 "NEXT": "/dashboard/"}
        wait_for(f"{full}/healthz")
        wait_for(f"{bare}/hello")
        check_signed_in(f"{full}/bench/hello", sessions)
        for run in scenarios.values():  # warm-up: imports, connections, caches
            run(3)
        # Every seeded session makes a request before the clock, as a signed-in person's first page after
        # signing in would: it leaves the user's row in the cache beside the session (accounts/usercache.py,
        # an hour). Without this pass half the measured requests were each person's first (a database read
        # and a cache write), which a person pays once an hour, not on every page. wrk walks the sessions in
        # turn from two offsets; WARM_RATE is a floor on this machine's signed-in hellos a second.
        wrk(f"{full}/bench/hello", max(3, USERS // WARM_RATE), SESSIONS=sessions)
        wrk(f"{full}/accounts/login/", 3, **login)
        runs = {name: [] for name in scenarios}
        for _ in range(ROUNDS):
            for name, run in scenarios.items():
                runs[name].append(run(max(1, SECONDS // ROUNDS)))
        pages = {name: combine(results) for name, results in runs.items()}
        pages["join"] = wrk(f"{full}/waves/{wave}/join/", SECONDS, server=platform, SESSIONS=sessions,
                            METHOD="POST", BODY="version=1&agree=on")
        ceiling = argon2_ceiling()
        pages["login"] = wrk(f"{full}/accounts/login/", SECONDS, **login)
    finally:
        for server in servers:
            stop(server)
    joined = count_applications()
    rps = {name: page["rps"] for name, page in pages.items()}
    cpu = {name: page["server_cpu_us_per_request"] for name, page in pages.items()}
    ratios = {
        "anonymous_vs_bare": ratio(rps["hello_anonymous"], rps["bare_hello"]),
        "logged_in_vs_bare": ratio(rps["hello_logged_in"], rps["bare_hello"]),
        "dashboard_vs_logged_in": ratio(rps["dashboard"], rps["hello_logged_in"]),
        "home_vs_anonymous": ratio(rps["home_anonymous"], rps["hello_anonymous"]),
        "home_vs_bare": ratio(rps["home_anonymous"], rps["bare_hello"]),
        "join_vs_logged_in": ratio(rps["join"], rps["hello_logged_in"]),
        "logins_per_s": pages["login"]["logins_per_s"],
    }
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "load_average_after": [round(x, 2) for x in os.getloadavg()]},
        "setup": {"connections": CONNECTIONS, "seconds": SECONDS, "rounds": ROUNDS, "registrants": USERS,
                  "log_level": ENV["LOG_LEVEL"], "settings": ENV["DJANGO_SETTINGS_MODULE"],
                  "server": "gunicorn, prakerja/gunicorn.conf.py (gthread), same for both projects",
                  "bare": "bench/bare: Django, no apps, no middleware, no database",
                  "database": "PostgreSQL", "cache_sessions": "Redis (cached_db sessions)",
                  "login": "allauth email + password, Argon2id (OwaspArgon2PasswordHasher), "
                           "one X-Forwarded-For address per registrant, limits as configured"},
        "pages": pages,
        "ratios": ratios,
        # The same ratios from the servers' own CPU a request (Linux /proc): steadier than
        # requests a second when other work shares the machine.
        "cpu_ratios": {
            "anonymous_vs_bare": ratio(cpu["bare_hello"], cpu["hello_anonymous"]),
            "logged_in_vs_bare": ratio(cpu["bare_hello"], cpu["hello_logged_in"]),
            "dashboard_vs_logged_in": ratio(cpu["hello_logged_in"], cpu["dashboard"]),
            "home_vs_anonymous": ratio(cpu["hello_anonymous"], cpu["home_anonymous"]),
        },
        "argon2_verifications_per_s": ceiling,
        "logins_vs_argon2": ratio(ratios["logins_per_s"], ceiling),
        "targets": {name: {"goal": goal, "met": ratios[name] is not None and ratios[name] >= goal}
                    for name, goal in TARGETS.items()},
        "applications_created": joined,
    }
    # Issue 16: the selection at national scale and the announcement fan-out (bench/selection.py).
    if os.environ.get("BENCH_SELECTION", "1") != "0":
        from bench.selection import run_all as selection_bench

        report["selection"] = selection_bench()
    # Issue 17: issuing and crediting a million cards, and card debits next to pgbench (bench/cards.py).
    if os.environ.get("BENCH_CARDS", "1") != "0":
        from bench.cards import run_all as cards_bench

        report["cards"] = cards_bench()
    # Issue 18: complete purchases through the partner API at 64 clients (bench/partners.py). After the
    # cards bench: importing bench.partners points bench.cards' steps at the partners bench's own database.
    if os.environ.get("BENCH_PARTNERS", "1") != "0":
        from bench.partners import run_all as partners_bench

        report["partners"] = partners_bench()
    # Issue 19: "Cari Pelatihan" over 10,000 courses and 100,000 listings, p95 within 50 ms (bench/search.py).
    if os.environ.get("BENCH_SEARCH", "1") != "0":
        from bench.search import run_all as search_bench

        report["search"] = search_bench()
    # Issue 20: the statistics pages over the daily counters of 10 million applications, p95 within 300 ms
    # (bench/stats.py).
    if os.environ.get("BENCH_STATS", "1") != "0":
        from bench.stats import run_all as stats_bench

        report["stats"] = stats_bench()
    path = RESULTS / f"bench-{stamp}.json"
    path.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"report: {path}")


if __name__ == "__main__":
    main()
