"""The auction room: accepted bids pushed to every watcher, and the server's clock.

The database decides: a bid is numbered (`Listing.last_seq`) in the transaction that accepts it.
After the commit, its message goes to the listing's channel (Redis pub/sub across instances when
configured). Pub/sub may drop a message (a Redis blip), so each instance also sends its watchers
the room's state once per tick (`clock` messages: the server time, the status, the end, the last
number); a watcher whose last number is behind reloads `/bids?after=` and never misses a bid.
A tick also settles what the clock decided (the listing or the auction ended) exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from litestar.channels import ChannelsPlugin
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.auctions.models import AuctionBid
from trading.money import format_yuan

logger = logging.getLogger("bidding.auctions")

PENDING = "bidding.auctions.live"
TICK_SECONDS = 1.0


def channel(listing_id: uuid.UUID | str) -> str:
    return f"auction:{listing_id}"


def iso(instant: dt.datetime | None) -> str | None:
    return instant.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if instant else None


def bid_message(bid: AuctionBid) -> dict[str, Any]:
    """One accepted offer or bid as watchers and the audit log see it: the bidder by number only."""
    return {
        "kind": "bid",
        "seq": bid.seq,
        "phase": bid.phase,
        "number": bid.number,
        "price": format_yuan(bid.price_fen),
        "at": iso(bid.placed_at),
        "auction_end": iso(bid.auction_end),
    }


def stage(session: AsyncSession, listing_id: uuid.UUID, message: dict[str, Any]) -> None:
    """Keep a message to send once the transaction has committed (never before)."""
    session.info.setdefault(PENDING, []).append((listing_id, message))


def discard(session: AsyncSession) -> None:
    session.info.pop(PENDING, None)


async def publish_committed(session: AsyncSession, channels: ChannelsPlugin) -> None:
    """Send the messages of the transaction just committed. A failed publish is logged, not
    raised: the bid stands, and the watchers' next clock tick shows them the gap."""
    for listing_id, message in session.info.pop(PENDING, []):
        try:
            await channels.wait_published(json.dumps(message, ensure_ascii=False), channel(listing_id))
        except Exception:
            logger.warning("auction room %s: publish of %s dropped", listing_id, message.get("kind"))


Send = Callable[[dict[str, Any]], Awaitable[None]]
Tick = Callable[[uuid.UUID], Awaitable[dict[str, Any]]]


class Rooms:
    """Per app instance: one clock task per listing with watchers here, however many they are."""

    def __init__(self, tick: Tick, every: float = TICK_SECONDS) -> None:
        self._tick = tick
        self._every = every
        self._watchers: dict[uuid.UUID, set[Send]] = {}
        self._tasks: dict[uuid.UUID, asyncio.Task[None]] = {}

    @contextlib.asynccontextmanager
    async def watching(self, listing_id: uuid.UUID, send: Send):  # type: ignore[no-untyped-def]
        self._watchers.setdefault(listing_id, set()).add(send)
        if listing_id not in self._tasks:
            self._tasks[listing_id] = asyncio.create_task(self._run(listing_id))
        try:
            yield
        finally:
            watchers = self._watchers.get(listing_id, set())
            watchers.discard(send)
            if not watchers:
                self._watchers.pop(listing_id, None)
                task = self._tasks.pop(listing_id, None)
                if task is not None:
                    task.cancel()

    async def _run(self, listing_id: uuid.UUID) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                state = await self._tick(listing_id)
            except Exception:
                logger.exception("auction room %s: clock tick failed", listing_id)
                continue
            for send in list(self._watchers.get(listing_id, ())):
                with contextlib.suppress(Exception):
                    await send(state)
