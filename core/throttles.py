"""Fixed-window rate limits in the cache (Redis with REDIS_URL, so they hold across processes)."""

from __future__ import annotations

import hashlib
import math
import time

from django.core.cache import cache

from core.env import parse_rate


def _window(key: str, rate: str) -> tuple[str, int, int]:
    limit, period = parse_rate(rate) or (60, 60)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"rate:{digest}:{int(time.time() // period)}", limit, period


def _retry_after(period: int) -> int:
    return max(1, math.ceil(period - time.time() % period))


async def rate_exceeded(key: str, rate: str) -> int | None:
    """Count one event for ``key``; the seconds to wait when it went over ``rate``, else None."""
    window, limit, period = _window(key, rate)
    await cache.aadd(window, 0, period + 1)
    try:
        count = await cache.aincr(window)
    except ValueError:  # expired between add and incr
        await cache.aset(window, 1, period + 1)
        count = 1
    return _retry_after(period) if count > limit else None
