"""Django's Redis cache, reusing one client object per connection pool.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache
operation; in redis-py 8 that constructor fills a table of response
callbacks, about 0.1 ms each time. Pages touch the cache several times
(session, rate limits, the bell, open waves), so the clients are kept. A
``redis.Redis`` over a connection pool is safe to share between threads.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class PooledRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PooledRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = PooledRedisCacheClient
