"""The kit's breaker and rate limit on Redis (production's cache): one state for every process."""

import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from prakerja.core import outside
from prakerja.core.outside import CircuitBreaker, CircuitOpen, Guard, RateLimit, TransientError

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]
# Another process: same Redis, same key prefix, its own objects. It starts
# once and then answers commands on stdin, so each check takes milliseconds:
# other test runs sharing this Redis database flush it now and then.
OTHER_PROCESS = """
import sys
import django
django.setup()
from django.conf import settings
settings.CACHES["default"]["KEY_PREFIX"] = sys.argv[1]
from prakerja.core import outside

class Still:
    now = 0.0
    def time(self):
        return self.now

breaker = outside.CircuitBreaker("partner", failures=2, cooldown=30, trial_lease=5)
rate = outside.RateLimit("partner", per_second=3)
print("ready", flush=True)
for line in sys.stdin:
    action, *args = line.split()
    if action == "fail":
        breaker.failure(trial=False)
        print("failed", flush=True)
    elif action == "admit":
        try:
            print("trial" if breaker.admit() else "closed", flush=True)
        except outside.CircuitOpen as exc:
            print(f"CircuitOpen: {exc}", flush=True)
    elif action == "take":
        outside.time = Still()
        outside.time.now = float(args[0])
        print(" ".join(str(rate.take()) for _ in range(int(args[1]))), flush=True)
"""


@pytest.fixture
def shared_cache(settings, redis_url):
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": "prakerja.cache.PooledRedisCache", "LOCATION": redis_url,
                                   "KEY_PREFIX": prefix}}
    yield prefix, redis_url
    import redis

    server = redis.Redis.from_url(redis_url)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


@pytest.fixture
def other_process(shared_cache):
    prefix, redis_url = shared_cache
    env = {**os.environ, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "prakerja.settings"}
    process = subprocess.Popen([sys.executable, "-c", OTHER_PROCESS, prefix], cwd=ROOT, env=env, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdout.readline().strip() == "ready"

    def ask(*command) -> str:
        process.stdin.write(" ".join(map(str, command)) + "\n")
        process.stdin.flush()
        return process.stdout.readline().strip()

    yield ask
    process.stdin.close()
    process.wait(timeout=10)


def breaker(cooldown=30):
    return CircuitBreaker("partner", failures=2, cooldown=cooldown, trial_lease=5)


def test_failures_add_up_across_processes_and_the_open_breaker_is_seen_by_all(other_process):
    guard = Guard(breaker=breaker(), rate=RateLimit("partner", per_second=50))

    def down(attempt):
        raise TransientError("status 503")

    with pytest.raises(TransientError):
        guard.call(down)
    assert other_process("admit") == "closed"
    assert other_process("fail") == "failed"  # the second failure in a row, elsewhere
    assert guard.breaker.is_open()
    with pytest.raises(CircuitOpen, match="circuit open"):
        guard.call(down)
    assert other_process("admit") == "CircuitOpen: partner: circuit open"


def test_one_trial_across_processes(other_process):
    here = breaker(cooldown=0)  # half-open as soon as it opens
    here.failure(trial=False)
    here.failure(trial=False)
    assert here.admit() is True
    assert other_process("admit") == "CircuitOpen: partner: circuit half-open, trial call in flight"
    here.success(trial=True)
    here.end_trial()
    assert other_process("admit") == "closed"


def test_one_trial_across_threads(shared_cache):
    here = breaker(cooldown=0)
    here.failure(trial=False)
    here.failure(trial=False)
    start, admitted, refused = threading.Barrier(8), [], []

    def admit():
        start.wait()
        try:
            admitted.append(breaker().admit())  # each thread its own object and Redis client
        except CircuitOpen:
            refused.append(True)

    threads = [threading.Thread(target=admit) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert admitted == [True] and len(refused) == 7


def test_the_rate_limit_is_shared_across_processes(other_process, monkeypatch):
    second = int(time.time()) + 3600  # a window no real traffic can touch

    class Still:
        @staticmethod
        def time():
            return float(second)

    monkeypatch.setattr(outside, "time", Still())
    assert other_process("take", second, 2) == "True True"
    rate = RateLimit("partner", per_second=3)
    assert [rate.take(), rate.take()] == [True, False]
    assert other_process("take", second + 1, 1) == "True"
