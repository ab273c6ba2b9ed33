"""`make bench`: the join and dashboard pages under load, next to a hello-world view.

PostgreSQL (127.0.0.1:5432, database prakerja_bench, recreated) and Redis
(db 14, flushed) must be running; wrk comes from Debian (installed if
missing). gunicorn runs with the production worker settings from
prakerja/gunicorn.conf.py. Each page gets BENCH_SECONDS at BENCH_CONNECTIONS
concurrent logged-in users; every join is a different registrant. The report
goes to bench/results/bench-<time>.json and is printed.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable
PORT = int(os.environ.get("BENCH_PORT", 8100))
SECONDS = int(os.environ.get("BENCH_SECONDS", 15))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", 64))
USERS = int(os.environ.get("BENCH_USERS", 30000))
DB = "prakerja_bench"
ENV = {
    **os.environ,
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
    "REDIS_URL": "redis://127.0.0.1:6379/14",
    "PRAKERJA_BENCH": "true",
    "DEBUG": "false",
    "LOG_LEVEL": "WARNING",
    "GUNICORN_BIND": f"127.0.0.1:{PORT}",
    "DJANGO_SETTINGS_MODULE": "prakerja.settings",
    "PYTHONPATH": str(ROOT),
}


def sh(*args, **kwargs):
    return subprocess.run(args, cwd=ROOT, env=ENV, check=True, **kwargs)


def prepare(sessions: Path) -> str:
    if not shutil.which("wrk"):
        print("installing wrk (Debian package)", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DB}")
    sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"CREATE DATABASE {DB}")
    sh("redis-cli", "-n", "14", "flushdb", stdout=subprocess.DEVNULL)
    sh(PY, "manage.py", "migrate", "-v0")
    sh(PY, "manage.py", "collectstatic", "--noinput", "-v0")
    print(f"seeding {USERS} registrants with sessions ...", flush=True)
    out = sh(PY, "bench/seed.py", str(USERS), str(sessions), capture_output=True, text=True).stdout
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


def wrk(path: str, sessions: Path, seconds: int, method: str = "GET", body: str = "") -> dict:
    env = {**ENV, "SESSIONS": str(sessions), "METHOD": method, "BODY": body}
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s",
                          str(ROOT / "bench" / "wrk.lua"), f"http://127.0.0.1:{PORT}{path}"],
                         env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def count_applications() -> int:
    code = ("import django;django.setup();from prakerja.waves.models import Application;"
            "print(Application.objects.count())")
    return int(sh(PY, "-c", code, capture_output=True, text=True).stdout.strip())


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    sessions = RESULTS / "sessions.txt"
    wave = prepare(sessions)
    server = subprocess.Popen([PY, "-m", "gunicorn", "prakerja.wsgi", "--config", "prakerja/gunicorn.conf.py"],
                              cwd=ROOT, env=ENV)
    try:
        wait_for(f"http://127.0.0.1:{PORT}/healthz")
        wrk("/bench/hello", sessions, 3)  # warm-up: imports, connections, caches
        wrk("/dashboard/", sessions, 3)
        pages = {
            "hello_world": wrk("/bench/hello", sessions, SECONDS),
            "dashboard": wrk("/dashboard/", sessions, SECONDS),
            "join": wrk(f"/waves/{wave}/join/", sessions, SECONDS, "POST", "version=1&agree=on"),
        }
    finally:
        server.terminate()
        server.wait(30)
    joined = count_applications()
    hello = pages["hello_world"]["rps"]
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count()},
        "setup": {"connections": CONNECTIONS, "seconds": SECONDS, "registrants": USERS,
                  "server": "gunicorn, prakerja/gunicorn.conf.py (gthread)", "database": "PostgreSQL",
                  "cache_sessions": "Redis (cached_db sessions)"},
        "pages": pages,
        "dashboard_vs_hello": round(pages["dashboard"]["rps"] / hello, 3) if hello else None,
        "join_vs_hello": round(pages["join"]["rps"] / hello, 3) if hello else None,
        "applications_created": joined,
        "goal": "dashboard >= 0.40 of hello_world",
    }
    path = RESULTS / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"report: {path}")


if __name__ == "__main__":
    main()
