"""The Redis cache, degrading instead of failing while Redis is unreachable.

Everything this project keeps in the cache can be lost: rate-limit windows, cached weather
answers, the assistant's list of MCP servers, used WebSocket tickets. So while Redis is down (or
restarting) a read is a miss, a write is skipped and ``incr`` reports a missing key — requests
go on (rate limits open, caches recompute, a ticket must be fetched again) instead of becoming
500s. Each outage is logged once per process until Redis answers again. The socket timeouts in
settings (REDIS_TIMEOUT_SECONDS) keep a dead Redis from holding requests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("chatkit.cache")

OUTAGE = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    _down = False

    def _guarded(self, call: Callable[[], Any], fallback: Any) -> Any:
        try:
            result = call()
        except OUTAGE as exc:
            if not ResilientRedisCache._down:
                ResilientRedisCache._down = True
                logger.warning("Redis unreachable, the cache is bypassed until it answers: %s", exc)
            if isinstance(fallback, BaseException):
                raise fallback from exc
            return fallback
        if ResilientRedisCache._down:
            ResilientRedisCache._down = False
            logger.warning("Redis answers again; the cache is back")
        return result

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        return self._guarded(lambda: super(ResilientRedisCache, self).get(key, default, version), default)

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        return self._guarded(lambda: super(ResilientRedisCache, self).get_many(keys, version), {})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._guarded(lambda: super(ResilientRedisCache, self).has_key(key, version), False)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._guarded(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), None)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded(
            lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), False
        )

    def set_many(
        self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[Any]:
        return self._guarded(lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), [])

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._guarded(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), False)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._guarded(lambda: super(ResilientRedisCache, self).delete(key, version), False)

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        self._guarded(lambda: super(ResilientRedisCache, self).delete_many(keys, version), None)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        missing = ValueError(f"Key '{key}' not found (Redis unreachable)")
        return self._guarded(lambda: super(ResilientRedisCache, self).incr(key, delta, version), missing)

    def clear(self) -> None:
        self._guarded(lambda: super(ResilientRedisCache, self).clear(), None)
