"""Our fixed-window limits on Redis (production's cache): one round trip a use, a counter that always expires."""

import pytest

from prakerja.core import ratelimit
from prakerja.core.ratelimit import Limit

pytestmark = pytest.mark.redis

LIMIT = Limit("test-limit", 3, 60)


def test_uses_are_counted_to_the_limit_and_the_counter_expires(redis_cache):
    assert [ratelimit.consume(LIMIT, "someone") for _ in range(3)] == [None, None, None]
    exceeded = ratelimit.consume(LIMIT, "someone")
    assert exceeded is not None and exceeded.limit == LIMIT
    assert ratelimit.remaining(LIMIT, "someone") == 0
    assert ratelimit.consume(LIMIT, "another") is None  # per subject
    assert ratelimit.remaining(LIMIT, "another") == 2
    key, _start = ratelimit._window(LIMIT, "someone", ratelimit.time.time())
    client = redis_cache._cache.get_client(write=True)
    assert 60 < client.ttl(redis_cache.make_key(key)) <= 65  # the window and a margin, never forever
    assert redis_cache.get(key) == 4  # the same value Django's own cache calls read


def test_a_use_is_one_round_trip(redis_cache, monkeypatch):
    ratelimit.consume(LIMIT, "warm")
    sent = []
    pool = redis_cache._cache.get_client(write=True).connection_pool
    connection = pool.get_connection()
    pool.release(connection)  # the warm connection the use below takes: no handshake to count
    connection_class = type(connection)
    real = connection_class.send_packed_command

    def spy(self, command, check_health=True):
        sent.append(command)
        return real(self, command, check_health)

    monkeypatch.setattr(connection_class, "send_packed_command", spy)
    assert ratelimit.consume(LIMIT, "someone") is None
    assert len(sent) == 1
