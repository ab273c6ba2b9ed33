"""Django's Redis cache, with one client per connection pool and thread, each holding a connection.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache
operation; in redis-py 8 that constructor fills a table of response
callbacks, about 0.1 ms each time. Pages touch the cache several times
(session, rate limits, the bell, open waves), so the clients are kept.

Each thread's client holds a connection of its own (redis-py's
``single_connection_client``): a command does not borrow one from the pool
and give it back. In redis-py 8 the borrowing costs more of the interpreter
than sending the command and reading the reply (its argument-deprecation
wrapper, a poll of the socket, four connection-count metrics, the pool's
lock): half of what a signed-in request's session read held the GIL for,
under ``make bench``'s load. A gunicorn worker has a few threads, so it
keeps a few connections. A connection is checked before each use as the
pool checks one it lends, so one the server closed (a restart) is made
again by the command; a forked child makes clients of its own, never using
its parent's sockets. Pipelines still borrow from the pool.

It also sends a few commands in one round trip where a caller needs that
(``lock_and_get``, ``set_and_unlock``, ``add_and_incr``): each round trip is about 50 µs of
CPU here, most of it the socket's system calls.
"""

import os
import threading

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError


class PooledRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._local = threading.local()

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        local = self._local
        pid = os.getpid()
        if getattr(local, "pid", None) != pid:  # this thread's first command, or the first after a fork
            local.pid, local.clients = pid, {}
        client = local.clients.get(id(pool))
        if client is None:
            # Connects now: if Redis is down this raises, as the command would have, and nothing is kept.
            client = local.clients[id(pool)] = self._client(connection_pool=pool, single_connection_client=True)
        else:
            _check(client.connection)
        return client


def _check(connection) -> None:
    """As the pool checks a connection it lends: one with a reply nobody read, or closed by the server (a
    restart, an idle timeout), is dropped, and the command connects again."""
    try:
        stale = connection.can_read()
    except (OSError, RedisConnectionError, RedisTimeoutError):  # OSError: the builtin connection errors too
        stale = True
    if stale:
        connection.disconnect()


class PooledRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledRedisCacheClient

    # --- a few operations in one round trip (prakerja/accounts/ratelimits.py) ----------------------

    def lock_and_get(self, keys: list[str], lock_timeout: int) -> tuple[list[bool], list]:
        """For each key, ``add(f"{key}:lock", True, lock_timeout)`` then ``get(key)``, all in one round trip.

        The same Redis commands, keys and values as those cache calls would
        send one by one; a value is read whether or not its lock was taken
        (the caller ignores those it did not lock).
        """
        client = self._cache.get_client(write=True)
        dumps, loads = self._cache._serializer.dumps, self._cache._serializer.loads
        pipe = client.pipeline(transaction=False)
        timeout = self.get_backend_timeout(lock_timeout)
        for key in keys:
            pipe.set(self.make_and_validate_key(f"{key}:lock"), dumps(True), ex=timeout, nx=True)
        for key in keys:
            pipe.get(self.make_and_validate_key(key))
        replies = pipe.execute()
        return ([bool(reply) for reply in replies[:len(keys)]],
                [None if reply is None else loads(reply) for reply in replies[len(keys):]])

    def set_and_unlock(self, values: dict[str, tuple], unlock: list[str]) -> None:
        """``set(key, value, timeout)`` for each key -> (value, timeout), then ``delete(f"{key}:lock")``
        for each key in ``unlock``: one round trip."""
        client = self._cache.get_client(write=True)
        dumps = self._cache._serializer.dumps
        pipe = client.pipeline(transaction=False)
        for key, (value, timeout) in values.items():
            timeout = self.get_backend_timeout(timeout)
            if timeout == 0:
                pipe.delete(self.make_and_validate_key(key))
            else:
                pipe.set(self.make_and_validate_key(key), dumps(value), ex=timeout)
        for key in unlock:
            pipe.delete(self.make_and_validate_key(f"{key}:lock"))
        pipe.execute()

    def add_and_incr(self, key: str, timeout: int) -> int:
        """``add(key, 0, timeout)`` then ``incr(key)`` in one round trip: the count after this one.

        MULTI/EXEC, so the key cannot expire between the two and leave a counter without a lifetime
        (prakerja/core/ratelimit.py: every limit of our own counts through this).
        """
        client = self._cache.get_client(key, write=True)
        redis_key = self.make_and_validate_key(key)
        pipe = client.pipeline(transaction=True)
        pipe.set(redis_key, self._cache._serializer.dumps(0), ex=self.get_backend_timeout(timeout), nx=True)
        pipe.incr(redis_key)
        return pipe.execute()[1]

    # --- a session and its user in one round trip (prakerja/accounts/usercache.py) -------------------

    # KEYS: the session, the user id stored beside it. ARGV: the prefix of the user rows' keys.
    # Returns the session, the user id and the user's row, each false when absent. The row's key is
    # made here from the stored id: the script is for a single Redis server (not a cluster).
    _SESSION_AND_USER = """
local session = redis.call('GET', KEYS[1])
if not session then return {false, false, false} end
local uid = redis.call('GET', KEYS[2])
if not uid then return {session, false, false} end
return {session, uid, redis.call('GET', ARGV[1] .. uid)}
"""

    def session_and_user(self, session_key: str, uid_key: str, user_prefix: str) -> tuple:
        """(session, user id, user row) for a cached session, each None when absent: one round trip.

        Every signed-in request calls this, so it sends EVALSHA itself: redis-py's ``Script`` wraps the
        call in argument-inspecting decorators, and ``make_and_validate_key`` checks each key character by
        character for memcached, a tenth of a signed-in hello's CPU together (``make bench``). The keys
        are made as ``make_key`` makes every other key of this cache.
        """
        client = self._cache.get_client(session_key)
        sha = self.__dict__.get("_session_script_sha")
        if sha is None:
            sha = self.__dict__["_session_script_sha"] = client.script_load(self._SESSION_AND_USER)
        keys = (self.make_key(session_key), self.make_key(uid_key), self.make_key(user_prefix))
        try:
            session, uid, row = client.execute_command("EVALSHA", sha, 2, *keys)
        except NoScriptError:  # the server restarted or flushed its scripts: load it again
            session, uid, row = client.execute_command("EVAL", self._SESSION_AND_USER, 2, *keys)
        loads = self._cache._serializer.loads
        return (None if session is None else loads(session), None if uid is None else loads(uid),
                None if row is None else loads(row))

    def set_session(self, session_key: str, data, uid_key: str, uid, timeout) -> None:
        """``set(session_key, data, timeout)`` and the user id beside it (or its removal): one round trip."""
        client = self._cache.get_client(session_key, write=True)
        dumps = self._cache._serializer.dumps
        timeout = self.get_backend_timeout(timeout)
        pipe = client.pipeline(transaction=False)
        if timeout == 0:
            pipe.delete(self.make_and_validate_key(session_key), self.make_and_validate_key(uid_key))
        else:
            pipe.set(self.make_and_validate_key(session_key), dumps(data), ex=timeout)
            if uid is None:
                pipe.delete(self.make_and_validate_key(uid_key))
            else:
                pipe.set(self.make_and_validate_key(uid_key), dumps(uid), ex=timeout)
        pipe.execute()
