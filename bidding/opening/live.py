"""Live events of an opening: a numbered row in the database first, a channel message after commit.

The database is the source of truth: every event gets the next sequence number of its section in
the same transaction as the change it reports. Channels only notify (in-process by default, Redis
pub/sub across instances); a client that sees a gap in the numbers reloads them over HTTP.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

from litestar.channels import ChannelsPlugin
from redis.exceptions import RedisError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.opening.models import Opening, OpeningEvent

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
