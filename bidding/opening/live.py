"""Live events of an opening: a numbered row in the database first, a channel message after commit.

The database is the source of truth: every event gets the next sequence number of its section in
the same transaction as the change it reports. Channels only notify (in-process by default, Redis
pub/sub across instances) and may lose a message (a Redis outage). So each socket (`Follower`)
sends every event exactly once and in order: a live message that skips a number first fetches the
missing ones from the database, and every few seconds the socket looks for events it has not sent
(an event committed while Redis was down reaches followers without a reconnect).
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
from redis.exceptions import RedisError
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.opening.models import Opening, OpeningEvent
from trading.db.session import Database
from trading.ids import new_id

PENDING = "bidding.opening.live"
logger = logging.getLogger("bidding.opening")


def channel(section_id: uuid.UUID | str) -> str:
    return f"opening:{section_id}"


def message(event: OpeningEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "kind": event.kind,
        "section_id": str(event.section_id),
        "at": event.at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "data": event.data,
    }


async def add_event(
    session: AsyncSession, opening: Opening, kind: str, data: dict[str, Any], *, at: dt.datetime
) -> OpeningEvent:
    """Number and store an event (the opening row is locked by the caller's transaction)."""
    opening.last_event += 1
    event = OpeningEvent(section_id=opening.section_id, seq=opening.last_event, kind=kind, data=data, at=at)
    session.add(event)
    session.info.setdefault(PENDING, []).append(event)
    return event


async def add_events(
    session: AsyncSession, opening: Opening, events: list[tuple[str, dict[str, Any]]], *, at: dt.datetime
) -> None:
    """Number and store many events with one multi-row insert (an opening's 1,000 decisions: the
    ORM's unit of work for them cost more than the inserts themselves; issue 23). The events sent
    after commit are not attached to the session."""
    rows = []
    for kind, data in events:
        opening.last_event += 1
        rows.append(
            OpeningEvent(
                id=new_id(),
                section_id=opening.section_id,
                seq=opening.last_event,
                kind=kind,
                data=data,
                at=at,
            )
        )
    if not rows:
        return
    table = OpeningEvent.__table__
    await session.execute(
        insert(table), [{column.key: getattr(row, column.key) for column in table.columns} for row in rows]
    )
    session.info.setdefault(PENDING, []).extend(rows)


async def publish_committed(session: AsyncSession, channels: ChannelsPlugin) -> None:
    """Send the events of the transaction just committed to the section's channel.

    The change is committed whatever happens here: a failed send (Redis down) is logged, never
    turned into an error answer; followers fetch the event by its number (`after=` on the socket,
    or /opening/events)."""
    for event in session.info.pop(PENDING, []):
        try:
            await channels.wait_published(
                json.dumps(message(event), ensure_ascii=False), channel(event.section_id)
            )
        except (RedisError, OSError):
            logger.warning("opening event %s #%s not sent live; followers reload it", event.kind, event.seq)


async def events_after(
    session: AsyncSession, section_id: uuid.UUID, after: int, limit: int = 500
) -> list[OpeningEvent]:
    rows = await session.scalars(
        select(OpeningEvent)
        .where(OpeningEvent.section_id == section_id, OpeningEvent.seq > after)
        .order_by(OpeningEvent.seq)
        .limit(limit)
    )
    return list(rows.all())


CATCH_UP_SECONDS = 2.0


class Follower:
    """What one socket has sent: every numbered event once, in order, whichever way it came."""

    def __init__(
        self, send_text: Callable[[str], Awaitable[None]], db: Database, section_id: uuid.UUID, upto: int
    ) -> None:
        self._send = send_text
        self._db = db
        self._section_id = section_id
        self._lock = asyncio.Lock()
        self.upto = upto  # every event up to this number has been sent

    async def forward(self, data: bytes | str) -> None:
        """A message from the channel; one without a number (not an event) passes as it is."""
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        seq = _seq_of(text)
        async with self._lock:
            if seq is None:
                await self._send(text)
            elif seq > self.upto:
                await self._send_missing(before=seq)
                if seq == self.upto + 1:
                    await self._send(text)
                    self.upto = seq

    async def catch_up(self) -> None:
        async with self._lock:
            await self._send_missing(before=None)

    async def keep_up(self) -> None:
        """Runs beside the socket: sends what the channel lost."""
        while True:
            await asyncio.sleep(CATCH_UP_SECONDS)
            try:
                await self.catch_up()
            except Exception as error:  # the database or the socket: try again on the next round
                logger.warning("opening follower of %s: catch-up failed (%r)", self._section_id, error)

    async def _send_missing(self, before: int | None) -> None:
        if before is not None and before <= self.upto + 1:
            return
        async with self._db.read_session() as session:
            missed = await events_after(session, self._section_id, self.upto)
        for event in missed:
            if before is not None and event.seq >= before:
                break
            await self._send(json.dumps(message(event), ensure_ascii=False))
            self.upto = event.seq


def _seq_of(text: str) -> int | None:
    with contextlib.suppress(ValueError, TypeError, AttributeError):
        seq = json.loads(text).get("seq")
        return seq if isinstance(seq, int) else None
    return None
