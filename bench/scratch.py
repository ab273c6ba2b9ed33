"""A scratch database for one bench module (bench/search.py, bench/stats.py), on either engine.

Each step of a bench runs in a fresh Python process (``child``) with production-like settings, so
one step's caches and connections never flatter the next.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench.selection import psql

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PY = sys.executable


class Scratch:
    def __init__(self, name: str):
        self.module = f"bench.{name}"
        self.db = f"prakerja_bench_{name}"
        self.pg_url = f"postgres://postgres@127.0.0.1:5432/{self.db}"
        self.sqlite_dir = RESULTS / f"{name}-sqlite"
        self.keep_variable = f"BENCH_{name.upper()}_KEEP"

    def environment(self, engine: str) -> dict:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "prakerja.settings", "PYTHONPATH": str(ROOT),
               "DEBUG": "false", "LOG_LEVEL": "WARNING", "PRAKERJA_BENCH": "true"}
        for name in ("DATABASE_URL", "REDIS_URL", "PRAKERJA_VAR_DIR", "HUEY_IMMEDIATE"):
            env.pop(name, None)
        if engine == "postgres":
            env["DATABASE_URL"] = self.pg_url
        else:
            env["PRAKERJA_VAR_DIR"] = str(self.sqlite_dir)
        return env

    def child(self, engine: str, *args: str) -> dict:
        """Run one step in a fresh Python process; its last stdout line is its JSON result."""
        out = subprocess.run([PY, "-m", self.module, "--step", *args], cwd=ROOT, env=self.environment(engine),
                             check=True, stdout=subprocess.PIPE, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    def fresh_database(self, engine: str) -> float:
        began = time.monotonic()
        if engine == "postgres":
            psql(f"DROP DATABASE IF EXISTS {self.db}")
            psql(f"CREATE DATABASE {self.db}")
        else:
            shutil.rmtree(self.sqlite_dir, ignore_errors=True)
            self.sqlite_dir.mkdir(parents=True)
        subprocess.run([PY, "manage.py", "migrate", "-v0", "--skip-checks"], cwd=ROOT,
                       env=self.environment(engine), check=True)
        return round(time.monotonic() - began, 1)

    def drop_database(self, engine: str) -> None:
        if os.environ.get(self.keep_variable) == "1":
            return
        if engine == "postgres":
            psql(f"DROP DATABASE IF EXISTS {self.db}")
        else:
            shutil.rmtree(self.sqlite_dir, ignore_errors=True)
