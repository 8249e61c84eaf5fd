"""Live channels that survive a Redis outage (shared/notes/wave2-pitfalls.md §1).

Litestar's ChannelsPlugin starts a subscriber task and a publisher task that die on the first
Redis error and are never restarted: after a blip the instance stays deaf to every other
instance until it is restarted. Here both workers catch the error and carry on; the subscriber
retries with a growing delay (at most 2 s, so delivery resumes within seconds of Redis
returning) and redis-py's PubSub subscribes again to the channels it knew.

Messages sent while Redis is down are lost, as with any pub/sub: the database holds every live
event with its sequence number, and clients fetch what they missed by number.
The workers are private API of Litestar 2.25: tests/security/test_redis_outage.py kills a Redis
to catch an upgrade that changes them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from litestar.channels import ChannelsPlugin, Subscriber
from redis.exceptions import RedisError

logger = logging.getLogger("trading.channels")
FIRST_RETRY_SECONDS = 0.1
MAX_RETRY_SECONDS = 2.0
OUTAGE = (RedisError, OSError)


class ResilientChannelsPlugin(ChannelsPlugin):
    async def subscribe(self, channels: str | Iterable[str], history: int | None = None) -> Subscriber:
        """As Litestar's, but a subscription Redis refused leaves nothing behind: Litestar keeps the
        new subscriber registered, so the next subscription to the channel would not ask Redis and
        the instance would stay deaf to it."""
        names = [channels] if isinstance(channels, str) else list(channels)
        before = {name: set(self._channels.get(name, ())) for name in names}
        try:
            return await super().subscribe(names, history)
        except OUTAGE:
            for name in names:
                # The refused subscriber is new and not started; so, rarely, is one subscribed at the
                # same instant, dropped with it (its socket then gets no live events, only hello).
                kept = {s for s in self._channels.get(name, ()) if s in before[name] or s.is_running}
                if kept:
                    self._channels[name] = kept
                else:
                    self._channels.pop(name, None)
            raise

    async def _sub_worker(self) -> None:
        delay = FIRST_RETRY_SECONDS
        while True:
            try:
                async for channel, payload in self._backend.stream_events():
                    delay = FIRST_RETRY_SECONDS
                    for subscriber in self._channels.get(channel, []):
                        subscriber.put_nowait(payload)
            except OUTAGE:
                logger.warning("live channels: redis lost; listening again in %.1f s", delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_RETRY_SECONDS)

    async def _pub_worker(self) -> None:
        while self._pub_queue:
            data, channels = await self._pub_queue.get()
            try:
                await self._backend.publish(data, channels)
            except OUTAGE:
                logger.warning("live channels: redis unavailable; a message was not sent")
            finally:
                self._pub_queue.task_done()
