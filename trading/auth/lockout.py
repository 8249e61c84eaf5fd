"""Password guessing: failed logins counted per account and per client address, and temporary
lockouts, shared by every app instance when Redis is configured.

Counting is an atomic INCR with an expiry on Redis, so N instances behind a load balancer allow
N× nothing; the embedded default counts in process memory.

- An account's lockout grows: each lockout within a day lasts twice the one before (15 min,
  30 min, 1 h ... at most a day), so guessing stays slow; an administrator lifts it at once.
- An address's lockout is short and does not grow: a whole office behind one address (or one
  proxy) is never kept out for long by one person's typing or by someone guessing from inside.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger("trading.auth")
OUTAGE = (RedisError, OSError)
# How long earlier lockouts of an account count towards the next one's length, and its maximum.
LOCKOUT_MEMORY_SECONDS = 24 * 3600
MAX_LOCKOUT_SECONDS = 24 * 3600


class FailureCounter(Protocol):
    async def count(self, key: str) -> int: ...
    async def add(self, key: str, window_seconds: int) -> int: ...
    async def remaining(self, key: str) -> int: ...
    async def clear(self, key: str) -> None: ...


class MemoryFailureCounter:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._entries: dict[str, tuple[int, float]] = {}
        self._now = monotonic

    async def count(self, key: str) -> int:
        count, expires = self._entries.get(key, (0, 0.0))
        return count if expires > self._now() else 0

    async def add(self, key: str, window_seconds: int) -> int:
        now = self._now()
        count, expires = self._entries.get(key, (0, 0.0))
        if expires <= now:
            count, expires = 0, now + window_seconds
        self._entries[key] = (count + 1, expires)
        return count + 1

    async def remaining(self, key: str) -> int:
        count, expires = self._entries.get(key, (0, 0.0))
        return max(0, math.ceil(expires - self._now())) if count else 0

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

    async def remaining(self, key: str) -> int:
        try:
            milliseconds = await self._redis.pttl(f"{self._ns}:{key}")
        except OUTAGE:
            return await self._fallback.remaining(key)
        return max(0, math.ceil(milliseconds / 1000))

    async def clear(self, key: str) -> None:
        await self._fallback.clear(key)
        try:
            await self._redis.delete(f"{self._ns}:{key}")
        except OUTAGE:
            logger.warning("login failure counter: redis unavailable, key left to expire")


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int
    max_failures_per_client: int
    account_lockout_seconds: int
    client_lockout_seconds: int


def account_key(username: str) -> str:
    return f"user:{username.lower()}"


def client_key(address: str) -> str:
    return f"client:{address}"


async def locked_for(counter: FailureCounter, key: str) -> int:
    """Seconds until the lockout of `key` ends; 0 when it is not locked out."""
    return await counter.remaining(f"locked:{key}")


async def count_failure(counter: FailureCounter, key: str, limit: int, seconds: int, *, grow: bool) -> None:
    """Count a failure; the `limit`-th within `seconds` locks the key out."""
    if await counter.add(key, seconds) < limit:
        return
    await counter.clear(key)
    level = await counter.add(f"lockouts:{key}", LOCKOUT_MEMORY_SECONDS) if grow else 1
    await counter.add(f"locked:{key}", min(seconds * 2 ** (level - 1), MAX_LOCKOUT_SECONDS))


async def lift(counter: FailureCounter, key: str) -> None:
    """An administrator ends a lockout: the failures and earlier lockouts are forgotten too."""
    for name in (key, f"locked:{key}", f"lockouts:{key}"):
        await counter.clear(name)
