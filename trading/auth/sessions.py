"""Whether a login token still speaks for its user, checked on every authenticated request.

A token carries the account's token version at the time it was issued. Deactivating the account,
changing or resetting its password and logging out raise the version in the database, so every
older token is refused, on every instance and after any restart: the database is the truth.

Reading the database on every request would cost a query each time, so the account's state is
cached for a few seconds: in Redis when configured (shared, so an instance that ends a session
clears the entry for all), in process memory otherwise (one process only). When Redis does not
answer, the check reads the database directly: sessions keep working through a Redis outage.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from trading.auth.models import User

logger = logging.getLogger("trading.auth")


@dataclass(frozen=True)
class AccountState:
    active: bool
    token_version: int

    def accepts(self, token_version: object) -> bool:
        return self.active and token_version == self.token_version

    def encode(self) -> str:
        return f"{int(self.active)}:{self.token_version}"

    @classmethod
    def decode(cls, raw: bytes | str) -> AccountState:
        text = raw.decode() if isinstance(raw, bytes) else raw
        active, version = text.split(":")
        return cls(active == "1", int(version))


GONE = AccountState(active=False, token_version=-1)


class SessionStates:
    """The current state of accounts, as the token check needs it."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        redis: Redis | None,
        namespace: str,
        cache_seconds: float,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._redis = redis
        self._namespace = namespace
        self._cache_seconds = cache_seconds
        self._local: dict[uuid.UUID, tuple[AccountState, float]] = {}

    def _key(self, user_id: uuid.UUID) -> str:
        return f"{self._namespace}:account-state:{user_id}"

    async def current(self, user_id: uuid.UUID) -> AccountState:
        cached = await self._cached(user_id)
        if cached is not None:
            return cached
        state = await self._load(user_id)
        await self._remember(user_id, state)
        return state

    async def forget(self, user_id: uuid.UUID) -> None:
        """Called after a commit that changed the account: the next check reads the database."""
        self._local.pop(user_id, None)
        if self._redis is None:
            return
        try:
            await self._redis.delete(self._key(user_id))
        except (RedisError, OSError):
            # The entry expires within cache_seconds by itself.
            logger.warning("account state cache: redis unavailable, entry left to expire")

    async def _cached(self, user_id: uuid.UUID) -> AccountState | None:
        if self._cache_seconds <= 0:
            return None
        if self._redis is None:
            state, expires = self._local.get(user_id, (None, 0.0))
            return state if expires > time.monotonic() else None
        try:
            raw = await self._redis.get(self._key(user_id))
        except (RedisError, OSError):
            return None
        return AccountState.decode(raw) if raw else None

    async def _remember(self, user_id: uuid.UUID, state: AccountState) -> None:
        if self._cache_seconds <= 0:
            return
        if self._redis is None:
            self._local[user_id] = (state, time.monotonic() + self._cache_seconds)
            return
        with contextlib.suppress(RedisError, OSError):
            await self._redis.set(self._key(user_id), state.encode(), px=int(self._cache_seconds * 1000))

    async def _load(self, user_id: uuid.UUID) -> AccountState:
        async with self._sessionmaker() as session:
            row = (
                await session.execute(select(User.active, User.token_version).where(User.id == user_id))
            ).one_or_none()
        return GONE if row is None else AccountState(bool(row.active), int(row.token_version))
