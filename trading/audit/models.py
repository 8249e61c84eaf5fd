"""The audit chain: one append-only, hash-chained row per state change.

Each event holds the previous event's hash, so editing, deleting or reordering any past row
breaks every later link; `trading audit verify` names the first broken one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from trading.db.base import Base, IdMixin, JsonType
from trading.ids import new_id

# SQLite only autoincrements an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
SequenceNumber = BigInteger().with_variant(Integer(), "sqlite")


class AuditEvent(Base):
    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(SequenceNumber, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(default=new_id, unique=True)
    occurred_at: Mapped[dt.datetime]
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[dict[str, Any]]
    data_digest: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditJournal(Base):
    """An audit event recorded but not yet sequenced (issue 23). The request path inserts here, in
    its own transaction and without any global lock; the sequencer (trading/audit/service.py,
    `seal`) moves rows into `audit_event` in batches, giving each its `seq` and its link, and deletes
    them here in the same transaction. `position` orders the journal only; the log's order is `seq`."""

    __tablename__ = "audit_journal"

    position: Mapped[int] = mapped_column(SequenceNumber, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(unique=True)
    occurred_at: Mapped[dt.datetime]
    actor_id: Mapped[uuid.UUID | None]
    actor_name: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(80))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]]
    data_digest: Mapped[str] = mapped_column(String(64))


class LogCheckpoint(IdMixin, Base):
    """A signed tree head (RFC 9162 §4.10) of one log: its size, its Merkle root, when, signed by
    the platform's log key. Append-only like the events; the frontier lets the next checkpoint hash
    only the leaves written since."""

    __tablename__ = "log_checkpoint"
    __table_args__ = (UniqueConstraint("log_id", "tree_size", name="uq_log_checkpoint_size"),)

    log_id: Mapped[str] = mapped_column(String(40))
    tree_size: Mapped[int] = mapped_column(BigInteger)
    root_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[dt.datetime]
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(Text)
    # Why it was written: schedule | receipt | opening | request.
    reason: Mapped[str] = mapped_column(String(20))
    # [[level, hex hash], ...]: the roots of the perfect subtrees of the tree, left to right.
    frontier: Mapped[list[Any]] = mapped_column(JsonType)


class LogNode(Base):
    """An inner node of a log's tree (a perfect subtree of 2^level leaves), kept from level
    NODE_LEVEL up so that a proof reads O(log n) rows and hashes at most 2^NODE_LEVEL leaves."""

    __tablename__ = "log_node"

    log_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
