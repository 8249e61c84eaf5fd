import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from funds.access import visible_sectors
from funds.fees.service import percent_text
from funds.refunds import service
from funds.refunds.models import InterestRate, Refund, RefundInstruction
from funds.refunds.schemas import (
    ConfirmIn,
    FailIn,
    InstructionOut,
    InterestFundingIn,
    InterestFundingOut,
    RateIn,
    RateOut,
    RefundOut,
)
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.settings import Settings

READERS = allow(Role.staff, Role.auditor, Role.supervisor)


def refund_out(refund: Refund) -> RefundOut:
    return RefundOut(
        id=refund.id,
        kind=refund.kind,
        trigger=refund.trigger,
        rule=refund.rule,
        section_id=refund.section_id,
        organisation_id=refund.organisation_id,
        sector=refund.sector,
        principal=refund.principal_fen,
        interest=refund.interest_fen,
        late_charge=refund.late_charge_fen,
        total=service.total_fen(refund),
        payee_name=refund.payee_name,
        payee_account=refund.payee_account,
        payee_bank=refund.payee_bank,
        fell_due_at=refund.fell_due_at,
        due_on=refund.due_on,
        due_basis=refund.due_basis,
        status=refund.status,
        attempt=refund.attempt,
        reference=service.payment_reference(refund) if refund.attempt else None,
        paid_on=refund.paid_on,
        bank_txn_id=refund.bank_txn_id,
        failure_reason=refund.failure_reason,
    )


def instruction_out(instruction: RefundInstruction) -> InstructionOut:
    return InstructionOut(
        id=instruction.id,
        number=instruction.number,
        created_at=instruction.created_at,
        count=instruction.count,
        total=instruction.total_fen,
        sha256=instruction.sha256,
        file_url=f"/api/funds/refunds/instructions/{instruction.id}/file",
    )


def rate_out(rate: InterestRate) -> RateOut:
    return RateOut(
        id=rate.id,
        kind=rate.kind,
        effective_from=rate.effective_from,
        rate_percent=percent_text(rate.rate_ppm),
        source=rate.source,
        recorded_at=rate.recorded_at,
    )


class RefundController(Controller):
    path = "/api/funds/refunds"
    tags = ["funds"]

    @get("/", operation_id="listRefunds", opt=READERS)
    async def list_refunds(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        status: FromQuery[str | None] = None,
        section_id: FromQuery[uuid.UUID | None] = None,
        limit: FromQuery[int] = 200,
        offset: FromQuery[int] = 0,
    ) -> list[RefundOut]:
        refunds = await service.list_refunds(
            session,
            sectors=visible_sectors(request.user),
            status=status,
            section_id=section_id,
            limit=min(max(limit, 1), 1000),
            offset=max(offset, 0),
        )
        return [refund_out(r) for r in refunds]

    @post("/instructions", operation_id="issueRefundInstruction", opt=allow(Role.staff), status_code=201)
    async def issue(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
    ) -> InstructionOut:
        """A payment file for the bank with every pending refund (interest fixed now); they become `sent`."""
        instruction = await service.issue_instruction(
            session, actor=request.user.actor, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return instruction_out(instruction)

    @get(
        "/instructions/{instruction_id:uuid}/file",
        operation_id="downloadRefundInstruction",
        opt=allow(Role.staff, Role.auditor),
        media_type="text/csv",
    )
    async def download(
        self, session: NamedDependency[AsyncSession], instruction_id: FromPath[uuid.UUID]
    ) -> Response[str]:
        instruction = await service.get_instruction(session, instruction_id)
        return Response(
            instruction.content,
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{instruction.number}.csv"'},
        )

    @post("/{refund_id:uuid}/confirm", operation_id="confirmRefund", opt=allow(Role.staff), status_code=200)
    async def confirm(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        refund_id: FromPath[uuid.UUID],
        data: JSONBody[ConfirmIn],
    ) -> RefundOut:
        """The bank paid: the money leaves the escrow account (statements confirm by themselves too)."""
        refund = await service.confirm_refund(
            session,
            refund_id,
            bank_txn_id=data.bank_txn_id,
            paid_on=data.paid_on,
            amount_fen=data.amount,
            actor=request.user.actor,
            at=clock.now(),
        )
        await session.commit()
        return refund_out(refund)

    @post("/{refund_id:uuid}/fail", operation_id="failRefund", opt=allow(Role.staff), status_code=200)
    async def fail(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        refund_id: FromPath[uuid.UUID],
        data: JSONBody[FailIn],
    ) -> RefundOut:
        refund = await service.fail_refund(
            session, refund_id, reason=data.reason, actor=request.user.actor, at=clock.now()
        )
        await session.commit()
        return refund_out(refund)

    @post("/{refund_id:uuid}/retry", operation_id="retryRefund", opt=allow(Role.staff), status_code=200)
    async def retry(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        refund_id: FromPath[uuid.UUID],
    ) -> RefundOut:
        refund = await service.retry_refund(session, refund_id, actor=request.user.actor, at=clock.now())
        await session.commit()
        return refund_out(refund)

    @get(
        "/rates",
        operation_id="listInterestRates",
        opt=allow(Role.staff, Role.admin, Role.auditor, Role.supervisor),
    )
    async def rates(self, session: NamedDependency[AsyncSession]) -> list[RateOut]:
        return [rate_out(r) for r in await service.list_rates(session)]

    @post("/interest-funding", operation_id="fundRefundInterest", opt=allow(Role.staff), status_code=201)
    async def fund_interest(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        data: JSONBody[InterestFundingIn],
    ) -> InterestFundingOut:
        """Book the bank's interest or the center's transfer into the escrow account, so that refund
        interest is funded before a payment file pays it."""
        posted = await service.fund_interest(
            session,
            source=data.source,
            bank_txn_id=data.bank_txn_id,
            amount_fen=data.amount,
            value_at=dt.datetime.combine(data.value_date, dt.time(), tzinfo=settings.zone),
            actor=request.user.actor,
            at=clock.now(),
        )
        available = await service.interest_funds(session)
        await session.commit()
        return InterestFundingOut(
            entry_id=posted.entry.id, entry_seq=posted.entry.seq, created=posted.created, available=available
        )

    @post("/rates", operation_id="recordInterestRate", opt=allow(Role.staff, Role.admin), status_code=201)
    async def record_rate(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        data: JSONBody[RateIn],
    ) -> RateOut:
        """Add a rate from a date on (rates are never edited; a later date replaces)."""
        rate = await service.record_rate(
            session,
            kind=data.kind,
            effective_from=data.effective_from,
            rate_ppm=int(Decimal(data.rate_percent) * 10_000),
            source=data.source,
            actor=request.user.actor,
            at=clock.now(),
        )
        await session.commit()
        return rate_out(rate)
