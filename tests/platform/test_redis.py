"""The production stack's Redis parts: cache, rate limits, sessions, queue, health.

These run against a real Redis (TEST_REDIS_URL, default db 15). Locally they
skip when no Redis answers; with CI=true they fail instead.
"""

import json
import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
from django.urls import reverse
from huey import RedisHuey

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.redis, pytest.mark.django_db]
ROOT = Path(__file__).resolve().parents[2]


def test_cache_round_trip(redis_cache):
    redis_cache.set("k", {"v": 1}, 30)
    assert redis_cache.get("k") == {"v": 1}
    from django.core.cache import caches

    assert type(caches["default"]).__name__ == "PooledRedisCache"


def test_each_thread_keeps_a_client_with_a_connection_of_its_own(redis_cache):
    """prakerja/cache.py: a command neither borrows a connection from the pool nor shares one between threads."""
    from django.core.cache import caches

    backend = caches["default"]  # the object itself: Django gives each thread a cache object of its own
    first, again = backend._cache.get_client(), backend._cache.get_client(write=True)
    assert first is again and first.connection is not None
    other = {}
    thread = threading.Thread(target=lambda: other.update(client=backend._cache.get_client()))
    thread.start()
    thread.join()
    assert other["client"] is not first
    assert other["client"].connection is not first.connection
    assert first.connection_pool is other["client"].connection_pool  # one pool, a connection per thread


def test_a_lost_connection_is_made_again(redis_cache, redis_url):
    redis_cache.set("k", "before", 30)
    client = redis_cache._cache.get_client()
    import redis

    redis.Redis.from_url(redis_url).client_kill_filter(_id=client.client_id())  # as a Redis restart would
    assert redis_cache.get("k") == "before"
    redis_cache.set("k", "after", 30)
    assert redis_cache.get("k") == "after"


def test_a_forked_child_makes_its_own_client(redis_cache, monkeypatch):
    parent = redis_cache._cache.get_client()
    monkeypatch.setattr("prakerja.cache.os.getpid", lambda: -1)  # the parent's sockets are not the child's
    child = redis_cache._cache.get_client()
    assert child is not parent and child.connection is not parent.connection
    redis_cache.set("k", "child", 30)
    assert redis_cache.get("k") == "child"


def test_rate_limits_are_shared_through_redis(client, applicant, redis_cache):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": applicant.email, "password": "Salah-Sandi-1"})
    # A second client (another web machine, same Redis) is limited too.
    from django.test import Client

    other = Client()
    blocked = other.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    assert "Terlalu banyak" in blocked.content.decode()


def test_cached_db_sessions_on_redis(client, applicant, redis_cache, settings):
    settings.SESSION_ENGINE = "prakerja.accounts.sessions"  # cached_db, the sign-in's session written once
    client.post(reverse("account_login"), {"login": applicant.email, "password": PASSWORD})
    assert client.get(reverse("dashboard")).status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert redis_cache.get(f"django.contrib.sessions.cached_db{key}") is not None  # in Redis, not only the database
    client.post(reverse("account_logout"))
    assert client.get(reverse("dashboard")).status_code == 302


def test_redis_huey_round_trip(redis_url):
    huey = RedisHuey(f"test-{uuid.uuid4().hex}", url=redis_url, utc=True)

    @huey.task()
    def add(a, b):
        return a + b

    result = add(2, 3)
    assert huey.pending_count() == 1
    task = huey.dequeue()
    huey.execute(task)
    assert result.get() == 5
    huey.storage.flush_all()


def test_healthz_on_redis(client, redis_cache, redis_url, monkeypatch):
    import prakerja.web.health as health

    huey = RedisHuey(f"test-{uuid.uuid4().hex}", url=redis_url, utc=True)
    monkeypatch.setattr(health, "HUEY", huey)
    health.worker_heartbeat()
    body = client.get(reverse("healthz")).json()
    assert body["status"] == "ok"
    assert body["cache"]["backend"] == "PooledRedisCache"
    assert body["queue"]["backend"] == "RedisHuey" and body["queue"]["worker"] == "ok"
    huey.storage.flush_all()


def test_redis_url_switches_cache_sessions_and_queue(redis_url):
    code = ("import django,json;django.setup();from django.conf import settings as s;"
            "print(json.dumps([s.CACHES['default']['BACKEND'], s.SESSION_ENGINE, s.HUEY['huey_class']]))")
    env = {**os.environ, "REDIS_URL": redis_url, "DJANGO_SETTINGS_MODULE": "prakerja.settings"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out.strip().splitlines()[-1]) == [
        "prakerja.cache.PooledRedisCache",
        "prakerja.accounts.sessions",
        "huey.RedisHuey",
    ]
