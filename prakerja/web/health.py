"""What /healthz checks: the database, the cache, the queue and the worker.

The worker writes a heartbeat into the queue's own storage every minute (the
only store the web and worker processes are sure to share in the embedded
default, where the cache is per process).
"""

import time
import uuid

from django.core.cache import cache, caches
from django.db import connection
from huey.constants import EmptyData
from huey.contrib.djhuey import HUEY

HEARTBEAT_KEY = "prakerja:worker-heartbeat"
HEARTBEAT_STALE_AFTER = 180  # seconds: three missed beats


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connection.vendor}


def check_cache() -> dict:
    key, value = f"healthz:{uuid.uuid4().hex}", "1"
    cache.set(key, value, 10)
    ok = cache.get(key) == value
    cache.delete(key)
    return {"ok": ok, "backend": type(caches["default"]).__name__}


def check_queue() -> dict:
    pending = HUEY.pending_count()
    beat = HUEY.storage.peek_data(HEARTBEAT_KEY)
    age = None
    if beat is not EmptyData:
        try:
            age = round(time.time() - float(beat), 1)
        except (TypeError, ValueError):
            age = None
    worker = "ok" if age is not None and age < HEARTBEAT_STALE_AFTER else "stale"
    return {"ok": True, "backend": type(HUEY).__name__, "pending": pending,
            "worker": worker, "worker_heartbeat_age_s": age}


def worker_heartbeat() -> None:
    HUEY.storage.put_data(HEARTBEAT_KEY, str(time.time()).encode())


CHECKS = {"database": check_database, "cache": check_cache, "queue": check_queue}


def run_checks() -> tuple[bool, dict]:
    report, healthy = {}, True
    for name, check in CHECKS.items():
        try:
            report[name] = check()
        except Exception as exc:  # a health check reports every failure, whatever its type
            report[name] = {"ok": False, "error": type(exc).__name__}
        healthy = healthy and report[name]["ok"]
    return healthy, report
