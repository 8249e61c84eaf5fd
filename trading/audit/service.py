"""Writing and verifying the audit chain.

`record` is called by every use case that changes state, inside the use case's transaction, so
the change and its audit event commit or roll back together. Appends are serialised (an advisory
lock on PostgreSQL, the database write lock on SQLite) so the chain never forks.

`journal` is the append without that lock, for the hot paths (a bid at the deadline, issue 23):
the event goes into `audit_journal` in the caller's transaction, and the sequencer (`seal`) gives
it its place in the chain later, in batches, under the lock: the background task of every
instance, and anything that needs the sealed tail (a checkpoint, a `record`, an event's proof).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import uuid
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.checkpoints import (
    LogSigner,
    LogSource,
    TreeCheck,
    inclusion_proof,
    latest_checkpoint,
    write_checkpoint,
)
from trading.audit.models import AuditEvent, AuditJournal
from trading.audit.offline import canonical_json
from trading.ids import new_id

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 727100002
# How many journal rows one sequencing statement moves.
SEAL_BATCH = 1000


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
    statement (an opening decides 1,000 bids: one append of 1,000, not 1,000 appends; issue 23).
    What the journal holds is sequenced first, so the chain keeps the order events were recorded in."""
    if not entries:
        return []
    await lock_chain(session, AUDIT_LOCK_KEY)
    await seal(session)
    prev = await _head(session)
    events = _chained(prev, [_pending(entry) for entry in entries])
    if len(events) == 1:
        session.add(events[0])
        await session.flush()
        return events
    # A batch goes in as one executemany of plain rows: the ORM's unit of work costs more than
    # the hashing for 1,000 events. The events returned are not attached to the session.
    await _insert_events(session, events)
    return events


@dataclass(frozen=True)
class Journaled:
    """An event in the journal: its id and content are final, its place in the chain is not yet."""

    id: uuid.UUID
    action: str
    data: dict[str, Any]


def _pending(entry: Entry) -> dict[str, Any]:
    normalised = json.loads(canonical_json(entry.data))
    return {
        "id": new_id(),
        "occurred_at": entry.at,
        "actor_id": entry.actor.id,
        "actor_name": entry.actor.name,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": str(entry.subject_id),
        "data": normalised,
        "data_digest": sha256_hex(canonical_json(normalised)),
    }


async def _head(session: AsyncSession) -> tuple[int, str]:
    last = (
        await session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        )
    ).first()
    return (last.seq, last.hash) if last else (0, GENESIS)


def _chained(head: tuple[int, str], rows: Sequence[dict[str, Any]]) -> list[AuditEvent]:
    """The rows as the next events of the chain whose newest is `head`: numbered and linked."""
    # The chain's order is its seq; taking it ourselves (under the lock) keeps hash and row in step.
    seq, prev_hash = head
    events = []
    for row in rows:
        seq += 1
        event = AuditEvent(seq=seq, prev_hash=prev_hash, **row)
        event.hash = prev_hash = event_hash(event)
        events.append(event)
    return events


async def _insert_events(session: AsyncSession, events: Sequence[AuditEvent]) -> None:
    table = AuditEvent.__table__
    await session.execute(
        insert(table),
        [{column.key: getattr(event, column.key) for column in table.columns} for event in events],
    )


async def journal(session: AsyncSession, entries: Sequence[Entry]) -> list[Journaled]:
    """Record events in the caller's transaction without taking the chain's lock: one insert into
    the journal. They commit or roll back with the caller's change; the sequencer chains them
    after the commit. Bids on different sections so never wait for each other on the audit log."""
    rows = [_pending(entry) for entry in entries]
    if rows:
        await session.execute(insert(AuditJournal.__table__), rows)
    return [Journaled(row["id"], row["action"], row["data"]) for row in rows]


_JOURNAL_COLUMNS = (
    "id",
    "occurred_at",
    "actor_id",
    "actor_name",
    "action",
    "subject_type",
    "subject_id",
    "data",
    "data_digest",
)


async def seal(session: AsyncSession) -> int:
    """Sequence what the journal holds, in journal order: number and link each event onto the chain,
    insert it and delete its journal row, in the caller's transaction; how many were sealed.

    Takes the chain's lock (held until the caller's transaction ends), so two sequencers, on one
    instance or two, never assign one event twice: the second waits, then finds the rows gone."""
    await lock_chain(session, AUDIT_LOCK_KEY)
    table = AuditJournal.__table__
    sealed = 0
    while True:
        rows = (await session.execute(select(table).order_by(table.c.position).limit(SEAL_BATCH))).all()
        if not rows:
            return sealed
        events = _chained(
            await _head(session), [{k: row._mapping[k] for k in _JOURNAL_COLUMNS} for row in rows]
        )
        await _insert_events(session, events)
        # By position, never by range: a journal row numbered lower may commit after this read
        # (PostgreSQL assigns positions at insert, commits come in any order) and must stay.
        await session.execute(delete(table).where(table.c.position.in_([row.position for row in rows])))
        sealed += len(rows)


async def journal_pending(session: AsyncSession) -> bool:
    """Whether anything waits for the sequencer (read without the lock)."""
    return (await session.scalar(select(AuditJournal.position).limit(1))) is not None


async def seal_pending(sessionmaker: Any, *, at: dt.datetime | None = None) -> int:
    """The sequencer's pass (a scheduled job on every instance, `job(sessionmaker, at=...)`): seal
    the journal in its own transaction when it holds anything. After a crash it picks up whatever
    was committed to the journal and not sequenced."""
    async with sessionmaker() as session:
        if not await journal_pending(session):
            return 0
        sealed = await seal(session)
        await session.commit()
    return sealed


_sealers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _sealing_turn() -> asyncio.Lock:
    return _sealers.setdefault(asyncio.get_running_loop(), asyncio.Lock())


async def logged_event(
    session: AsyncSession, signer: LogSigner, event_id: uuid.UUID, *, at: dt.datetime, reason: str
) -> dict[str, Any]:
    """A journaled (or sequenced) event's place in the log: the inclusion proof of the event in a
    signed checkpoint that covers it, with the event's data, whose digest the logged leaf binds.

    Most callers under load find their event sealed and checkpointed already by someone else's
    pass, and take no lock; otherwise this call seals the journal and signs one checkpoint for
    everything pending (the batch that the callers behind it then find)."""
    query = select(AuditEvent.seq, AuditEvent.data).where(AuditEvent.id == event_id)
    found = (await session.execute(query)).first()
    checkpoint = await latest_checkpoint(session, AUDIT_LOG.log_id) if found else None
    if found is None or checkpoint is None or checkpoint.tree_size < found.seq:
        # One caller per process waits for the chain's lock; the others wait here holding no lock
        # and most then find their event covered by the checkpoint it wrote.
        async with _sealing_turn():
            found = (await session.execute(query)).first()
            checkpoint = await latest_checkpoint(session, AUDIT_LOG.log_id) if found else None
            if found is None or checkpoint is None or checkpoint.tree_size < found.seq:
                # Seals the journal (ours included: it committed before) and signs the log.
                checkpoint = await write_checkpoint(session, AUDIT_LOG, signer, at=at, reason=reason)
                found = found or (await session.execute(query)).first()
    if found is None:
        raise LookupError(f"audit event {event_id} is neither in the journal nor in the log")
    proof = await inclusion_proof(
        session, AUDIT_LOG, signer, index=found.seq - 1, tree_size=checkpoint.tree_size
    )
    return proof | {"event_data": found.data}


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
    """A checkpoint signs the sealed tail: whatever the journal holds is sequenced first."""
    await seal(session)


async def _verify(session: AsyncSession, tree: TreeCheck) -> ChainReport:
    return await verify_chain(session, tree=tree)


AUDIT_LOG = LogSource(
    log_id="audit", lock=_lock_audit, leaves=_audit_leaves, size=_audit_size, verify=_verify
)
