"""The bank feed: credits the escrow bank reports, classified and posted exactly once.

Every credit is posted the moment it is known (the money is in the escrow account whatever it is
for), and classified by the rules of funds/deposits/rules.py:

- to an unknown virtual account: `unmatched`, Dr escrow bank / Cr suspense; staff return it;
- from a bidder the basic-account rule binds (C-06: a unit bidding on a must-tender construction
  contract) but not from its basic account: `foreign_payer`, to suspense; staff return it to the
  payer (it never counts toward the deposit). Natural persons, and bidders in procurement, land
  and property, or on construction contracts below the thresholds, may pay from any account;
- with a value time at or after the deposit deadline, or once the deposit is settled or the section
  closed: `late`, to late payments; returned automatically;
- otherwise: `deposit`, Dr escrow bank / Cr the bidder's sub-account.

Idempotent on the bank's transaction id: the first arrival (notification or statement line) is
posted, every later one answers with that first result. Concurrent arrivals queue on the
sub-account's row lock and the journal lock and re-check under them; the unique constraints on the
transaction id and on the entry's idempotency key are the last line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from funds.bankfeed.models import BankCredit
from funds.deposits.rules import is_basic_account, normalise_account
from funds.journal import chart
from funds.journal import service as journal
from funds.journal.service import Leg
from funds.refunds.rules import Trigger
from funds.refunds.service import return_credit
from funds.subaccounts.service import get_by_number, is_well_formed
from trading.audit.service import Actor, record
from trading.errors import Conflict, DomainError, not_found
from trading.money import format_yuan
from trading.organisations.models import Organisation
from trading.projects.models import Section
from trading.rules.applied import basic_account_binds

# Section statuses after which no payment can be a deposit any more.
CLOSED_STATUSES = frozenset({"awarded", "contracted", "failed", "cancelled"})
# A notification more than this far from the platform's clock is refused (replays, wrong clocks).
MAX_CLOCK_SKEW = dt.timedelta(minutes=5)


class BadSignature(DomainError):
    status = 401


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp + "\\n" + body`, hex: what the bank sends in X-Bank-Signature."""
    return hmac.new(
        secret.encode("utf-8"), timestamp.encode("ascii") + b"\n" + body, hashlib.sha256
    ).hexdigest()


def check_signature(
    *, secret: str, timestamp: str | None, signature: str | None, body: bytes, now: dt.datetime
) -> None:
    """Refuse a notification that is not signed with the shared secret, or signed too long ago."""
    if not timestamp or not signature:
        raise BadSignature(
            "bankfeed.signature_missing",
            "缺少银行签名（X-Bank-Timestamp、X-Bank-Signature）",
            "the bank's signature headers (X-Bank-Timestamp, X-Bank-Signature) are missing",
        )
    try:
        sent_at = dt.datetime.fromtimestamp(int(timestamp), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise BadSignature(
            "bankfeed.timestamp_invalid",
            "X-Bank-Timestamp须为Unix时间戳（秒）",
            "X-Bank-Timestamp must be a Unix time in seconds",
        ) from None
    if abs(now - sent_at) > MAX_CLOCK_SKEW:
        raise BadSignature(
            "bankfeed.timestamp_stale",
            "银行通知的时间戳与平台时间相差超过5分钟，已拒收",
            "the notification's timestamp is more than 5 minutes away from the platform's clock",
        )
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(
        expected.encode("ascii"), signature.strip().lower().encode("ascii", "replace")
    ):
        raise BadSignature(
            "bankfeed.signature_invalid", "银行签名无效", "the bank's signature does not verify"
        )


@dataclass(frozen=True)
class CreditNotice:
    bank_txn_id: str
    virtual_account: str
    amount_fen: int
    payer_name: str
    payer_account: str
    payer_bank: str
    value_at: dt.datetime


@dataclass(frozen=True)
class Received:
    credit: BankCredit
    created: bool  # False: a repeat of a known transaction; `credit` is the first result


async def find_credit(session: AsyncSession, bank_txn_id: str) -> BankCredit | None:
    return await session.scalar(select(BankCredit).where(BankCredit.bank_txn_id == bank_txn_id))


def _same(credit: BankCredit, notice: CreditNotice) -> bool:
    return (
        credit.amount_fen == notice.amount_fen
        and credit.virtual_account_number == notice.virtual_account.strip()
        and normalise_account(credit.payer_account) == normalise_account(notice.payer_account)
    )


def _repeat(credit: BankCredit, notice: CreditNotice) -> Received:
    if not _same(credit, notice):
        raise Conflict(
            "bankfeed.txn_conflict",
            f"银行流水号{notice.bank_txn_id}已登记为另一笔到账（金额、子账号或付款账户不同）",
            f"bank transaction {notice.bank_txn_id} is already recorded with a different amount, "
            "virtual account or payer account",
            details={
                "bank_txn_id": notice.bank_txn_id,
                "recorded_amount": format_yuan(credit.amount_fen),
                "recorded_virtual_account": credit.virtual_account_number,
            },
        )
    return Received(credit, created=False)


def _must_pay_from_basic_account(section: Section, organisation: Organisation, sector: str) -> bool:
    """C-06 (TLR art. 26 ¶2) binds a domestic unit's cash deposit on a must-tender project; a bank
    credit is cash, so the question is only who pays and on what."""
    return basic_account_binds(
        sector=sector,
        contract_kind=section.contract_kind,
        estimated_fen=section.budget_fen,
        natural_person=organisation.kind == "natural_person",
    )


async def receive_credit(
    session: AsyncSession,
    notice: CreditNotice,
    *,
    source: str,
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Received:
    """Record and post one bank credit, once (see the module's table). Does not commit."""
    if notice.amount_fen <= 0:
        raise DomainError(
            "bankfeed.amount_invalid", "到账金额须大于零", "a credit's amount must be positive", status=422
        )
    known = await find_credit(session, notice.bank_txn_id)
    if known is not None:
        return _repeat(known, notice)
    number = notice.virtual_account.strip()
    subaccount = await get_by_number(session, number, lock=True) if is_well_formed(number) else None
    # Under the sub-account's lock and the journal's, look again: a concurrent arrival may have won.
    await journal.lock_ledger(session)
    known = await find_credit(session, notice.bank_txn_id)
    if known is not None:
        return _repeat(known, notice)

    bank = await journal.ensure_account(session, chart.center(chart.ESCROW_BANK), at=at)
    section = organisation = None
    reason = None
    if subaccount is None:
        disposition, reason = "unmatched", "子账号不存在"
        target = await journal.ensure_account(session, chart.center(chart.SUSPENSE), at=at)
    else:
        section = await session.get(Section, subaccount.section_id)
        organisation = await session.get(Organisation, subaccount.organisation_id)
        assert section is not None and organisation is not None
        if _must_pay_from_basic_account(section, organisation, subaccount.sector) and not is_basic_account(
            payer_name=notice.payer_name,
            payer_account=notice.payer_account,
            basic_name=organisation.basic_account_name,
            basic_number=organisation.basic_account_number,
        ):
            disposition, reason = "foreign_payer", "非投标人基本账户汇入（C-06）"
            target = await journal.ensure_account(session, chart.center(chart.SUSPENSE), at=at)
        elif section.bid_deadline is not None and notice.value_at >= section.bid_deadline:
            disposition, reason = "late", "投标截止后到账"
        elif subaccount.state != "held" or section.status in CLOSED_STATUSES:
            disposition, reason = "late", "保证金已处理或标段已结束后到账"
        else:
            disposition = "deposit"
        if disposition == "late":
            target = await journal.ensure_account(
                session, chart.sector_account(chart.LATE_PAYMENTS, subaccount.sector), at=at
            )
        elif disposition == "deposit":
            target = await session.get(journal.Account, subaccount.account_id)
            assert target is not None
    code = {"deposit": "deposit_received", "late": "late_payment"}.get(disposition, "suspense")
    posted = await journal.post(
        session,
        key=f"bank:{notice.bank_txn_id}",
        code=code,
        legs=[Leg(bank, notice.amount_fen), Leg(target, -notice.amount_fen)],
        memo=f"银行到账{format_yuan(notice.amount_fen)}元，付款人{notice.payer_name}（{notice.payer_account}），"
        f"子账号{number}" + (f"：{reason}" if reason else ""),
        actor=actor,
        at=at,
        value_at=notice.value_at,
        section_id=subaccount.section_id if subaccount else None,
        organisation_id=subaccount.organisation_id if subaccount else None,
    )
    credit = BankCredit(
        bank_txn_id=notice.bank_txn_id,
        virtual_account_number=number,
        virtual_account_id=subaccount.id if subaccount else None,
        section_id=subaccount.section_id if subaccount else None,
        organisation_id=subaccount.organisation_id if subaccount else None,
        sector=subaccount.sector if subaccount else None,
        amount_fen=notice.amount_fen,
        payer_name=notice.payer_name.strip(),
        payer_account=notice.payer_account.strip(),
        payer_bank=notice.payer_bank.strip(),
        value_at=notice.value_at,
        received_at=at,
        source=source,
        disposition=disposition,
        reason=reason,
        entry_id=posted.entry.id,
    )
    session.add(credit)
    await session.flush()
    await record(
        session,
        actor=actor,
        action="funds.credit_received",
        subject_type="bank_credit",
        subject_id=credit.id,
        data={
            "bank_txn_id": credit.bank_txn_id,
            "virtual_account": number,
            "amount_fen": credit.amount_fen,
            "payer_name": credit.payer_name,
            "payer_account": credit.payer_account,
            "value_at": credit.value_at.isoformat(),
            "source": source,
            "disposition": disposition,
            "reason": reason,
            "entry_id": str(posted.entry.id),
        },
        at=at,
    )
    if disposition == "late":
        await return_credit(
            session, credit, trigger=Trigger.late_payment, reason=reason or "", actor=actor, at=at, zone=zone
        )
    return Received(credit, created=True)


async def reverse_credit(
    session: AsyncSession, credit_id: uuid.UUID, *, reason: str, actor: Actor, at: dt.datetime
) -> BankCredit:
    """Correct a credit posted by mistake (or recalled by the bank) by a reversing entry.

    Only while its money is still where it was posted: a deposit of a held sub-account, or a
    suspense item not yet returned. A late payment is returned instead."""
    from funds.deposits.service import lock_subaccount_by_id, require_held
    from funds.refunds.models import Refund

    if not reason.strip():
        raise DomainError(
            "bankfeed.reason_required", "冲正须说明原因", "a reversal needs a reason", status=422
        )
    credit = await session.get(BankCredit, credit_id)
    if credit is None:
        raise not_found("bank_credit", "到账记录", credit_id)
    if credit.disposition == "deposit" and credit.virtual_account_id is not None:
        require_held(await lock_subaccount_by_id(session, credit.virtual_account_id))
    credit = await session.scalar(
        select(BankCredit)
        .where(BankCredit.id == credit_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert credit is not None
    if credit.reversed_at is not None:
        return credit
    if credit.disposition == "late" or await session.scalar(
        select(Refund.id).where(Refund.credit_id == credit.id)
    ):
        raise Conflict(
            "bankfeed.credit_in_refund",
            "该笔到账已进入退款流程，不能冲正",
            "the credit is already being refunded or returned; it cannot be reversed",
        )
    posted = await journal.reverse(session, credit.entry_id, reason=reason.strip(), actor=actor, at=at)
    credit.reversed_at = at
    credit.reversal_entry_id = posted.entry.id
    await record(
        session,
        actor=actor,
        action="funds.credit_reversed",
        subject_type="bank_credit",
        subject_id=credit.id,
        data={"bank_txn_id": credit.bank_txn_id, "reason": reason.strip(), "entry_id": str(posted.entry.id)},
        at=at,
    )
    await session.flush()
    return credit


async def list_credits(
    session: AsyncSession,
    *,
    sectors: frozenset[str] | None,
    disposition: str | None = None,
    section_id: uuid.UUID | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[BankCredit]:
    query = select(BankCredit).order_by(BankCredit.received_at.desc(), BankCredit.id.desc())
    if sectors is not None:
        query = query.where(BankCredit.sector.in_(sorted(sectors)))
    if disposition:
        query = query.where(BankCredit.disposition == disposition)
    if section_id:
        query = query.where(BankCredit.section_id == section_id)
    return list((await session.scalars(query.limit(limit).offset(offset))).all())
