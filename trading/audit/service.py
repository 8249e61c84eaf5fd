"""Writing and verifying the audit chain.

`record` is called by every use case that changes state, inside the use case's transaction, so
the change and its audit event commit or roll back together. Appends are serialised (an advisory
lock on PostgreSQL, the database write lock on SQLite) so the chain never forks.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.checkpoints import LogSource, TreeCheck
from trading.audit.models import AuditEvent
from trading.audit.offline import canonical_json
from trading.ids import new_id

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 727100002


@dataclass(frozen=True)
class Actor:
    """Who did it: a user, or the platform itself (jobs, bank feed)."""

    id: uuid.UUID | None
    name: str


SYSTEM = Actor(id=None, name="system")


def sha256_hex(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def event_leaf(event: Any) -> bytes:
    """The event as a leaf of the audit log's Merkle tree: every column, its data digest and the
    previous hash, in canonical JSON (the same bytes the chain hash is taken over)."""
    return canonical_json(
        {
            "seq": event.seq,
            "id": str(event.id),
            "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(),
            "actor_id": str(event.actor_id) if event.actor_id else None,
            "actor_name": event.actor_name,
            "action": event.action,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "data_digest": event.data_digest,
            "prev_hash": event.prev_hash,
        }
    ).encode("utf-8")


def event_hash(event: Any) -> str:
    """The hash binds every column of the event, its data digest and the previous hash."""
    return hashlib.sha256(event_leaf(event)).hexdigest()


async def lock_chain(session: AsyncSession, key: int) -> None:
    """Serialise appends to one chain until the transaction ends (PostgreSQL; SQLite's
    BEGIN IMMEDIATE already holds the database write lock)."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@dataclass(frozen=True)
class Entry:
    """One event to append, for `record_many`."""

    actor: Actor
    action: str
    subject_type: str
    subject_id: object
    data: dict[str, Any]
    at: dt.datetime


async def record(
    session: AsyncSession,
    *,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: object,
    data: dict[str, Any],
    at: dt.datetime,
) -> AuditEvent:
    """Append one event to the chain in the caller's transaction (the caller commits)."""
    [event] = await record_many(session, [Entry(actor, action, subject_type, subject_id, data, at)])
    return event


async def record_many(session: AsyncSession, entries: Sequence[Entry]) -> list[AuditEvent]:
    """Append events in the given order in the caller's transaction, in one batch: the chain is
    locked and its head read once, the links are made in memory, and the rows go in with one
    statement (an opening decides 1,000 bids: one append of 1,000, not 1,000 appends; issue 23)."""
    if not entries:
        return []
    await lock_chain(session, AUDIT_LOCK_KEY)
    last = (
        await session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        )
    ).first()
    # The chain's order is its seq; taking it ourselves (under the lock) keeps hash and row in step.
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS)
    events = []
    for entry in entries:
        seq += 1
        normalised = json.loads(canonical_json(entry.data))
        event = AuditEvent(
            seq=seq,
            id=new_id(),
            occurred_at=entry.at,
            actor_id=entry.actor.id,
            actor_name=entry.actor.name,
            action=entry.action,
            subject_type=entry.subject_type,
            subject_id=str(entry.subject_id),
            data=normalised,
            data_digest=sha256_hex(canonical_json(normalised)),
            prev_hash=prev_hash,
        )
        event.hash = prev_hash = event_hash(event)
        events.append(event)
    if len(events) == 1:
        session.add(events[0])
        await session.flush()
        return events
    # A batch goes in as one executemany of plain rows: the ORM's unit of work costs more than
    # the hashing for 1,000 events. The events returned are not attached to the session.
    table = AuditEvent.__table__
    await session.execute(
        insert(table),
        [{column.key: getattr(event, column.key) for column in table.columns} for event in events],
    )
    return events


@dataclass(frozen=True)
class ChainReport:
    events: int
    first_broken_seq: int | None
    reason: str | None
    # The checkpoints the events were held to (stored and given), and the newest of them.
    checkpoints_checked: int = 0
    checkpoint_size: int | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None

    @property
    def rows(self) -> int:
        return self.events


async def verify_chain(
    session: AsyncSession, batch: int = 5000, *, tree: TreeCheck | None = None
) -> ChainReport:
    """Walk the chain in order; report the first event whose data, hash or link does not hold, or
    where the events stop giving the root a checkpoint signed (a rewrite, a cut tail)."""
    tree = tree or TreeCheck(heads=[])
    prev_hash, expected_seq, count, last_seq = GENESIS, 1, 0, 0
    table = AuditEvent.__table__

    def report(seq: int | None, reason: str | None) -> ChainReport:
        newest = tree.newest
        return ChainReport(count, seq, reason, tree.checked, newest.tree_size if newest else None)

    while True:
        rows = (
            await session.execute(
                select(table).where(table.c.seq > last_seq).order_by(table.c.seq).limit(batch)
            )
        ).all()
        if not rows:
            failure = tree.finish()
            return report(*failure) if failure else report(None, None)
        for event in rows:
            count += 1
            if event.seq != expected_seq:
                return report(expected_seq, f"event {expected_seq} is missing")
            if sha256_hex(canonical_json(event.data)) != event.data_digest:
                return report(event.seq, "the recorded change does not match its digest")
            if event.prev_hash != prev_hash:
                return report(event.seq, "the link to the previous event is broken")
            leaf = event_leaf(event)
            if hashlib.sha256(leaf).hexdigest() != event.hash:
                return report(event.seq, "the event's fields do not match its hash")
            if tree.add(leaf):
                return report(*tree.failure)  # type: ignore[misc]
            prev_hash, expected_seq, last_seq = event.hash, event.seq + 1, event.seq


async def _audit_leaves(session: AsyncSession, start: int, end: int) -> list[bytes]:
    table = AuditEvent.__table__
    rows = await session.execute(
        select(table).where(table.c.seq > start, table.c.seq <= end).order_by(table.c.seq)
    )
    return [event_leaf(row) for row in rows]


async def _audit_size(session: AsyncSession) -> int:
    return (await session.scalar(select(func.max(AuditEvent.seq)))) or 0


async def _lock_audit(session: AsyncSession) -> None:
    await lock_chain(session, AUDIT_LOCK_KEY)


async def _verify(session: AsyncSession, tree: TreeCheck) -> ChainReport:
    return await verify_chain(session, tree=tree)


AUDIT_LOG = LogSource(
    log_id="audit", lock=_lock_audit, leaves=_audit_leaves, size=_audit_size, verify=_verify
)
