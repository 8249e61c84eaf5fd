"""Domain events through an outbox: one package reacts to another's change without importing it.

`publish` writes the event as a row in the publisher's transaction, so the event exists exactly
when the change does. `dispatch_pending` runs registered handlers after commit; each handler runs
in its own transaction with the event marked handled in the same commit, so a crash re-runs it
and a success never runs twice. With PostgreSQL, `FOR UPDATE SKIP LOCKED` lets several instances
dispatch side by side without taking the same event.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin

logger = logging.getLogger("trading.events")

Handler = Callable[[AsyncSession, dict[str, Any], dt.datetime], Awaitable[None]]


class OutboxEvent(IdMixin, Base):
    __tablename__ = "outbox_event"

    name: Mapped[str] = mapped_column(String(80), index=True)
    payload: Mapped[dict[str, Any]]
    occurred_at: Mapped[dt.datetime]
    handled_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


class EventBus:
    """Handlers by event name, registered by the composition root."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}

    def subscribe(self, name: str, handler: Handler) -> None:
        self._handlers.setdefault(name, []).append(handler)

    def handlers(self, name: str) -> list[Handler]:
        return self._handlers.get(name, [])

    async def dispatch_pending(
        self, sessionmaker: async_sessionmaker[AsyncSession], now: Callable[[], dt.datetime], limit: int = 100
    ) -> int:
        """Handle up to `limit` pending events; returns how many were handled."""
        handled = 0
        failed: list[uuid.UUID] = []
        for _ in range(limit):
            async with sessionmaker() as session:
                query = (
                    select(OutboxEvent)
                    .where(OutboxEvent.handled_at.is_(None), OutboxEvent.attempts < 10)
                    .where(OutboxEvent.id.not_in(failed))
                    .order_by(OutboxEvent.id)
                    .limit(1)
                )
                if session.bind.dialect.name == "postgresql":
                    query = query.with_for_update(skip_locked=True)
                event = await session.scalar(query)
                if event is None:
                    return handled
                # A rollback expires the row: keep what the failure path needs.
                event_id, event_name = event.id, event.name
                try:
                    for handler in self.handlers(event.name):
                        await handler(session, event.payload, now())
                    event.handled_at = now()
                    await session.commit()
                    handled += 1
                except Exception as exc:
                    await session.rollback()
                    logger.exception("event %s (%s) failed", event_id, event_name)
                    failed.append(event_id)
                    await _record_failure(sessionmaker, event_id, repr(exc)[:500])
        return handled


async def _record_failure(
    sessionmaker: async_sessionmaker[AsyncSession], event_id: uuid.UUID, error: str
) -> None:
    async with sessionmaker() as session:
        event = await session.get(OutboxEvent, event_id)
        if event is not None:
            event.attempts += 1
            event.last_error = error
            await session.commit()


def publish(session: AsyncSession, name: str, payload: dict[str, Any], *, at: dt.datetime) -> None:
    """Record an event in the caller's transaction (the caller commits)."""
    session.add(OutboxEvent(name=name, payload=payload, occurred_at=at, handled_at=None, attempts=0))
