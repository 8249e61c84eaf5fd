"""Views for the bureaus and the auditors: the trial balance at any instant, every movement of one
section or one bidder, deposits outstanding and refunds overdue, each also as CSV.

A supervisor sees only its sectors' accounts and movements (the center-wide accounts, such as the
escrow bank account and suspense, belong to no sector and are shown to staff and auditors only);
an auditor sees everything.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from funds.deposits.service import guarantee_cover
from funds.journal import service as journal
from funds.journal.chart import NATURAL_SIGN, Kind
from funds.journal.models import Account, JournalEntry, Posting
from funds.oversight.service import level_of
from funds.refunds.models import Refund
from funds.subaccounts.models import VirtualAccount
from trading.clock import local_date
from trading.money import format_yuan
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section


@dataclass(frozen=True)
class BalanceLine:
    code: str
    name: str
    kind: str
    sector: str | None
    debit_fen: int
    credit_fen: int


@dataclass(frozen=True)
class TrialBalance:
    at: dt.datetime
    lines: list[BalanceLine]
    total_debit_fen: int
    total_credit_fen: int
    # Only a view of every account must balance; a sector's share of the center's accounts need not.
    complete: bool

    @property
    def balanced(self) -> bool:
        return self.total_debit_fen == self.total_credit_fen


async def trial_balance(
    session: AsyncSession, *, at: dt.datetime, sectors: frozenset[str] | None
) -> TrialBalance:
    """Every account's balance as it stood at instant `at` (accounts at zero left out): one index
    lookup per account, whatever the length of the journal."""
    query = select(Account).order_by(Account.sector.is_not(None), Account.sector, Account.code)
    if sectors is not None:
        query = query.where(Account.sector.in_(sorted(sectors)))
    lines = []
    for account in (await session.scalars(query)).all():
        if account.opened_at > at:
            continue
        balance = await journal.balance(session, account.id, at=at)
        if balance == 0:
            continue
        lines.append(
            BalanceLine(
                code=account.code,
                name=account.name,
                kind=account.kind,
                sector=account.sector,
                debit_fen=max(balance, 0),
                credit_fen=max(-balance, 0),
            )
        )
    return TrialBalance(
        at=at,
        lines=lines,
        total_debit_fen=sum(line.debit_fen for line in lines),
        total_credit_fen=sum(line.credit_fen for line in lines),
        complete=sectors is None,
    )


@dataclass(frozen=True)
class Movement:
    seq: int
    posted_at: dt.datetime
    value_at: dt.datetime
    code: str
    memo: str
    section_id: uuid.UUID | None
    organisation_id: uuid.UUID | None
    account_code: str
    account_name: str
    debit_fen: int
    credit_fen: int
    balance_after_fen: int
    reverses_id: uuid.UUID | None
    entry_id: uuid.UUID


async def movements(
    session: AsyncSession,
    *,
    section_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    sectors: frozenset[str] | None,
    limit: int = 5000,
) -> list[Movement]:
    """Every posting of the entries about one section or one bidder, in journal order."""
    query = (
        select(JournalEntry, Posting, Account)
        .join(Posting, Posting.entry_seq == JournalEntry.seq)
        .join(Account, Account.id == Posting.account_id)
        .order_by(JournalEntry.seq, Posting.line)
        .limit(limit)
    )
    if section_id is not None:
        query = query.where(JournalEntry.section_id == section_id)
    if organisation_id is not None:
        query = query.where(JournalEntry.organisation_id == organisation_id)
    if sectors is not None:
        in_sectors = (
            select(Section.id)
            .join(Project, Project.id == Section.project_id)
            .where(Project.sector.in_(sorted(sectors)))
        )
        query = query.where(JournalEntry.section_id.in_(in_sectors))
    result = []
    for entry, posting, account in (await session.execute(query)).all():
        result.append(
            Movement(
                seq=entry.seq,
                posted_at=entry.posted_at,
                value_at=entry.value_at,
                code=entry.code,
                memo=entry.memo,
                section_id=entry.section_id,
                organisation_id=entry.organisation_id,
                account_code=account.code,
                account_name=account.name,
                debit_fen=max(posting.amount_fen, 0),
                credit_fen=max(-posting.amount_fen, 0),
                balance_after_fen=posting.balance_after_fen * NATURAL_SIGN[Kind(account.kind)],
                reverses_id=entry.reverses_id,
                entry_id=entry.id,
            )
        )
    return result


@dataclass(frozen=True)
class HeldDeposit:
    virtual_account: str
    sector: str
    section_id: uuid.UUID
    section_code: str
    organisation_id: uuid.UUID
    organisation_name: str
    required_fen: int
    cash_fen: int
    guarantee_fen: int


@dataclass(frozen=True)
class OutstandingRefund:
    refund_id: uuid.UUID
    kind: str
    sector: str | None
    section_id: uuid.UUID | None
    organisation_id: uuid.UUID | None
    payee_name: str
    payee_account: str
    total_fen: int
    due_on: dt.date
    status: str
    overdue: bool
    warning: str | None
    rule: str | None


@dataclass(frozen=True)
class Outstanding:
    held: list[HeldDeposit]
    refunds: list[OutstandingRefund]


async def outstanding(
    session: AsyncSession,
    *,
    now: dt.datetime,
    zone: ZoneInfo,
    sectors: frozenset[str] | None,
    overdue_only: bool,
) -> Outstanding:
    """Deposits still held, and refunds not yet paid (with their deadline and warning)."""
    today = local_date(now, zone)
    held = []
    if not overdue_only:
        query = (
            select(VirtualAccount, Section, Organisation)
            .join(Section, Section.id == VirtualAccount.section_id)
            .join(Organisation, Organisation.id == VirtualAccount.organisation_id)
            .where(VirtualAccount.state == "held")
            .order_by(Section.code, Organisation.name)
        )
        if sectors is not None:
            query = query.where(VirtualAccount.sector.in_(sorted(sectors)))
        for subaccount, section, organisation in (await session.execute(query)).all():
            cash = -await journal.balance(session, subaccount.account_id)
            cover = await guarantee_cover(session, subaccount.id, now)
            if cash == 0 and cover == 0:
                continue
            held.append(
                HeldDeposit(
                    virtual_account=subaccount.number,
                    sector=subaccount.sector,
                    section_id=section.id,
                    section_code=section.code,
                    organisation_id=organisation.id,
                    organisation_name=organisation.name,
                    required_fen=section.deposit_fen,
                    cash_fen=cash,
                    guarantee_fen=cover,
                )
            )
    query_refunds = select(Refund).where(Refund.status != "confirmed").order_by(Refund.due_on, Refund.id)
    if sectors is not None:
        query_refunds = query_refunds.where(Refund.sector.in_(sorted(sectors)))
    if overdue_only:
        query_refunds = query_refunds.where(Refund.due_on < today)
    refunds = [
        OutstandingRefund(
            refund_id=r.id,
            kind=r.kind,
            sector=r.sector,
            section_id=r.section_id,
            organisation_id=r.organisation_id,
            payee_name=r.payee_name,
            payee_account=r.payee_account,
            total_fen=r.principal_fen + (r.interest_fen or 0) + (r.late_charge_fen or 0),
            due_on=r.due_on,
            status=r.status,
            overdue=today > r.due_on,
            warning=level_of(r, today),
            rule=r.rule,
        )
        for r in (await session.scalars(query_refunds)).all()
    ]
    return Outstanding(held, refunds)


async def outstanding_over_time(
    session: AsyncSession, *, instants: Sequence[dt.datetime], sectors: frozenset[str] | None
) -> list[tuple[dt.datetime, int]]:
    """Cash held on the virtual accounts (deposits not yet refunded or converted) as it stood at
    each instant, from the journal: what the escrow owes bidders, over time."""
    query = select(VirtualAccount.account_id)
    if sectors is not None:
        query = query.where(VirtualAccount.sector.in_(sorted(sectors)))
    accounts = list((await session.scalars(query)).all())
    points = []
    for at in instants:
        held = 0
        for account_id in accounts:
            held -= await journal.balance(session, account_id, at=at)
        points.append((at, held))
    return points


# --- CSV -----------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """Text for a spreadsheet; a cell that a spreadsheet would run as a formula is quoted with '."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    # A BOM so that spreadsheet programs read the Chinese text as UTF-8.
    return "\ufeff" + buffer.getvalue()


def trial_balance_csv(view: TrialBalance) -> str:
    rows = [
        (
            line.code,
            line.name,
            line.kind,
            line.sector,
            format_yuan(line.debit_fen),
            format_yuan(line.credit_fen),
        )
        for line in view.lines
    ]
    rows.append(
        ("total", "合计", "", "", format_yuan(view.total_debit_fen), format_yuan(view.total_credit_fen))
    )
    return to_csv(("account", "name", "kind", "sector", "debit", "credit"), rows)


def movements_csv(items: Sequence[Movement]) -> str:
    return to_csv(
        (
            "seq",
            "posted_at",
            "value_at",
            "code",
            "account",
            "debit",
            "credit",
            "balance_after",
            "memo",
            "entry_id",
        ),
        (
            (
                m.seq,
                m.posted_at.isoformat(),
                m.value_at.isoformat(),
                m.code,
                m.account_code,
                format_yuan(m.debit_fen),
                format_yuan(m.credit_fen),
                format_yuan(m.balance_after_fen),
                m.memo,
                m.entry_id,
            )
            for m in items
        ),
    )


def outstanding_csv(view: Outstanding) -> str:
    rows: list[Sequence[object]] = [
        (
            "deposit_held",
            d.section_code,
            d.organisation_name,
            d.virtual_account,
            format_yuan(d.required_fen),
            format_yuan(d.cash_fen + d.guarantee_fen),
            "",
            "",
            "",
        )
        for d in view.held
    ]
    rows += [
        (
            f"refund_{r.kind}",
            r.section_id or "",
            r.payee_name,
            r.payee_account,
            "",
            format_yuan(r.total_fen),
            r.due_on.isoformat(),
            r.status,
            r.warning or "",
        )
        for r in view.refunds
    ]
    return to_csv(
        ("item", "section", "party", "account", "required", "amount", "due_on", "status", "warning"), rows
    )
