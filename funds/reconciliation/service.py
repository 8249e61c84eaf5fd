"""Importing the bank's daily statement and reconciling it with what the platform recorded.

The file (layout: docs/bank-statement.md) is streamed to the blob store under a size limit and
kept there (E-08); the same file imported twice gives the first report. The whole file is checked
before anything is posted: one malformed line refuses the import, naming the lines.

Credit lines (C):
- a transaction the notifications already brought: **matched** when amount, virtual account and
  payer agree; else listed as an **amount mismatch** or a **payer-name mismatch** (nothing posted);
- a transaction the notifications missed: **posted now** (idempotent on the bank transaction id),
  and classified like a notification: unknown virtual account → **unmatched** (suspense), payer not
  the bidder's basic account → **payer-name mismatch** (suspense), late → returned;
- interest the bank credits to the escrow account (no virtual account, summary 结息/interest).
Debit lines (D) carry the payment reference of a refund (RF<id>-<attempt>): they **confirm** it;
an unknown reference or a different amount is listed. Notifications of that day that the
statement lacks are listed as **missing from the statement**.
"""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from funds.bankfeed.models import BankCredit
from funds.bankfeed.service import CreditNotice, find_credit, receive_credit
from funds.deposits.rules import normalise_account, normalise_name
from funds.journal import chart
from funds.journal import service as journal
from funds.journal.service import Leg
from funds.reconciliation.models import BankStatement
from funds.refunds.models import Refund
from funds.refunds.service import confirm_refund, parse_reference, total_fen
from trading.audit.service import Actor, record
from trading.errors import DomainError, not_found
from trading.money import format_yuan, parse_yuan
from trading.storage import BlobStore, StoredBlob

MAX_STATEMENT_BYTES = 10 * 1024 * 1024
COLUMNS = (
    "bank_txn_id",
    "value_time",
    "direction",
    "amount",
    "virtual_account",
    "counterparty_name",
    "counterparty_account",
    "counterparty_bank",
    "reference",
    "summary",
)
INTEREST_WORDS = ("结息", "利息", "interest")
# Each list in a report keeps its first items; the counts are always complete.
REPORT_LIST_LIMIT = 500


@dataclass(frozen=True)
class StatementLine:
    number: int  # line number in the file, the header being line 1
    bank_txn_id: str
    value_at: dt.datetime
    direction: str
    amount_fen: int
    virtual_account: str
    counterparty_name: str
    counterparty_account: str
    counterparty_bank: str
    reference: str
    summary: str


class StatementInvalid(DomainError):
    status = 422


def _parse_time(text: str, zone: ZoneInfo) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(dt.UTC)


def parse_statement(path: Path, zone: ZoneInfo) -> list[StatementLine]:
    """Read and check the whole file; raise `StatementInvalid` naming the bad lines."""
    try:
        return _read_statement(path, zone)
    except UnicodeDecodeError:
        # Banks' own exports are often GBK: say what to do instead of failing inside the reader.
        raise StatementInvalid(
            "statement.encoding_invalid",
            "对账单须为UTF-8编码（GBK等编码的导出文件请先另存为UTF-8）",
            "the statement must be UTF-8 (save an export in GBK or another encoding as UTF-8 first)",
        ) from None
    except csv.Error as exc:
        raise StatementInvalid(
            "statement.csv_invalid",
            f"对账单不是有效的CSV文件：{exc}",
            f"the statement is not a valid CSV file: {exc}",
        ) from None


def _read_statement(path: Path, zone: ZoneInfo) -> list[StatementLine]:
    lines: list[StatementLine] = []
    errors: list[dict[str, Any]] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8-sig", newline="") as source:
        reader = csv.reader(source)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != COLUMNS:
            raise StatementInvalid(
                "statement.header_invalid",
                "对账单首行须为规定的列名（见对账单格式说明）",
                f"the first line must name the columns: {','.join(COLUMNS)}",
                details={"expected": list(COLUMNS), "found": header},
            )
        for row in reader:
            number = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) != len(COLUMNS):
                errors.append({"line": number, "error": f"{len(row)} columns instead of {len(COLUMNS)}"})
                continue
            cells = dict(zip(COLUMNS, (cell.strip() for cell in row), strict=True))
            try:
                if not cells["bank_txn_id"] or len(cells["bank_txn_id"]) > 64:
                    raise ValueError("bank_txn_id is empty or longer than 64 characters")
                if cells["bank_txn_id"] in seen:
                    raise ValueError(f"bank_txn_id {cells['bank_txn_id']} appears twice")
                if cells["direction"] not in ("C", "D"):
                    raise ValueError("direction must be C (credit) or D (debit)")
                amount = parse_yuan(cells["amount"])
                if amount <= 0:
                    raise ValueError("amount must be positive")
                value_at = _parse_time(cells["value_time"], zone)
            except ValueError as exc:
                errors.append({"line": number, "error": str(exc)})
                continue
            seen.add(cells["bank_txn_id"])
            lines.append(
                StatementLine(
                    number=number,
                    bank_txn_id=cells["bank_txn_id"],
                    value_at=value_at,
                    direction=cells["direction"],
                    amount_fen=amount,
                    virtual_account=cells["virtual_account"],
                    counterparty_name=cells["counterparty_name"][:200],
                    counterparty_account=cells["counterparty_account"][:40],
                    counterparty_bank=cells["counterparty_bank"][:100],
                    reference=cells["reference"],
                    summary=cells["summary"],
                )
            )
    if errors:
        raise StatementInvalid(
            "statement.lines_invalid",
            f"对账单有{len(errors)}行格式错误，未导入任何记录",
            f"{len(errors)} lines of the statement are malformed; nothing was imported",
            details={"errors": errors[:20]},
        )
    return lines


class Report:
    CATEGORIES = (
        "matched",
        "posted_from_statement",
        "amount_mismatches",
        "payer_name_mismatches",
        "unmatched",
        "late",
        "refunds_confirmed",
        "interest",
        "missing_from_statement",
    )

    def __init__(self) -> None:
        self.items: dict[str, list[dict[str, Any]]] = {name: [] for name in self.CATEGORIES}
        self.counts: dict[str, int] = dict.fromkeys(self.CATEGORIES, 0)

    def add(self, category: str, **item: Any) -> None:
        self.counts[category] += 1
        if len(self.items[category]) < REPORT_LIST_LIMIT:
            self.items[category].append(item)

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, **self.items}


def _line_item(line: StatementLine, **extra: Any) -> dict[str, Any]:
    return {
        "line": line.number,
        "bank_txn_id": line.bank_txn_id,
        "amount": format_yuan(line.amount_fen),
        "virtual_account": line.virtual_account,
        "counterparty_name": line.counterparty_name,
        "counterparty_account": line.counterparty_account,
        **extra,
    }


async def _credit_line(
    session: AsyncSession,
    statement: BankStatement,
    line: StatementLine,
    report: Report,
    *,
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> None:
    known = await find_credit(session, line.bank_txn_id)
    if known is not None:
        if known.amount_fen != line.amount_fen or known.virtual_account_number != line.virtual_account:
            report.add(
                "amount_mismatches",
                **_line_item(
                    line,
                    recorded_amount=format_yuan(known.amount_fen),
                    recorded_virtual_account=known.virtual_account_number,
                ),
            )
            return
        if normalise_account(known.payer_account) != normalise_account(
            line.counterparty_account
        ) or normalise_name(known.payer_name) != normalise_name(line.counterparty_name):
            report.add(
                "payer_name_mismatches",
                **_line_item(line, recorded_payer=known.payer_name, recorded_account=known.payer_account),
            )
            return
        known.statement_id = statement.id
        report.add("matched", **_line_item(line, disposition=known.disposition))
        if known.disposition == "foreign_payer":
            report.add(
                "payer_name_mismatches", **_line_item(line, disposition=known.disposition, held="suspense")
            )
        return
    if not line.virtual_account and any(word in line.summary.lower() for word in INTEREST_WORDS):
        bank = await journal.ensure_account(session, chart.center(chart.ESCROW_BANK), at=at)
        income = await journal.ensure_account(session, chart.center(chart.INTEREST_INCOME), at=at)
        await journal.post(
            session,
            key=f"bank:{line.bank_txn_id}",
            code="interest_income",
            legs=[Leg(bank, line.amount_fen), Leg(income, -line.amount_fen)],
            memo=f"专户结息{format_yuan(line.amount_fen)}元：{line.summary}",
            actor=actor,
            at=at,
            value_at=line.value_at,
        )
        report.add("interest", **_line_item(line))
        return
    received = await receive_credit(
        session,
        CreditNotice(
            bank_txn_id=line.bank_txn_id,
            virtual_account=line.virtual_account,
            amount_fen=line.amount_fen,
            payer_name=line.counterparty_name,
            payer_account=line.counterparty_account,
            payer_bank=line.counterparty_bank,
            value_at=line.value_at,
        ),
        source="statement",
        actor=actor,
        at=at,
        zone=zone,
    )
    credit = received.credit
    credit.statement_id = statement.id
    report.add("posted_from_statement", **_line_item(line, disposition=credit.disposition))
    if credit.disposition == "unmatched":
        report.add("unmatched", **_line_item(line, held="suspense", reason=credit.reason))
    elif credit.disposition == "foreign_payer":
        report.add(
            "payer_name_mismatches", **_line_item(line, disposition=credit.disposition, held="suspense")
        )
    elif credit.disposition == "late":
        report.add("late", **_line_item(line, reason=credit.reason))


async def _debit_line(
    session: AsyncSession,
    line: StatementLine,
    report: Report,
    *,
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> None:
    parsed = parse_reference(line.reference)
    refund = await session.get(Refund, parsed[0]) if parsed else None
    if refund is None:
        report.add("unmatched", **_line_item(line, reason="debit with no known payment reference"))
        return
    if refund.status == "confirmed":
        if refund.bank_txn_id == line.bank_txn_id:
            report.add("matched", **_line_item(line, refund_id=str(refund.id)))
        else:
            report.add(
                "unmatched", **_line_item(line, reason="refund already confirmed by another transaction")
            )
        return
    if line.amount_fen != total_fen(refund):
        report.add(
            "amount_mismatches",
            **_line_item(line, refund_id=str(refund.id), recorded_amount=format_yuan(total_fen(refund))),
        )
        return
    if refund.status != "sent":
        report.add(
            "unmatched", **_line_item(line, refund_id=str(refund.id), reason=f"refund is {refund.status}")
        )
        return
    await confirm_refund(
        session,
        refund.id,
        bank_txn_id=line.bank_txn_id,
        paid_on=line.value_at.astimezone(zone).date(),
        amount_fen=line.amount_fen,
        actor=actor,
        at=at,
        from_statement=True,
    )
    report.add("refunds_confirmed", **_line_item(line, refund_id=str(refund.id)))


async def import_statement(
    session: AsyncSession,
    *,
    statement_date: dt.date,
    chunks: AsyncIterator[bytes],
    store: BlobStore,
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> tuple[BankStatement, bool]:
    """Store, check and reconcile one daily statement. Returns (statement, created)."""
    blob: StoredBlob = await store.put_stream(chunks, max_bytes=MAX_STATEMENT_BYTES)
    existing = await session.scalar(select(BankStatement).where(BankStatement.sha256 == blob.digest))
    if existing is not None:
        return existing, False
    lines = await anyio.to_thread.run_sync(parse_statement, blob.path, zone)
    statement = BankStatement(
        statement_date=statement_date,
        sha256=blob.digest,
        size=blob.size,
        imported_at=at,
        imported_by=actor.name[:100],
        line_count=len(lines),
        report={},
    )
    session.add(statement)
    await session.flush()
    report = Report()
    for line in lines:
        if line.direction == "C":
            await _credit_line(session, statement, line, report, actor=actor, at=at, zone=zone)
        else:
            await _debit_line(session, line, report, actor=actor, at=at, zone=zone)
    await _missing(session, statement_date, {line.bank_txn_id for line in lines}, report, zone)
    statement.report = report.as_dict()
    await record(
        session,
        actor=actor,
        action="funds.statement_imported",
        subject_type="bank_statement",
        subject_id=statement.id,
        data={
            "statement_date": str(statement_date),
            "sha256": blob.digest,
            "lines": len(lines),
            **report.counts,
        },
        at=at,
    )
    await session.flush()
    return statement, True


async def _missing(
    session: AsyncSession, statement_date: dt.date, listed: set[str], report: Report, zone: ZoneInfo
) -> None:
    """Notifications of the statement's day that the statement does not list."""
    start = dt.datetime.combine(statement_date, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    end = start + dt.timedelta(days=1)
    credits = await session.scalars(
        select(BankCredit).where(
            BankCredit.source == "notification",
            BankCredit.value_at >= start,
            BankCredit.value_at < end,
        )
    )
    for credit in credits:
        if credit.bank_txn_id not in listed:
            report.add(
                "missing_from_statement",
                bank_txn_id=credit.bank_txn_id,
                amount=format_yuan(credit.amount_fen),
                virtual_account=credit.virtual_account_number,
                counterparty_name=credit.payer_name,
            )


async def get_statement(session: AsyncSession, statement_id: uuid.UUID) -> BankStatement:
    statement = await session.get(BankStatement, statement_id)
    if statement is None:
        raise not_found("bank_statement", "对账单", statement_id)
    return statement


async def list_statements(session: AsyncSession, limit: int = 50) -> list[BankStatement]:
    return list(
        (
            await session.scalars(
                select(BankStatement).order_by(BankStatement.imported_at.desc()).limit(limit)
            )
        ).all()
    )
