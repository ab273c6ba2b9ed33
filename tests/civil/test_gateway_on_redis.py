"""The breaker is shared by every process through Redis (production's cache), like the rate limit."""

import os
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest

from prakerja.civil.gateway import CircuitOpen, CivilRegistryUnavailable, HttpCivilRegistry, VerifyRequest

pytestmark = pytest.mark.redis
ROOT = Path(__file__).resolve().parents[2]
SITI = VerifyRequest(nik="3273015203950001", kk="3273010108160001", name="Siti Rahmawati",
                     birth_date=date(1995, 3, 12))
# Another process: same Redis, same key prefix, its own client object.
OTHER_PROCESS = """
import django, sys
from datetime import date
django.setup()
from django.conf import settings
settings.CACHES["default"]["KEY_PREFIX"] = sys.argv[1]
from prakerja.civil.gateway import CivilRegistryUnavailable, HttpCivilRegistry, VerifyRequest
client = HttpCivilRegistry(url=sys.argv[2], api_key="sandbox-dukcapil-key", timeout=2, retries=0,
                           rate_per_second=50, breaker_failures=2, breaker_cooldown=30)
try:
    client.verify(VerifyRequest(nik="3273015203950001", kk="3273010108160001", name="Siti Rahmawati",
                                birth_date=date(1995, 3, 12)))
    print("called")
except CivilRegistryUnavailable as exc:
    print(type(exc).__name__)
"""


@pytest.fixture
def shared_cache(settings, redis_url):
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": redis_url, "KEY_PREFIX": prefix}}
    yield prefix, redis_url
    import redis

    server = redis.Redis.from_url(redis_url)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def other_process(prefix, redis_url, url):
    env = {**os.environ, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "prakerja.settings"}
    return subprocess.run([sys.executable, "-c", OTHER_PROCESS, prefix, url], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]


def test_an_open_breaker_is_seen_by_another_process(shared_cache, sandbox):
    prefix, redis_url = shared_cache
    url = f"{sandbox.url}/dukcapil/verify"
    sandbox.clear_faults()
    assert other_process(prefix, redis_url, url) == "called"
    client = HttpCivilRegistry(url="http://127.0.0.1:9/dukcapil/verify", api_key="k", timeout=1, retries=0,
                               rate_per_second=50, breaker_failures=2, breaker_cooldown=30)
    for _ in range(2):
        with pytest.raises(CivilRegistryUnavailable):
            client.verify(SITI)
    with pytest.raises(CircuitOpen):
        client.verify(SITI)
    assert other_process(prefix, redis_url, url) == "CircuitOpen"

