"""Refunds: deposits falling due, returns of money that never was a deposit, payment instructions
for the bank, and the bank's answer (confirmed, failed, retried).

Money moves in three entries per refund, each with its own idempotency key:
- falls due: Dr sub-account (or suspense / late payments), Cr refunds payable  (`refund:<credit>`)
- first instruction: Dr interest expense, Cr refunds payable, when interest or a late charge is
  owed (`interest:<refund>`, `late_charge:<refund>`)
- bank confirms: Dr refunds payable, Cr escrow bank account  (`refund_paid:<refund>`)

Interest is paid from money that is the center's, never from other bidders' deposits: the bank's
interest credited to the escrow account (`interest_income`) or a transfer the center makes into it
from its own account (`center_funding`). An instruction whose interest and late charges exceed
what was funded and not yet spent is refused (`refund.interest_unfunded`), and the journal refuses
any payment that would take the escrow bank account below zero (`ledger.escrow_negative`).

A refund is for one bank credit and goes to the account that credit came from: the payee is copied
from the credit when the refund is created, and nothing can change it. One refund per credit
(a unique constraint), so no deposit is refunded twice, however many events or clerks ask.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import uuid
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from funds.bankfeed.models import BankCredit
from funds.deposits.service import (
    Held,
    close_guarantees,
    held_of,
    lock_subaccount,
    open_lots,
    require_held,
    settle,
)
from funds.journal import chart
from funds.journal import service as journal
from funds.journal.models import Account
from funds.journal.service import Leg
from funds.refunds.interest import accrued, late_charge
from funds.refunds.models import InterestRate, Refund, RefundInstruction
from funds.refunds.rules import RETURN_TERM, Term, Trigger, falls_due_at, term_for
from funds.subaccounts.models import VirtualAccount
from funds.subaccounts.service import next_number
from trading.audit.service import SYSTEM, Actor, record
from trading.calendar.periods import Unit, period
from trading.calendar.service import load_calendar_from
from trading.clock import local_date
from trading.errors import Conflict, DomainError, Forbidden, NotFound, not_found
from trading.money import format_yuan

logger = logging.getLogger("funds.refunds")

# Event handlers get no settings: they count days on the center's default calendar zone.
CENTER_ZONE = ZoneInfo("Asia/Shanghai")


async def due_date(
    session: AsyncSession, term: Term, start: dt.datetime, zone: ZoneInfo
) -> tuple[dt.date, str]:
    """The last day of the refund period that starts at `start` (see funds/refunds/rules.py),
    counted as the Civil Code counts (trading/calendar/periods.py), and its basis: `days` or
    `working_days`, with `_provisional` when a year without its holiday notice was used (D-03)."""
    day = local_date(start, zone)
    calendar = await load_calendar_from(session, day.year)
    unit = Unit.working_days if term.working_days else Unit.days
    found = period(calendar, day, term.days, unit)
    return found.last_day, unit.value + ("_provisional" if found.provisional else "")


async def on_calendar_year_loaded(session: AsyncSession, payload: dict, now: dt.datetime) -> None:
    """A year's notice arrived: every unpaid refund whose deadline was estimated is recounted on
    the real calendar (D-03); the audit log keeps both dates."""
    zone = CENTER_ZONE
    estimated = (
        await session.scalars(
            select(Refund)
            .where(Refund.due_basis.like("%_provisional"))
            .where(Refund.status != "confirmed")
            .order_by(Refund.id)
        )
    ).all()
    for refund in estimated:
        term = term_for(refund.sector, Trigger(refund.trigger)) if refund.sector else RETURN_TERM
        due_on, basis = await due_date(session, term or RETURN_TERM, refund.fell_due_at, zone)
        if (due_on, basis) == (refund.due_on, refund.due_basis):
            continue
        await record(
            session,
            actor=SYSTEM,
            action="refund.due_recounted",
            subject_type="refund",
            subject_id=refund.id,
            data={"from": refund.due_on, "to": due_on, "basis": basis, "year": payload.get("year")},
            at=now,
        )
        refund.due_on, refund.due_basis = due_on, basis


def total_fen(refund: Refund) -> int:
    return refund.principal_fen + (refund.interest_fen or 0) + (refund.late_charge_fen or 0)


def payable_spec(sector: str | None) -> chart.AccountSpec:
    if sector is None:
        return chart.center(chart.REFUNDS_PAYABLE)
    return chart.sector_account(chart.REFUNDS_PAYABLE, sector)


async def _create_refund(
    session: AsyncSession,
    credit: BankCredit,
    *,
    kind: str,
    source: journal.Account,
    trigger: Trigger,
    term: Term,
    reason: str,
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Refund:
    payable = await journal.ensure_account(session, payable_spec(credit.sector), at=at)
    posted = await journal.post(
        session,
        key=f"refund:{credit.id}",
        code="refund" if kind == "deposit" else "return",
        legs=[Leg(source, credit.amount_fen), Leg(payable, -credit.amount_fen)],
        memo=f"{'退还保证金' if kind == 'deposit' else '退回款项'}{format_yuan(credit.amount_fen)}元至"
        f"{credit.payer_name}（{credit.payer_account}）：{reason}",
        actor=actor,
        at=at,
        section_id=credit.section_id,
        organisation_id=credit.organisation_id,
    )
    if not posted.created:
        existing = await session.scalar(select(Refund).where(Refund.credit_id == credit.id))
        assert existing is not None
        return existing
    due_on, basis = await due_date(session, term, at, zone)
    refund = Refund(
        credit_id=credit.id,
        kind=kind,
        virtual_account_id=credit.virtual_account_id,
        section_id=credit.section_id,
        organisation_id=credit.organisation_id,
        sector=credit.sector,
        trigger=trigger,
        rule=term.rule,
        principal_fen=credit.amount_fen,
        with_interest=term.with_interest,
        late_charge_applies=term.late_charge,
        interest_from=local_date(credit.value_at, zone),
        payee_name=credit.payer_name,
        payee_account=credit.payer_account,
        payee_bank=credit.payer_bank,
        fell_due_at=at,
        due_on=due_on,
        due_basis=basis,
        status="pending",
        attempt=0,
    )
    session.add(refund)
    await session.flush()
    return refund


async def refund_deposit(
    session: AsyncSession,
    held: Held,
    *,
    trigger: Trigger,
    reason: str,
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> list[Refund]:
    """Every lot of a held deposit falls due, each to the account it came from; guarantees are
    released. The caller holds the sub-account's lock (`lock_subaccount`). A sub-account that holds
    nothing is left as it is (a payment arriving later is then returned as late)."""
    require_held(held)
    term = term_for(held.sector, trigger)
    assert term is not None, f"no refund terms for {held.sector} / {trigger}"
    lots = await open_lots(session, held.subaccount.id)
    cash = -await journal.balance(session, held.account.id)
    if cash != sum(lot.amount_fen for lot in lots):
        raise DomainError(
            "deposit.lots_mismatch",
            "保证金子账户余额与到账记录不一致，请先核对账务",
            "the sub-account's balance does not match its credits; reconcile before refunding",
            status=409,
            details={"balance_fen": cash, "lots_fen": sum(lot.amount_fen for lot in lots)},
        )
    guarantees = await close_guarantees(session, held.subaccount.id, "released", at=at, reason=reason)
    if not lots and not guarantees:
        return []
    refunds = [
        await _create_refund(
            session,
            lot,
            kind="deposit",
            source=held.account,
            trigger=trigger,
            term=term,
            reason=reason,
            actor=actor,
            at=at,
            zone=zone,
        )
        for lot in lots
    ]
    await settle(held, "refunded", actor=actor, at=at, reason=f"{trigger}: {reason}")
    await record(
        session,
        actor=actor,
        action="funds.deposit_refund_due",
        subject_type="virtual_account",
        subject_id=held.subaccount.id,
        data={
            "section_id": str(held.subaccount.section_id),
            "organisation_id": str(held.subaccount.organisation_id),
            "trigger": trigger,
            "rule": term.rule,
            "reason": reason,
            "refunds": [
                {"id": str(r.id), "principal_fen": r.principal_fen, "due_on": str(r.due_on)} for r in refunds
            ],
            "guarantees_released": [g.number for g in guarantees],
        },
        at=at,
    )
    return refunds


async def request_refund(
    session: AsyncSession,
    *,
    section_id: uuid.UUID,
    organisation_id: uuid.UUID,
    reason: str,
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> list[Refund]:
    """Staff refund a held deposit outside the section's events (e.g. the registration was rejected)."""
    if len(reason.strip()) < 2:
        raise DomainError(
            "refund.reason_required", "退还保证金须说明原因", "a manual refund needs a reason", status=422
        )
    held = await lock_subaccount(session, section_id, organisation_id)
    require_held(held)
    refunds = await refund_deposit(
        session, held, trigger=Trigger.manual, reason=reason.strip(), actor=actor, at=at, zone=zone
    )
    if not refunds and held.subaccount.state == "held":
        raise Conflict(
            "refund.nothing_held",
            "该保证金子账户没有可退还的款项或保函",
            "the sub-account holds neither cash nor a guarantee to refund",
        )
    return refunds


async def return_credit(
    session: AsyncSession,
    credit: BankCredit,
    *,
    trigger: Trigger,
    reason: str,
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> Refund:
    """Send back money that never was a deposit (late, foreign payer, unknown virtual account)."""
    if credit.disposition == "deposit":
        raise Conflict(
            "refund.is_a_deposit",
            "该笔款项是保证金，应按保证金退还程序处理",
            "this credit is a deposit; it is refunded with its deposit",
        )
    if credit.reversed_at is not None:
        raise Conflict(
            "refund.credit_reversed", "该笔到账已冲正，无需退回", "the credit was reversed; nothing to return"
        )
    if credit.disposition == "late":
        source = await journal.ensure_account(
            session, chart.sector_account(chart.LATE_PAYMENTS, credit.sector or ""), at=at
        )
    else:
        source = await journal.ensure_account(session, chart.center(chart.SUSPENSE), at=at)
    refund = await _create_refund(
        session,
        credit,
        kind="return",
        source=source,
        trigger=trigger,
        term=RETURN_TERM,
        reason=reason,
        actor=actor,
        at=at,
        zone=zone,
    )
    await record(
        session,
        actor=actor,
        action="funds.credit_return_due",
        subject_type="bank_credit",
        subject_id=credit.id,
        data={
            "bank_txn_id": credit.bank_txn_id,
            "disposition": credit.disposition,
            "reason": reason,
            "refund_id": str(refund.id),
            "amount_fen": credit.amount_fen,
            "due_on": str(refund.due_on),
        },
        at=at,
    )
    return refund


async def return_suspense_item(
    session: AsyncSession, credit_id: uuid.UUID, *, reason: str, actor: Actor, at: dt.datetime, zone: ZoneInfo
) -> Refund:
    """Staff send a suspense item (foreign payer, unknown virtual account) back to its payer."""
    credit = await session.scalar(
        select(BankCredit)
        .where(BankCredit.id == credit_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if credit is None:
        raise not_found("bank_credit", "到账记录", credit_id)
    if credit.disposition not in ("foreign_payer", "unmatched"):
        raise Conflict(
            "refund.not_suspense",
            "只有暂挂款项（非本单位基本账户汇入或子账号不符）可以退回",
            "only suspense items (foreign payer or unknown virtual account) are returned this way",
        )
    existing = await session.scalar(select(Refund).where(Refund.credit_id == credit.id))
    if existing is not None:
        return existing
    return await return_credit(
        session, credit, trigger=Trigger.suspense_return, reason=reason, actor=actor, at=at, zone=zone
    )


# --- the section's and the registration's events ----------------------------------------------


def _event_time(payload: dict, now: dt.datetime) -> dt.datetime:
    raw = payload.get("at")
    if isinstance(raw, str):
        try:
            parsed = dt.datetime.fromisoformat(raw)
            if parsed.tzinfo is not None:
                return parsed.astimezone(dt.UTC)
        except ValueError:
            pass
    return now


async def on_section_event(trigger: Trigger, session: AsyncSession, payload: dict, now: dt.datetime) -> None:
    """A section failed, was cancelled, awarded or contracted: the deposits that fall due (see
    funds/refunds/rules.py) go to refund. Idempotent: a settled deposit is skipped."""
    section_id = uuid.UUID(payload["section_id"])
    sector = payload["sector"]
    at = _event_time(payload, now)
    subaccounts = (
        await session.scalars(
            select(VirtualAccount)
            .where(VirtualAccount.section_id == section_id, VirtualAccount.state == "held")
            .order_by(VirtualAccount.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    winner = payload.get("winner_id")
    for subaccount in subaccounts:
        held = await held_of(session, subaccount)
        winner_id = winner or (str(held.section.winner_id) if held.section.winner_id else None)
        if not falls_due_at(sector, trigger, winner=str(subaccount.organisation_id) == winner_id):
            continue
        reason = str(payload.get("reason") or trigger)
        try:
            async with session.begin_nested():
                await refund_deposit(
                    session, held, trigger=trigger, reason=reason, actor=SYSTEM, at=at, zone=CENTER_ZONE
                )
        except DomainError as refused:
            # One deposit that cannot be refunded (its balance does not match its credits) must not
            # hold back the others: it stays held, visible as outstanding, with an audit event.
            logger.error("deposit %s not refunded on %s: %s", subaccount.number, trigger, refused.code)
            await record(
                session,
                actor=SYSTEM,
                action="funds.deposit_refund_blocked",
                subject_type="virtual_account",
                subject_id=subaccount.id,
                data={"trigger": trigger, "code": refused.code, "details": refused.details},
                at=at,
            )


def section_handler(trigger: Trigger):  # type: ignore[no-untyped-def]
    async def handle(session: AsyncSession, payload: dict, now: dt.datetime) -> None:
        await on_section_event(trigger, session, payload, now)

    handle.__name__ = f"refund_on_{trigger.replace('.', '_')}"
    return handle


async def on_registration_withdrawn(session: AsyncSession, payload: dict, now: dt.datetime) -> None:
    """C-07 / P-05: a bidder that withdrew in writing before the deadline gets its deposit back. A
    withdrawal after the deadline is left to staff, who may forfeit the deposit (C-07)."""
    section_id = uuid.UUID(payload["section_id"])
    organisation_id = uuid.UUID(payload["organisation_id"])
    at = _event_time(payload, now)
    try:
        held = await lock_subaccount(session, section_id, organisation_id)
    except NotFound:
        return
    if held.subaccount.state != "held":
        return
    deadline = held.section.bid_deadline
    if deadline is not None and at >= deadline:
        return
    await refund_deposit(
        session,
        held,
        trigger=Trigger.withdrawn,
        reason="投标人于投标截止前书面撤回",
        actor=SYSTEM,
        at=at,
        zone=CENTER_ZONE,
    )


# --- interest rates ---------------------------------------------------------------------------


async def record_rate(
    session: AsyncSession,
    *,
    kind: str,
    effective_from: dt.date,
    rate_ppm: int,
    source: str,
    actor: Actor,
    at: dt.datetime,
) -> InterestRate:
    """Add a rate from a date on. Rates are never edited: a new row from a later date replaces it."""
    rate = InterestRate(
        kind=kind,
        effective_from=effective_from,
        rate_ppm=rate_ppm,
        source=source.strip(),
        recorded_at=at,
        recorded_by=actor.name[:100],
    )
    try:
        async with session.begin_nested():
            session.add(rate)
    except IntegrityError:
        raise Conflict(
            "interest.rate_exists",
            f"{effective_from}起的该类利率已登记；如需调整，请登记新的生效日期",
            f"a {kind} rate from {effective_from} is already recorded; record a new effective date instead",
        ) from None
    await record(
        session,
        actor=actor,
        action="funds.interest_rate_recorded",
        subject_type="interest_rate",
        subject_id=rate.id,
        data={
            "kind": kind,
            "effective_from": str(effective_from),
            "rate_ppm": rate_ppm,
            "source": rate.source,
        },
        at=at,
    )
    return rate


async def rates_of(session: AsyncSession, kind: str) -> list[tuple[dt.date, int]]:
    rows = await session.execute(
        select(InterestRate.effective_from, InterestRate.rate_ppm)
        .where(InterestRate.kind == kind)
        .order_by(InterestRate.effective_from)
    )
    return [(row.effective_from, row.rate_ppm) for row in rows]


async def list_rates(session: AsyncSession) -> list[InterestRate]:
    return list(
        (
            await session.scalars(
                select(InterestRate).order_by(InterestRate.kind, InterestRate.effective_from)
            )
        ).all()
    )


# --- payment instructions and the bank's answers ----------------------------------------------

INSTRUCTION_COLUMNS = (
    "reference",
    "payee_name",
    "payee_account",
    "payee_bank",
    "amount",
    "purpose",
    "principal",
    "interest",
    "late_charge",
    "due_on",
)


def payment_reference(refund: Refund) -> str:
    """What the bank echoes back on its statement: the refund and the attempt."""
    return f"RF{refund.id.hex}-{refund.attempt}"


def parse_reference(reference: str) -> tuple[uuid.UUID, int] | None:
    text = reference.strip()
    if not text.startswith("RF") or "-" not in text:
        return None
    body, _, attempt = text[2:].partition("-")
    try:
        return uuid.UUID(hex=body), int(attempt)
    except ValueError:
        return None


MEMO_OF = {"interest": "退还保证金利息", "late_charge": "逾期退还资金占用费（P-05）"}


async def _fix_interest(
    session: AsyncSession,
    refund: Refund,
    *,
    deposit_rates: list[tuple[dt.date, int]],
    loan_rates: list[tuple[dt.date, int]],
    actor: Actor,
    at: dt.datetime,
    zone: ZoneInfo,
) -> None:
    """Interest and late charge, fixed once, at the first instruction (the day of payment)."""
    today = local_date(at, zone)
    sector = refund.sector or ""
    if refund.interest_fen is None:
        refund.interest_fen = (
            accrued(refund.principal_fen, refund.interest_from, today, deposit_rates)
            if refund.with_interest
            else 0
        )
    if refund.late_charge_fen is None:
        refund.late_charge_fen = (
            late_charge(refund.principal_fen, refund.due_on, today, loan_rates)
            if refund.late_charge_applies
            else 0
        )
    for code, amount in (("interest", refund.interest_fen), ("late_charge", refund.late_charge_fen)):
        if not amount:
            continue
        expense = await journal.ensure_account(
            session, chart.sector_account(chart.INTEREST_EXPENSE, sector), at=at
        )
        payable = await journal.ensure_account(session, payable_spec(refund.sector), at=at)
        await journal.post(
            session,
            key=f"{code}:{refund.id}",
            code=f"refund_{code}",
            legs=[Leg(expense, amount), Leg(payable, -amount)],
            memo=f"{MEMO_OF[code]}{format_yuan(amount)}元",
            actor=actor,
            at=at,
            section_id=refund.section_id,
            organisation_id=refund.organisation_id,
        )


def _owed(
    refund: Refund,
    *,
    deposit_rates: list[tuple[dt.date, int]],
    loan_rates: list[tuple[dt.date, int]],
    today: dt.date,
) -> int:
    """Interest and late charge this refund will add at its first instruction (0 once fixed)."""
    interest = late = 0
    if refund.interest_fen is None and refund.with_interest:
        interest = accrued(refund.principal_fen, refund.interest_from, today, deposit_rates)
    if refund.late_charge_fen is None and refund.late_charge_applies:
        late = late_charge(refund.principal_fen, refund.due_on, today, loan_rates)
    return interest + late


async def interest_funds(session: AsyncSession) -> int:
    """Money in the escrow account that is the center's to pay interest with: the bank's interest
    and the center's transfers, less the interest and late charges already owed or paid."""
    accounts = await session.scalars(
        select(Account.id).where(
            Account.code.in_([chart.INTEREST_INCOME, chart.CENTER_FUNDING])
            | Account.code.like(f"{chart.INTEREST_EXPENSE}:%")
        )
    )
    # Income is credit (negative), expense debit (positive): what is left is minus their sum.
    return -sum([await journal.balance(session, account_id) for account_id in accounts.all()])


async def _check_funded(
    session: AsyncSession,
    refunds: Sequence[Refund],
    *,
    deposit_rates: list[tuple[dt.date, int]],
    loan_rates: list[tuple[dt.date, int]],
    today: dt.date,
) -> None:
    needed = sum(_owed(r, deposit_rates=deposit_rates, loan_rates=loan_rates, today=today) for r in refunds)
    available = await interest_funds(session)
    if needed > available:
        raise Conflict(
            "refund.interest_unfunded",
            f"本次退款利息及资金占用费共{format_yuan(needed)}元，可用于支付的利息资金仅{format_yuan(available)}元："
            "请先登记银行结息或中心划入资金",
            f"the interest and late charges of this instruction come to {format_yuan(needed)} yuan but "
            f"only {format_yuan(available)} yuan is funded; record the bank's interest or the center's "
            "transfer first",
            details={"needed": format_yuan(needed), "available": format_yuan(available)},
        )


FUNDING_SOURCES = {
    "bank_interest": (chart.INTEREST_INCOME, "interest_income", "专户结息"),
    "center_transfer": (chart.CENTER_FUNDING, "interest_funding", "中心划入利息资金"),
}


async def fund_interest(
    session: AsyncSession,
    *,
    source: str,
    bank_txn_id: str,
    amount_fen: int,
    value_at: dt.datetime,
    actor: Actor,
    at: dt.datetime,
) -> journal.Posted:
    """Record money credited to the escrow account to pay interest with: the bank's interest, or a
    transfer from the center's own account. Keyed by the bank's transaction id, the same key a
    statement line of that credit gets, so the credit is booked once however it arrives."""
    if amount_fen <= 0:
        raise DomainError(
            "refund.funding_invalid", "划入金额须大于零", "the amount credited must be above zero", status=422
        )
    code, entry_code, memo = FUNDING_SOURCES[source]
    bank = await journal.ensure_account(session, chart.center(chart.ESCROW_BANK), at=at)
    income = await journal.ensure_account(session, chart.center(code), at=at)
    posted = await journal.post(
        session,
        key=f"bank:{bank_txn_id}",
        code=entry_code,
        legs=[Leg(bank, amount_fen), Leg(income, -amount_fen)],
        memo=f"{memo}{format_yuan(amount_fen)}元，银行流水号{bank_txn_id}",
        actor=actor,
        at=at,
        value_at=value_at,
    )
    if posted.created:
        await record(
            session,
            actor=actor,
            action="funds.interest_funded",
            subject_type="journal_entry",
            subject_id=posted.entry.id,
            data={"source": source, "bank_txn_id": bank_txn_id, "amount_fen": amount_fen},
            at=at,
        )
    return posted


async def _check_payee(session: AsyncSession, refund: Refund) -> None:
    credit = await session.get(BankCredit, refund.credit_id)
    assert credit is not None
    if (credit.payer_account, credit.payer_name) != (refund.payee_account, refund.payee_name):
        raise DomainError(
            "refund.payee_mismatch",
            "退款收款账户与原汇款账户不一致，已停止出具支付指令",
            "a refund's payee differs from the account the money came from; the instruction is stopped",
            status=409,
            details={"refund_id": str(refund.id)},
        )


async def issue_instruction(
    session: AsyncSession, *, actor: Actor, at: dt.datetime, zone: ZoneInfo
) -> RefundInstruction:
    """One payment file for the bank with every pending refund; each becomes `sent`."""
    refunds = (
        await session.scalars(
            select(Refund)
            .where(Refund.status == "pending")
            .order_by(Refund.due_on, Refund.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).all()
    if not refunds:
        raise Conflict("refund.nothing_pending", "没有待支付的退款", "there is no pending refund to pay")
    deposit_rates = await rates_of(session, "current_deposit")
    loan_rates = await rates_of(session, "benchmark_loan")
    today = local_date(at, zone)
    # Every rate must be known before anything is posted.
    for refund in refunds:
        if refund.with_interest and refund.interest_fen is None:
            accrued(refund.principal_fen, refund.interest_from, today, deposit_rates)
        if refund.late_charge_applies and refund.late_charge_fen is None:
            late_charge(refund.principal_fen, refund.due_on, today, loan_rates)
    await _check_funded(session, refunds, deposit_rates=deposit_rates, loan_rates=loan_rates, today=today)
    year = today.year
    number = f"RI-{year}-{await next_number(session, f'instruction:{year}'):05d}"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(INSTRUCTION_COLUMNS)
    instruction = RefundInstruction(
        number=number, created_at=at, created_by=actor.name[:100], count=0, total_fen=0, content="", sha256=""
    )
    session.add(instruction)
    await session.flush()
    for refund in refunds:
        await _check_payee(session, refund)
        await _fix_interest(
            session, refund, deposit_rates=deposit_rates, loan_rates=loan_rates, actor=actor, at=at, zone=zone
        )
        refund.attempt += 1
        refund.status = "sent"
        refund.sent_at = at
        refund.instruction_id = instruction.id
        refund.failed_at = None
        writer.writerow(
            (
                payment_reference(refund),
                refund.payee_name,
                refund.payee_account,
                refund.payee_bank,
                format_yuan(total_fen(refund)),
                "退还保证金" if refund.kind == "deposit" else "退回误入款项",
                format_yuan(refund.principal_fen),
                format_yuan(refund.interest_fen or 0),
                format_yuan(refund.late_charge_fen or 0),
                refund.due_on.isoformat(),
            )
        )
        instruction.count += 1
        instruction.total_fen += total_fen(refund)
    instruction.content = buffer.getvalue()
    instruction.sha256 = hashlib.sha256(instruction.content.encode("utf-8")).hexdigest()
    await record(
        session,
        actor=actor,
        action="funds.refund_instruction_issued",
        subject_type="refund_instruction",
        subject_id=instruction.id,
        data={
            "number": number,
            "count": instruction.count,
            "total_fen": instruction.total_fen,
            "sha256": instruction.sha256,
            "refunds": [str(r.id) for r in refunds],
        },
        at=at,
    )
    await session.flush()
    return instruction


async def _locked_refund(session: AsyncSession, refund_id: uuid.UUID) -> Refund:
    refund = await session.scalar(
        select(Refund)
        .where(Refund.id == refund_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if refund is None:
        raise not_found("refund", "退款", refund_id)
    return refund


def _wrong_status(refund: Refund, action: str, allowed: str) -> Conflict:
    return Conflict(
        "refund.status_conflict",
        f"退款当前状态为“{refund.status}”，不能{action}",
        f"a refund that is {refund.status} cannot be {allowed}",
        details={"status": refund.status},
    )


async def _check_four_eyes(session: AsyncSession, refund: Refund, actor: Actor) -> None:
    """Four eyes: whoever made the payment file does not also confirm its payments (the bank
    statement, acting as the platform, may)."""
    if actor.id is None or refund.instruction_id is None:
        return
    instruction = await session.get(RefundInstruction, refund.instruction_id)
    if instruction is not None and instruction.created_by == actor.name[:100]:
        raise Forbidden(
            "refund.four_eyes",
            f"四眼原则：支付指令{instruction.number}由您出具，须由另一名工作人员确认支付",
            f"four-eyes rule: you issued the payment file {instruction.number}; "
            "another member of staff must confirm its payments",
            details={"rule": "four_eyes", "instruction": instruction.number},
        )


async def confirm_refund(
    session: AsyncSession,
    refund_id: uuid.UUID,
    *,
    bank_txn_id: str,
    paid_on: dt.date,
    amount_fen: int | None,
    actor: Actor,
    at: dt.datetime,
    from_statement: bool = False,
) -> Refund:
    """The bank paid the refund: the money leaves the escrow account. Idempotent on the bank's id.
    Confirmed by hand, it needs another person than the payment file's maker; a bank statement
    line (`from_statement`) is the bank's own word and needs no second person."""
    refund = await _locked_refund(session, refund_id)
    if refund.status == "confirmed":
        if refund.bank_txn_id == bank_txn_id:
            return refund
        raise _wrong_status(refund, "再次确认", "confirmed again")
    if refund.status != "sent":
        raise _wrong_status(refund, "确认支付", "confirmed (only a sent refund is)")
    if not from_statement:
        await _check_four_eyes(session, refund, actor)
    if amount_fen is not None and amount_fen != total_fen(refund):
        raise DomainError(
            "refund.amount_mismatch",
            f"银行支付金额{format_yuan(amount_fen)}元与应退金额{format_yuan(total_fen(refund))}元不符",
            f"the bank paid {format_yuan(amount_fen)} yuan; "
            f"the refund is {format_yuan(total_fen(refund))} yuan",
            status=409,
        )
    payable = await journal.ensure_account(session, payable_spec(refund.sector), at=at)
    bank = await journal.ensure_account(session, chart.center(chart.ESCROW_BANK), at=at)
    amount = total_fen(refund)
    await journal.post(
        session,
        key=f"refund_paid:{refund.id}",
        code="refund_paid",
        legs=[Leg(payable, amount), Leg(bank, -amount)],
        memo=f"银行已支付退款{format_yuan(amount)}元至{refund.payee_name}（{refund.payee_account}），流水号{bank_txn_id}",
        actor=actor,
        at=at,
        value_at=dt.datetime.combine(paid_on, dt.time(), tzinfo=CENTER_ZONE),
        section_id=refund.section_id,
        organisation_id=refund.organisation_id,
    )
    refund.status = "confirmed"
    refund.bank_txn_id = bank_txn_id
    refund.paid_on = paid_on
    refund.confirmed_at = at
    await record(
        session,
        actor=actor,
        action="funds.refund_confirmed",
        subject_type="refund",
        subject_id=refund.id,
        data={
            "bank_txn_id": bank_txn_id,
            "paid_on": str(paid_on),
            "amount_fen": amount,
            "attempt": refund.attempt,
        },
        at=at,
    )
    await session.flush()
    return refund


async def fail_refund(
    session: AsyncSession, refund_id: uuid.UUID, *, reason: str, actor: Actor, at: dt.datetime
) -> Refund:
    """The bank could not pay (account closed, name mismatch...): the money stays payable."""
    refund = await _locked_refund(session, refund_id)
    if refund.status != "sent":
        raise _wrong_status(refund, "登记支付失败", "marked failed (only a sent refund is)")
    refund.status = "failed"
    refund.failed_at = at
    refund.failure_reason = reason.strip()[:300]
    await record(
        session,
        actor=actor,
        action="funds.refund_failed",
        subject_type="refund",
        subject_id=refund.id,
        data={"reason": refund.failure_reason, "attempt": refund.attempt},
        at=at,
    )
    await session.flush()
    return refund


async def retry_refund(
    session: AsyncSession, refund_id: uuid.UUID, *, actor: Actor, at: dt.datetime
) -> Refund:
    """A failed refund goes into the next payment file again, to the same account."""
    refund = await _locked_refund(session, refund_id)
    if refund.status != "failed":
        raise _wrong_status(refund, "重新支付", "retried (only a failed refund is)")
    refund.status = "pending"
    await record(
        session,
        actor=actor,
        action="funds.refund_retried",
        subject_type="refund",
        subject_id=refund.id,
        data={"attempt": refund.attempt + 1},
        at=at,
    )
    await session.flush()
    return refund


async def list_refunds(
    session: AsyncSession,
    *,
    sectors: frozenset[str] | None,
    status: str | None = None,
    section_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    limit: int = 200,
    offset: int = 0,
    newest_first: bool = False,
) -> list[Refund]:
    """Soonest due first (the work to do); `newest_first` for looking back at paid ones."""
    order = (Refund.due_on.desc(), Refund.id.desc()) if newest_first else (Refund.due_on, Refund.id)
    query = select(Refund).order_by(*order)
    if sectors is not None:
        query = query.where(Refund.sector.in_(sorted(sectors)))
    if status:
        query = query.where(Refund.status == status)
    if section_id:
        query = query.where(Refund.section_id == section_id)
    if organisation_id:
        query = query.where(Refund.organisation_id == organisation_id)
    return list((await session.scalars(query.limit(limit).offset(offset))).all())


async def list_instructions(session: AsyncSession, limit: int = 50) -> list[RefundInstruction]:
    """The newest payment files first."""
    query = select(RefundInstruction).order_by(RefundInstruction.created_at.desc()).limit(limit)
    return list((await session.scalars(query)).all())


async def get_instruction(session: AsyncSession, instruction_id: uuid.UUID) -> RefundInstruction:
    instruction = await session.get(RefundInstruction, instruction_id)
    if instruction is None:
        raise not_found("refund_instruction", "支付指令", instruction_id)
    return instruction
