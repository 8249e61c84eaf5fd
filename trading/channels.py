"""The app's channels (in-process, or Redis pub/sub across instances), made to survive a Redis
blip.

Litestar 2.25's `ChannelsPlugin` starts two bare tasks that neither catch errors nor restart: after
Redis goes away for a moment, an instance stops receiving for good and its shutdown hangs (shared
notes, wave2-pitfalls §1). Here both workers retry. Pub/sub drops what is sent while the link is
down, so every feature numbers its messages and lets clients reload a gap (the auction room's
clock ticks carry the last number). `tests/bidding/auctions/test_redis_blip.py` kills a Redis to
catch an upgrade that changes the private workers this overrides.
"""

from __future__ import annotations

import asyncio
import logging

from litestar.channels import ChannelsPlugin
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("trading.channels")

LOST = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientChannelsPlugin(ChannelsPlugin):
    async def _sub_worker(self) -> None:
        delay = 0.2
        while True:
            try:
                async for channel, payload in self._backend.stream_events():
                    delay = 0.2
                    for subscriber in self._channels.get(channel, []):
                        subscriber.put_nowait(payload)
            except LOST:
                logger.warning("channels: redis lost, retrying in %.1fs", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)

    async def _pub_worker(self) -> None:
        while self._pub_queue:
            data, channels = await self._pub_queue.get()
            try:
                await self._backend.publish(data, channels)
            except LOST:
                logger.warning("channels: publish dropped while redis is away")
            finally:
                self._pub_queue.task_done()
