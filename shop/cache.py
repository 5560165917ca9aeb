"""Django's Redis cache, with one redis-py client per connection pool instead of one per call.

Django's RedisCacheClient.get_client() builds a new redis.Redis object for every cache
operation; its constructor fills a table of ~250 response callbacks, which cost more than the
round trip to Redis itself (a third of a cached page's time in the benchmark). A redis.Redis
client is thread-safe and holds nothing but its pool, so one per pool serves every call.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class StoreRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
