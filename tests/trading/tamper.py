"""The strongest attacker the database allows: its owner rewrites a log's table from scratch,
with every chain hash computed again, so that the log's own hash chain is intact afterwards.
Only the signed checkpoints (kept in the database, or better, outside it) can tell."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace
from typing import Any

from sqlalchemy import delete, insert, select, text

from funds.journal.models import JournalEntry, Posting
from funds.journal.service import entry_leaf
from trading.audit.models import AuditEvent, LogCheckpoint, LogNode
from trading.audit.service import GENESIS, event_leaf

TAMPERINGS = ("edit", "middle_deletion", "tail_deletion", "reorder")


def apply(rows: list[Any], how: str, at: int) -> list[Any]:
    """`at` is the 0-based position of the row tampered with (the first of two when reordering)."""
    rows = list(rows)
    if how == "edit":
        rows[at] = rows[at] | {"actor_name": "someone_else"}
    elif how == "middle_deletion":
        del rows[at]
    elif how == "tail_deletion":
        del rows[at:]
    elif how == "reorder":
        rows[at], rows[at + 1] = rows[at + 1], rows[at]
    return rows


async def _owner(conn: Any, tables: tuple[str, ...], on: bool) -> None:
    if conn.dialect.name == "postgresql":
        for table in tables:
            verb = "ENABLE" if on else "DISABLE"
            await conn.execute(text(f"ALTER TABLE {table} {verb} TRIGGER USER"))


async def forget_checkpoints(db: Any, log_id: str) -> None:
    """The owner removes the stored checkpoints as well: only one kept outside still tells."""
    async with db.engine.begin() as conn:
        await _owner(conn, ("log_checkpoint", "log_node"), False)
        await conn.execute(delete(LogCheckpoint).where(LogCheckpoint.log_id == log_id))
        await conn.execute(delete(LogNode).where(LogNode.log_id == log_id))
        await _owner(conn, ("log_checkpoint", "log_node"), True)


async def rewrite_audit(db: Any, how: str, at: int) -> None:
    table = AuditEvent.__table__
    async with db.engine.begin() as conn:
        rows = [dict(r._mapping) for r in await conn.execute(select(table).order_by(table.c.seq))]
        rows = apply(rows, how, at)
        prev = GENESIS
        for seq, row in enumerate(rows, start=1):
            row["seq"], row["prev_hash"] = seq, prev
            row["hash"] = prev = hashlib.sha256(event_leaf(SimpleNamespace(**row))).hexdigest()
        await _owner(conn, ("audit_event",), False)
        await conn.execute(delete(table))
        await conn.execute(insert(table), rows)
        await _owner(conn, ("audit_event",), True)


async def rewrite_journal(db: Any, how: str, at: int) -> None:
    entries_table, postings_table = JournalEntry.__table__, Posting.__table__
    async with db.engine.begin() as conn:
        entries = [
            dict(r._mapping) for r in await conn.execute(select(entries_table).order_by(entries_table.c.seq))
        ]
        legs: dict[int, list[dict[str, Any]]] = {}
        for r in await conn.execute(
            select(postings_table).order_by(postings_table.c.entry_seq, postings_table.c.line)
        ):
            legs.setdefault(r.entry_seq, []).append(dict(r._mapping))
        entries = apply([e | {"legs": legs[e["seq"]]} for e in entries], how, at)
        prev, balances, postings = GENESIS, {}, []
        for seq, entry in enumerate(entries, start=1):
            entry["seq"], entry["prev_hash"] = seq, prev
            for leg in entry["legs"]:
                balances[leg["account_id"]] = balances.get(leg["account_id"], 0) + leg["amount_fen"]
                leg["entry_seq"], leg["balance_after_fen"] = seq, balances[leg["account_id"]]
            rows = [SimpleNamespace(**leg) for leg in entry["legs"]]
            entry["hash"] = prev = hashlib.sha256(entry_leaf(SimpleNamespace(**entry), rows)).hexdigest()
            postings.extend(entry.pop("legs"))
        await _owner(conn, ("funds_posting", "funds_journal_entry"), False)
        await conn.execute(delete(postings_table))
        await conn.execute(delete(entries_table))
        await conn.execute(insert(entries_table), entries)
        await conn.execute(insert(postings_table), postings)
        await _owner(conn, ("funds_posting", "funds_journal_entry"), True)
