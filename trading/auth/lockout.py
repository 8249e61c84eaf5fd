"""Failed-login counting, shared by every app instance when Redis is
configured.

Counting is an atomic INCR with an expiry on Redis, so N instances behind a load balancer allow
N× nothing; the embedded default counts in process memory.
"""

from __future__ import annotations

import time
from typing import Protocol

from redis.asyncio import Redis


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
    def __init__(self, redis: Redis, namespace: str) -> None:
        self._redis = redis
        self._ns = namespace

    async def count(self, key: str) -> int:
        value = await self._redis.get(f"{self._ns}:{key}")
        return int(value) if value else 0

    async def add(self, key: str, window_seconds: int) -> int:
        name = f"{self._ns}:{key}"
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, window_seconds, nx=True)
            count, _ = await pipe.execute()
        return int(count)

    async def clear(self, key: str) -> None:
        await self._redis.delete(f"{self._ns}:{key}")
