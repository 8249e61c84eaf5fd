"""Deposits (保证金): the position other packages ask about, and the staff actions that settle a
deposit other than by refund (forfeiture, conversion).

A deposit lives in its virtual sub-account: the ledger account holds the qualifying cash (each
qualifying bank credit is a "lot" that is refunded as a whole, to the account it came from), and
accepted guarantees add their cover without any cash. The sub-account's `state` records how the
deposit was settled: held → refunded | forfeited | converted, each exactly once (the row is locked
`FOR UPDATE` by every movement, so two of them cannot both settle it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from funds.bankfeed.models import BankCredit
from funds.deposits.rules import CONVERTIBLE_SECTORS, FORFEIT_REASONS, ForfeitReason
from funds.guarantees.models import Guarantee
from funds.journal import chart
from funds.journal import service as journal
from funds.journal.service import Leg
from funds.refunds.models import Refund
from funds.subaccounts.models import VirtualAccount
from funds.subaccounts.service import find_subaccount
from trading.audit.service import Actor, record
from trading.errors import Conflict, DomainError, NotFound
from trading.money import format_yuan
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section
from trading.projects.service import get_section
from trading.rules.checks import RuleViolation


class DepositStatus(StrEnum):
    not_required = "not_required"
    unpaid = "unpaid"
    partly_paid = "partly_paid"
    secured = "secured"
    refunded = "refunded"
    forfeited = "forfeited"
    converted = "converted"


STATUS_ZH = {
    DepositStatus.not_required: "无需缴纳",
    DepositStatus.unpaid: "未缴纳",
    DepositStatus.partly_paid: "部分缴纳",
    DepositStatus.secured: "已足额缴纳",
    DepositStatus.refunded: "已退还",
    DepositStatus.forfeited: "已没收",
    DepositStatus.converted: "已转为价款/服务费",
}


@dataclass(frozen=True)
class DepositPosition:
    status: DepositStatus
    required_fen: int
    # Qualifying cash in the sub-account plus the cover of accepted guarantees.
    paid_fen: int
    # The deposit deadline (the section's bid deadline).
    deadline: dt.datetime | None
    may_bid: bool


async def guarantee_cover(session: AsyncSession, subaccount_id: uuid.UUID, at: dt.datetime) -> int:
    """The cover of the guarantees that secured the deposit at instant `at`."""
    rows = await session.scalars(
        select(Guarantee.amount_fen).where(
            Guarantee.virtual_account_id == subaccount_id,
            Guarantee.recorded_at <= at,
            or_(Guarantee.closed_at.is_(None), Guarantee.closed_at > at),
        )
    )
    return sum(rows.all())


async def deposit_position(
    session: AsyncSession, *, section_id: uuid.UUID, organisation_id: uuid.UUID, at: dt.datetime
) -> DepositPosition:
    """Whether the bidder's deposit for the section is secured at instant `at` (and so whether it may
    bid). A section with no deposit needs none: `not_required`, may bid."""
    section = await get_section(session, section_id)
    required = section.deposit_fen
    subaccount = await find_subaccount(session, section_id=section_id, organisation_id=organisation_id)
    if subaccount is None:
        status = DepositStatus.not_required if required == 0 else DepositStatus.unpaid
        return DepositPosition(
            status, required, 0, section.bid_deadline, status == DepositStatus.not_required
        )
    cash = -await journal.balance(session, subaccount.account_id, at=at)
    paid = cash + await guarantee_cover(session, subaccount.id, at)
    if required == 0:
        return DepositPosition(DepositStatus.not_required, 0, paid, section.bid_deadline, True)
    if subaccount.state != "held" and subaccount.settled_at is not None and subaccount.settled_at <= at:
        return DepositPosition(DepositStatus(subaccount.state), required, paid, section.bid_deadline, False)
    if paid >= required:
        status = DepositStatus.secured
    elif paid > 0:
        status = DepositStatus.partly_paid
    else:
        status = DepositStatus.unpaid
    return DepositPosition(status, required, paid, section.bid_deadline, status == DepositStatus.secured)


# --- shared by refunds, forfeiture and conversion ---------------------------------------------


@dataclass(frozen=True)
class Held:
    """A locked sub-account with its section, sector and ledger account."""

    subaccount: VirtualAccount
    section: Section
    sector: str
    account: journal.Account


async def lock_subaccount(session: AsyncSession, section_id: uuid.UUID, organisation_id: uuid.UUID) -> Held:
    """The sub-account, locked until the transaction ends; NotFound when the bidder never had one."""
    subaccount = await find_subaccount(
        session, section_id=section_id, organisation_id=organisation_id, lock=True
    )
    if subaccount is None:
        raise NotFound(
            "deposit.not_found",
            "该单位在此标段没有保证金子账户",
            "this organisation has no deposit sub-account for the section",
        )
    return await held_of(session, subaccount)


async def lock_subaccount_by_id(session: AsyncSession, subaccount_id: uuid.UUID) -> Held:
    subaccount = await session.scalar(
        select(VirtualAccount)
        .where(VirtualAccount.id == subaccount_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if subaccount is None:
        raise NotFound("deposit.not_found", "保证金子账户不存在", "no such deposit sub-account")
    return await held_of(session, subaccount)


async def held_of(session: AsyncSession, subaccount: VirtualAccount) -> Held:
    section = await get_section(session, subaccount.section_id)
    account = await session.get(journal.Account, subaccount.account_id)
    assert account is not None
    return Held(subaccount, section, subaccount.sector, account)


def require_held(held: Held) -> None:
    if held.subaccount.state != "held":
        raise Conflict(
            "deposit.already_settled",
            f"该保证金已处理（{STATUS_ZH[DepositStatus(held.subaccount.state)]}），不能重复处理",
            f"the deposit is already {held.subaccount.state}; it is settled once",
            details={"state": held.subaccount.state},
        )


async def open_lots(session: AsyncSession, subaccount_id: uuid.UUID) -> list[BankCredit]:
    """The qualifying credits still in the sub-account: not reversed, not refunded."""
    refunded = select(Refund.credit_id)
    return list(
        (
            await session.scalars(
                select(BankCredit)
                .where(
                    BankCredit.virtual_account_id == subaccount_id,
                    BankCredit.disposition == "deposit",
                    BankCredit.reversed_at.is_(None),
                    BankCredit.id.not_in(refunded),
                )
                .order_by(BankCredit.value_at, BankCredit.id)
            )
        ).all()
    )


async def settle(held: Held, state: str, *, actor: Actor, at: dt.datetime, reason: str) -> None:
    held.subaccount.state = state
    held.subaccount.settled_at = at
    held.subaccount.settled_by = actor.name[:100]
    held.subaccount.settlement_reason = reason[:500]


async def close_guarantees(
    session: AsyncSession, subaccount_id: uuid.UUID, status: str, *, at: dt.datetime, reason: str
) -> list[Guarantee]:
    guarantees = (
        await session.scalars(
            select(Guarantee).where(
                Guarantee.virtual_account_id == subaccount_id, Guarantee.status == "accepted"
            )
        )
    ).all()
    for guarantee in guarantees:
        guarantee.status = status
        guarantee.closed_at = at
        guarantee.closed_reason = reason[:300]
    return list(guarantees)


# --- forfeiture -------------------------------------------------------------------------------


async def forfeit_deposit(
    session: AsyncSession,
    *,
    section_id: uuid.UUID,
    organisation_id: uuid.UUID,
    reason: ForfeitReason,
    note: str,
    actor: Actor,
    at: dt.datetime,
) -> Held:
    """Keep a deposit for a rule-defined reason (staff only, with a written note): the cash moves to
    forfeitures payable to the principal; a guarantee is claimed from its issuer."""
    if not note.strip():
        raise DomainError(
            "deposit.forfeit_note_required",
            "没收保证金须写明事实和依据",
            "a forfeiture needs a written note of the facts",
            status=422,
        )
    rule = FORFEIT_REASONS[reason]
    held = await lock_subaccount(session, section_id, organisation_id)
    require_held(held)
    deadline = held.section.bid_deadline
    if reason == ForfeitReason.withdrawal_after_deadline and (deadline is None or at < deadline):
        raise RuleViolation(
            "deposit.forfeit_before_deadline",
            "投标截止前书面撤回的，保证金应予退还，不得没收",
            "a bid withdrawn before the deadline gets its deposit back; it cannot be forfeited",
            rule="C-07",
        )
    cash = -await journal.balance(session, held.account.id)
    guarantees = await close_guarantees(session, held.subaccount.id, "claimed", at=at, reason=rule.zh)
    if cash == 0 and not guarantees:
        raise Conflict(
            "deposit.nothing_to_forfeit",
            "该保证金子账户没有可没收的款项或保函",
            "the sub-account holds neither cash nor a guarantee to forfeit",
        )
    entry_id = None
    if cash:
        payable = await journal.ensure_account(
            session, chart.sector_account(chart.FORFEITURES_PAYABLE, held.sector), at=at
        )
        posted = await journal.post(
            session,
            key=f"forfeit:{held.subaccount.id}",
            code="forfeiture",
            legs=[Leg(held.account, cash), Leg(payable, -cash)],
            memo=f"没收保证金（{rule.zh}）：{note.strip()}",
            actor=actor,
            at=at,
            section_id=section_id,
            organisation_id=organisation_id,
        )
        entry_id = posted.entry.id
    await settle(held, "forfeited", actor=actor, at=at, reason=f"{reason}: {note.strip()}")
    await record(
        session,
        actor=actor,
        action="funds.deposit_forfeited",
        subject_type="virtual_account",
        subject_id=held.subaccount.id,
        data={
            "section_id": str(section_id),
            "organisation_id": str(organisation_id),
            "reason": reason,
            "rule": rule.rule,
            "note": note.strip(),
            "cash_fen": cash,
            "guarantees_claimed": [g.number for g in guarantees],
            "entry_id": str(entry_id) if entry_id else None,
        },
        at=at,
    )
    await session.flush()
    return held


# --- conversion -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conversion:
    held: Held
    to_fee_fen: int
    to_price_fen: int


async def convert_deposit(
    session: AsyncSession,
    *,
    section_id: uuid.UUID,
    organisation_id: uuid.UUID,
    settle_fee: bool,
    actor: Actor,
    at: dt.datetime,
) -> Conversion:
    """L-05: the land or property winner's deposit becomes part of the price (payable to the grantor
    or transferor); with `settle_fee`, the center's invoiced service fee is first paid out of it."""
    from funds.fees.models import FeeInvoice

    held = await lock_subaccount(session, section_id, organisation_id)
    require_held(held)
    if held.sector not in CONVERTIBLE_SECTORS:
        raise RuleViolation(
            "deposit.conversion_sector",
            "只有土地使用权出让和产权交易的竞得人保证金可转为价款",
            "only land and property-rights winners' deposits convert into the price",
            rule="L-05",
        )
    if held.section.winner_id != organisation_id or held.section.status not in ("awarded", "contracted"):
        raise RuleViolation(
            "deposit.conversion_not_winner",
            "只有已确认的竞得人/受让方的保证金可转为价款",
            "only the confirmed winner's deposit converts into the price",
            rule="L-05",
        )
    cash = -await journal.balance(session, held.account.id)
    if cash == 0:
        held_by_guarantee = await guarantee_cover(session, held.subaccount.id, at)
        raise Conflict(
            "deposit.nothing_to_convert",
            "保证金子账户没有现金余额"
            + ("（保函不能转为价款，请竞得人以现金支付价款）" if held_by_guarantee else ""),
            "the sub-account holds no cash"
            + (
                " (a guarantee does not convert into the price; the winner pays in cash)"
                if held_by_guarantee
                else ""
            ),
        )
    invoice = None
    to_fee = 0
    if settle_fee:
        invoice = await session.scalar(
            select(FeeInvoice)
            .where(FeeInvoice.section_id == section_id, FeeInvoice.payer_organisation_id == organisation_id)
            .with_for_update()
        )
        if invoice is None:
            raise Conflict(
                "deposit.no_fee_invoice",
                "该竞得人在此标段没有待结算的交易服务费",
                "there is no service fee invoice of this winner for the section to settle",
            )
        to_fee = min(cash, invoice.amount_fen - invoice.settled_fen)
    to_price = cash - to_fee
    legs = [Leg(held.account, cash)]
    if to_fee:
        receivable = await journal.ensure_account(
            session, chart.sector_account(chart.FEES_RECEIVABLE, held.sector), at=at
        )
        legs.append(Leg(receivable, -to_fee))
    if to_price:
        payable = await journal.ensure_account(
            session, chart.sector_account(chart.PRICE_PAYABLE, held.sector), at=at
        )
        legs.append(Leg(payable, -to_price))
    project = await session.get(Project, held.section.project_id)
    winner = await session.get(Organisation, organisation_id)
    assert project is not None and winner is not None
    posted = await journal.post(
        session,
        key=f"convert:{held.subaccount.id}",
        code="conversion",
        legs=legs,
        memo=f"{winner.name}保证金转为服务费{format_yuan(to_fee)}元、价款{format_yuan(to_price)}元（{project.name}）",
        actor=actor,
        at=at,
        section_id=section_id,
        organisation_id=organisation_id,
    )
    if invoice is not None:
        invoice.settled_fen += to_fee
    await close_guarantees(session, held.subaccount.id, "released", at=at, reason="保证金已转为价款")
    await settle(held, "converted", actor=actor, at=at, reason=f"fee {to_fee} fen, price {to_price} fen")
    await record(
        session,
        actor=actor,
        action="funds.deposit_converted",
        subject_type="virtual_account",
        subject_id=held.subaccount.id,
        data={
            "section_id": str(section_id),
            "organisation_id": str(organisation_id),
            "to_fee_fen": to_fee,
            "to_price_fen": to_price,
            "fee_invoice": invoice.number if invoice else None,
            "entry_id": str(posted.entry.id),
            "rule": "L-05",
        },
        at=at,
    )
    await session.flush()
    return Conversion(held, to_fee, to_price)
