"""Posting to the journal, reading balances, reversing entries, verifying the whole ledger.

There is deliberately no function that updates or deletes an entry or a posting.

Appends are serialised by one lock (an advisory transaction lock on PostgreSQL, the database write
lock that SQLite's BEGIN IMMEDIATE already holds): the hash chain needs a total order, and the same
lock makes every `balance_after_fen` exact (it is a stronger lock than one per account). Callers
that also lock business rows (a virtual account `FOR UPDATE`) take those first, then post, then
write their audit event: always in that order, so two use cases never wait on each other in a
circle.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from funds.journal.chart import AccountSpec, may_run_credit, may_run_debit
from funds.journal.models import Account, JournalEntry, Posting
from trading.audit.checkpoints import LogSource, TreeCheck
from trading.audit.service import Actor, canonical_json, lock_chain
from trading.errors import Conflict, DomainError, not_found
from trading.ids import new_id

GENESIS = "0" * 64
LEDGER_LOCK_KEY = 727100003


class LedgerError(DomainError):
    """An entry the ledger refuses: unbalanced, overdrawing an account, a conflicting retry."""

    status = 409


@dataclass(frozen=True)
class Leg:
    """One side of an entry: debit positive, credit negative."""

    account: Account
    amount_fen: int


@dataclass(frozen=True)
class Posted:
    entry: JournalEntry
    created: bool  # False: the idempotency key was known, this is the first result


async def lock_ledger(session: AsyncSession) -> None:
    await lock_chain(session, LEDGER_LOCK_KEY)


async def ensure_account(
    session: AsyncSession, spec: AccountSpec, *, at: dt.datetime, **dims: Any
) -> Account:
    """The account of the chart named by `spec`, opened on first use.

    Safe with concurrent callers: the code is unique, and a loser of the race reads the winner's row.
    """
    account = await session.scalar(select(Account).where(Account.code == spec.code))
    if account is not None:
        return account
    try:
        async with session.begin_nested():
            account = Account(
                code=spec.code, kind=spec.kind, name=spec.name, sector=spec.sector, opened_at=at, **dims
            )
            session.add(account)
    except IntegrityError:
        account = await session.scalar(select(Account).where(Account.code == spec.code))
        assert account is not None
    return account


def entry_leaf(entry: Any, postings: Sequence[Any]) -> bytes:
    """The entry as a leaf of the journal's Merkle tree: every column of the entry, every posting
    and the previous hash, in canonical JSON (the bytes the chain hash is taken over)."""
    return (
        canonical_json(
            {
                "seq": entry.seq,
                "id": str(entry.id),
                "idempotency_key": entry.idempotency_key,
                "code": entry.code,
                "posted_at": entry.posted_at.astimezone(dt.UTC).isoformat(),
                "value_at": entry.value_at.astimezone(dt.UTC).isoformat(),
                "memo": entry.memo,
                "section_id": str(entry.section_id) if entry.section_id else None,
                "organisation_id": str(entry.organisation_id) if entry.organisation_id else None,
                "reverses_id": str(entry.reverses_id) if entry.reverses_id else None,
                "actor_name": entry.actor_name,
                "postings": [
                    [
                        p.line,
                        str(p.account_id),
                        p.amount_fen,
                        p.balance_after_fen,
                        p.posted_at.astimezone(dt.UTC).isoformat(),
                    ]
                    for p in postings
                ],
                "prev_hash": entry.prev_hash,
            }
        )
    ).encode("utf-8")


def _hash(entry: Any, postings: Sequence[Any]) -> str:
    """The hash binds every column of the entry, every posting and the previous hash."""
    return hashlib.sha256(entry_leaf(entry, postings)).hexdigest()


def _columns(row: Any, model: Any) -> dict[str, Any]:
    return {column.key: getattr(row, column.key) for column in model.__table__.columns}


async def _first_result(session: AsyncSession, key: str, code: str, legs: Sequence[Leg]) -> Posted:
    entry = await session.scalar(select(JournalEntry).where(JournalEntry.idempotency_key == key))
    assert entry is not None
    postings = (await session.scalars(select(Posting).where(Posting.entry_seq == entry.seq))).all()
    same = entry.code == code and sorted((p.account_id, p.amount_fen) for p in postings) == sorted(
        (leg.account.id, leg.amount_fen) for leg in legs
    )
    if not same:
        raise LedgerError(
            "ledger.idempotency_conflict",
            f"记账请求标识“{key}”已用于另一笔不同的分录",
            f"the idempotency key '{key}' was already used for a different entry",
            details={"idempotency_key": key, "entry_id": str(entry.id)},
        )
    return Posted(entry, created=False)


def _check_legs(legs: Sequence[Leg]) -> None:
    if len(legs) < 2:
        raise LedgerError(
            "ledger.too_few_legs", "一笔分录至少有两条记录", "an entry needs at least two postings"
        )
    if any(not isinstance(leg.amount_fen, int) or leg.amount_fen == 0 for leg in legs):
        raise LedgerError(
            "ledger.amount_invalid",
            "分录金额须为非零整数（分）",
            "every posting is a non-zero whole number of fen",
        )
    if len({leg.account.id for leg in legs}) != len(legs):
        raise LedgerError(
            "ledger.account_repeated", "同一分录中同一账户只能出现一次", "an account appears once per entry"
        )
    total = sum(leg.amount_fen for leg in legs)
    if total != 0:
        raise LedgerError(
            "ledger.unbalanced",
            f"分录借贷不平衡，差额{total}分",
            f"the postings of an entry must sum to zero; they sum to {total} fen",
            details={"sum_fen": total},
        )


async def _last_balance(session: AsyncSession, account_id: uuid.UUID, at: dt.datetime | None = None) -> int:
    query = select(Posting.balance_after_fen).where(Posting.account_id == account_id)
    if at is not None:
        query = query.where(Posting.posted_at <= at)
    query = query.order_by(Posting.posted_at.desc(), Posting.entry_seq.desc()).limit(1)
    return (await session.scalar(query)) or 0


@functools.cache
def _state_query(legs: int) -> Any:
    """What an append needs to know, in one round trip (issue 23: a posting was six statements):
    the journal's head (seq, hash, time), the entry already posted under the idempotency key, and
    the current balance of each of `legs` accounts (one index lookup each). Built once per number
    of legs, with bound parameters, so SQLAlchemy compiles it once."""
    last = select(JournalEntry).order_by(JournalEntry.seq.desc()).limit(1)
    balances = [
        select(Posting.balance_after_fen)
        .where(Posting.account_id == bindparam(f"a{i}"))
        .order_by(Posting.posted_at.desc(), Posting.entry_seq.desc())
        .limit(1)
        .scalar_subquery()
        .label(f"b{i}")
        for i in range(legs)
    ]
    return select(
        last.with_only_columns(JournalEntry.seq).scalar_subquery().label("seq"),
        last.with_only_columns(JournalEntry.hash).scalar_subquery().label("hash"),
        last.with_only_columns(JournalEntry.posted_at).scalar_subquery().label("posted_at"),
        select(JournalEntry.seq)
        .where(JournalEntry.idempotency_key == bindparam("key"))
        .scalar_subquery()
        .label("known"),
        *balances,
    )


async def post(
    session: AsyncSession,
    *,
    key: str,
    code: str,
    legs: Sequence[Leg],
    memo: str,
    actor: Actor,
    at: dt.datetime,
    value_at: dt.datetime | None = None,
    section_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    reverses_id: uuid.UUID | None = None,
) -> Posted:
    """Append one balanced entry in the caller's transaction (the caller commits).

    A known `key` returns the first entry (`created=False`) when it has the same code and legs, and
    is refused (`ledger.idempotency_conflict`) otherwise. A leg that would leave a liability account
    with a debit balance is refused (`ledger.overdraft`).
    """
    _check_legs(legs)
    await lock_ledger(session)
    # Core statements on the session's connection: none of them needs the ORM's execution path.
    connection = await session.connection()
    state = (
        await connection.execute(
            _state_query(len(legs)), {"key": key} | {f"a{i}": leg.account.id for i, leg in enumerate(legs)}
        )
    ).one()
    if state.known is not None:
        return await _first_result(session, key, code, legs)
    at = at.astimezone(dt.UTC)
    posted_at = max(at, state.posted_at) if state.seq is not None else at
    entry = JournalEntry(
        seq=(state.seq + 1) if state.seq is not None else 1,
        id=new_id(),
        idempotency_key=key,
        code=code,
        posted_at=posted_at,
        value_at=value_at or at,
        memo=memo[:500],
        section_id=section_id,
        organisation_id=organisation_id,
        reverses_id=reverses_id,
        actor_name=actor.name[:100],
        prev_hash=state.hash if state.seq is not None else GENESIS,
    )
    postings = []
    for line, leg in enumerate(legs, start=1):
        balance = (state[4 + line - 1] or 0) + leg.amount_fen
        if balance > 0 and not may_run_debit(leg.account.kind):
            raise LedgerError(
                "ledger.overdraft",
                f"账户“{leg.account.name}”余额不足",
                f"account {leg.account.code} would be overdrawn by {balance} fen",
                details={"account": leg.account.code, "overdrawn_fen": balance},
            )
        if balance < 0 and not may_run_credit(leg.account.code):
            raise LedgerError(
                "ledger.escrow_negative",
                f"该笔支付将使“{leg.account.name}”余额低于零（差{-balance}分），已拒绝",
                f"the payment would take {leg.account.code} below zero by {-balance} fen; refused",
                details={"account": leg.account.code, "short_fen": -balance},
            )
        postings.append(
            Posting(
                entry_seq=entry.seq,
                line=line,
                account_id=leg.account.id,
                amount_fen=leg.amount_fen,
                balance_after_fen=balance,
                posted_at=posted_at,
            )
        )
    entry.hash = _hash(entry, postings)
    # Plain inserts (no unit of work to run): the entry, then its postings in one executemany.
    await connection.execute(insert(JournalEntry.__table__), [_columns(entry, JournalEntry)])
    await connection.execute(insert(Posting.__table__), [_columns(p, Posting) for p in postings])
    return Posted(entry, created=True)


async def reverse(
    session: AsyncSession, entry_id: uuid.UUID, *, reason: str, actor: Actor, at: dt.datetime
) -> Posted:
    """Correct an entry by a new one with every posting turned round, naming the one it reverses.

    An entry is reversed at most once (retries return the first reversal); a reversal is not itself
    reversed (post the right entry instead).
    """
    entry = await session.scalar(select(JournalEntry).where(JournalEntry.id == entry_id))
    if entry is None:
        raise not_found("journal_entry", "分录", entry_id)
    if entry.code == "reversal":
        raise Conflict(
            "ledger.reversal_of_reversal",
            "冲正分录不能再被冲正，请另行登记正确的分录",
            "a reversal is not reversed again; post the correct entry instead",
        )
    postings = (
        await session.scalars(select(Posting).where(Posting.entry_seq == entry.seq).order_by(Posting.line))
    ).all()
    accounts = {a.id: a for a in await accounts_by_id(session, [p.account_id for p in postings])}
    return await post(
        session,
        key=f"reversal:{entry.id}",
        code="reversal",
        legs=[Leg(accounts[p.account_id], -p.amount_fen) for p in postings],
        memo=f"冲正第{entry.seq}号分录：{reason}",
        actor=actor,
        at=at,
        value_at=at,
        section_id=entry.section_id,
        organisation_id=entry.organisation_id,
        reverses_id=entry.id,
    )


async def accounts_by_id(session: AsyncSession, ids: Sequence[uuid.UUID]) -> list[Account]:
    if not ids:
        return []
    return list((await session.scalars(select(Account).where(Account.id.in_(set(ids))))).all())


async def balance(session: AsyncSession, account_id: uuid.UUID, *, at: dt.datetime | None = None) -> int:
    """The account's balance (debit positive) now, or as it stood at instant `at`: one index lookup."""
    return await _last_balance(session, account_id, at)


# --- verification ---------------------------------------------------------------------------


@dataclass
class LedgerReport:
    entries: int = 0
    postings: int = 0
    accounts: int = 0
    first_broken_seq: int | None = None
    reason: str | None = None
    # Replayed balances, debit positive, by account code (only when intact).
    balances: dict[str, int] = field(default_factory=dict)
    # The checkpoints the journal was held to (stored and given), and the newest of them.
    checkpoints_checked: int = 0
    checkpoint_size: int | None = None

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None

    @property
    def rows(self) -> int:
        return self.entries

    def broken(self, seq: int, reason: str) -> LedgerReport:
        self.first_broken_seq, self.reason = seq, reason
        self.balances = {}
        return self


async def verify_ledger(
    session: AsyncSession, batch: int = 5000, *, tree: TreeCheck | None = None
) -> LedgerReport:
    """Replay the whole journal: every entry in order, its link to the previous one, its postings
    summing to zero, every stored balance against the replayed one, every hash. Reports the first
    entry where anything does not hold. Reads plain rows in batches (no ORM identity map), so a
    journal of millions of lines needs memory for the accounts only."""
    tree = tree or TreeCheck(heads=[])
    report = LedgerReport(checkpoint_size=tree.newest.tree_size if tree.newest else None)
    accounts = {row.id: row for row in (await session.execute(select(Account.__table__))).all()}
    report.accounts = len(accounts)
    running: dict[uuid.UUID, int] = {}
    prev_hash, expected, last_seq = GENESIS, 1, 0
    previous_posted_at: dt.datetime | None = None
    reversals: list[tuple[int, uuid.UUID]] = []
    entries_table, postings_table = JournalEntry.__table__, Posting.__table__
    while True:
        entries = (
            await session.execute(
                select(entries_table)
                .where(entries_table.c.seq > last_seq)
                .order_by(entries_table.c.seq)
                .limit(batch)
            )
        ).all()
        if not entries:
            break
        rows = (
            await session.execute(
                select(postings_table)
                .where(
                    postings_table.c.entry_seq >= entries[0].seq,
                    postings_table.c.entry_seq <= entries[-1].seq,
                )
                .order_by(postings_table.c.entry_seq, postings_table.c.line)
            )
        ).all()
        postings: dict[int, list[Any]] = {}
        for row in rows:
            postings.setdefault(row.entry_seq, []).append(row)
        for entry in entries:
            report.entries += 1
            legs = postings.pop(entry.seq, [])
            report.postings += len(legs)
            if entry.seq != expected:
                return report.broken(expected, f"entry {expected} is missing")
            if entry.prev_hash != prev_hash:
                return report.broken(entry.seq, "the link to the previous entry is broken")
            if previous_posted_at is not None and entry.posted_at < previous_posted_at:
                return report.broken(entry.seq, "the entry is dated before the previous one")
            if len(legs) < 2:
                return report.broken(entry.seq, "the entry has fewer than two postings")
            total = sum(p.amount_fen for p in legs)
            if total != 0:
                return report.broken(entry.seq, f"the postings sum to {total} fen, not zero")
            if entry.reverses_id is not None:
                reversals.append((entry.seq, entry.reverses_id))
            for posting in legs:
                account = accounts.get(posting.account_id)
                if account is None:
                    return report.broken(entry.seq, f"line {posting.line} names an unknown account")
                balance_now = running.get(posting.account_id, 0) + posting.amount_fen
                if posting.balance_after_fen != balance_now:
                    return report.broken(
                        entry.seq,
                        f"line {posting.line} ({account.code}) records a balance of "
                        f"{posting.balance_after_fen} fen; the replay gives {balance_now}",
                    )
                if posting.posted_at != entry.posted_at:
                    return report.broken(
                        entry.seq, f"line {posting.line} is dated differently from its entry"
                    )
                running[posting.account_id] = balance_now
            leaf = entry_leaf(entry, legs)
            if hashlib.sha256(leaf).hexdigest() != entry.hash:
                return report.broken(entry.seq, "the entry's fields do not match its hash")
            if tree.add(leaf):
                return report.broken(*tree.failure)  # type: ignore[misc]
            report.checkpoints_checked = tree.checked
            prev_hash, expected, last_seq = entry.hash, entry.seq + 1, entry.seq
            previous_posted_at = entry.posted_at
        if postings:
            orphan = min(postings)
            return report.broken(orphan, f"postings of entry {orphan} have no entry")
    stray = await session.scalar(
        select(func.count()).select_from(Posting).where(Posting.entry_seq > last_seq)
    )
    if stray:
        return report.broken(last_seq + 1, f"{stray} postings belong to no entry")
    if tree.finish():
        return report.broken(*tree.failure)  # type: ignore[misc]
    reversed_seq = (
        dict(
            (
                await session.execute(
                    select(JournalEntry.id, JournalEntry.seq).where(
                        JournalEntry.id.in_({r for _, r in reversals})
                    )
                )
            ).all()
        )
        if reversals
        else {}
    )
    for seq, reversed_id in reversals:
        if reversed_seq.get(reversed_id, seq) >= seq:
            return report.broken(seq, "the entry reverses an entry that does not precede it")
    report.balances = {accounts[a].code: b for a, b in running.items()}
    return report


# --- the journal as a Merkle log -------------------------------------------------------------


async def _journal_leaves(session: AsyncSession, start: int, end: int) -> list[bytes]:
    entries_table, postings_table = JournalEntry.__table__, Posting.__table__
    entries = (
        await session.execute(
            select(entries_table)
            .where(entries_table.c.seq > start, entries_table.c.seq <= end)
            .order_by(entries_table.c.seq)
        )
    ).all()
    postings: dict[int, list[Any]] = {}
    rows = await session.execute(
        select(postings_table)
        .where(postings_table.c.entry_seq > start, postings_table.c.entry_seq <= end)
        .order_by(postings_table.c.entry_seq, postings_table.c.line)
    )
    for row in rows:
        postings.setdefault(row.entry_seq, []).append(row)
    return [entry_leaf(entry, postings.get(entry.seq, [])) for entry in entries]


async def _journal_size(session: AsyncSession) -> int:
    return (await session.scalar(select(func.max(JournalEntry.seq)))) or 0


async def _verify(session: AsyncSession, tree: TreeCheck) -> LedgerReport:
    return await verify_ledger(session, tree=tree)


JOURNAL_LOG = LogSource(
    log_id="journal", lock=lock_ledger, leaves=_journal_leaves, size=_journal_size, verify=_verify
)
