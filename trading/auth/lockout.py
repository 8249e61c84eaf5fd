"""Failed-login counting, shared by every app instance when Redis is
configured.

Counting is an atomic INCR with an expiry on Redis, so N instances behind a load balancer allow
N× nothing; the embedded default counts in process memory.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger("trading.auth")
OUTAGE = (RedisError, OSError)


class FailureCounter(Protocol):
    async def count(self, key: str) -> int: ...
    async def add(self, key: str, window_seconds: int) -> int: ...
    async def clear(self, key: str) -> None: ...


class MemoryFailureCounter:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[int, float]] = {}

    async def count(self, key: str) -> int:
        count, expires = self._entries.get(key, (0, 0.0))
        return count if expires > time.monotonic() else 0

    async def add(self, key: str, window_seconds: int) -> int:
        now = time.monotonic()
        count, expires = self._entries.get(key, (0, 0.0))
        if expires <= now:
            count, expires = 0, now + window_seconds
        self._entries[key] = (count + 1, expires)
        return count + 1

    async def clear(self, key: str) -> None:
        self._entries.pop(key, None)


class RedisFailureCounter:
    """Counts in Redis; while Redis does not answer, counts in this process, so logging in keeps
    working through an outage (the limits then hold per instance)."""

    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._ns = namespace
        self._fallback = MemoryFailureCounter()

    async def count(self, key: str) -> int:
        try:
            value = await self._redis.get(f"{self._ns}:{key}")
        except OUTAGE:
            logger.warning("login failure counter: redis unavailable, counting in process")
            return await self._fallback.count(key)
        return int(value) if value else 0

    async def add(self, key: str, window_seconds: int) -> int:
        name = f"{self._ns}:{key}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(name)
                pipe.expire(name, window_seconds, nx=True)
                count, _ = await pipe.execute()
        except OUTAGE:
            return await self._fallback.add(key, window_seconds)
        return int(count)

    async def clear(self, key: str) -> None:
        await self._fallback.clear(key)
        try:
            await self._redis.delete(f"{self._ns}:{key}")
        except OUTAGE:
            logger.warning("login failure counter: redis unavailable, key left to expire")
