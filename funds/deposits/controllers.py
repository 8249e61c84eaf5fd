import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from funds.access import require_own_or_sector
from funds.deposits import service
from funds.deposits.schemas import ConvertIn, ForfeitIn, RefundRequestIn, SettlementOut
from funds.refunds.controllers import refund_out
from funds.refunds.schemas import RefundOut
from funds.refunds.service import request_refund
from funds.subaccounts.controllers import position_out
from funds.subaccounts.schemas import PositionOut
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.projects.models import Project
from trading.projects.service import get_section
from trading.settings import Settings

PATH = "/{section_id:uuid}/{organisation_id:uuid}"


class DepositController(Controller):
    path = "/api/funds/deposits"
    tags = ["funds"]

    @get(
        PATH,
        operation_id="getDepositPosition",
        opt=allow(Role.staff, Role.auditor, Role.supervisor, Role.bidder),
    )
    async def position(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        organisation_id: FromPath[uuid.UUID],
    ) -> PositionOut:
        """A bidder's deposit for a section: due, paid (cash and guarantees), deadline, may it bid."""
        section = await get_section(session, section_id)
        project = await session.get(Project, section.project_id)
        assert project is not None
        require_own_or_sector(
            request.user,
            organisation_id=organisation_id,
            sector=project.sector,
            kind="deposit",
            zh_kind="保证金",
            key=f"{section_id}/{organisation_id}",
        )
        position = await service.deposit_position(
            session, section_id=section_id, organisation_id=organisation_id, at=clock.now()
        )
        return position_out(position)

    @post(f"{PATH}/refund", operation_id="refundDeposit", opt=allow(Role.staff), status_code=200)
    async def refund(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        section_id: FromPath[uuid.UUID],
        organisation_id: FromPath[uuid.UUID],
        data: JSONBody[RefundRequestIn],
    ) -> list[RefundOut]:
        """Refund a held deposit now (e.g. a rejected registration): each payment back to its account."""
        refunds = await request_refund(
            session,
            section_id=section_id,
            organisation_id=organisation_id,
            reason=data.reason,
            actor=request.user.actor,
            at=clock.now(),
            zone=settings.zone,
        )
        await session.commit()
        return [refund_out(r) for r in refunds]

    @post(f"{PATH}/forfeit", operation_id="forfeitDeposit", opt=allow(Role.staff), status_code=200)
    async def forfeit(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        organisation_id: FromPath[uuid.UUID],
        data: JSONBody[ForfeitIn],
    ) -> SettlementOut:
        """Forfeit a deposit for a rule-defined reason, with the facts written down."""
        held = await service.forfeit_deposit(
            session,
            section_id=section_id,
            organisation_id=organisation_id,
            reason=data.reason,
            note=data.note,
            actor=request.user.actor,
            at=clock.now(),
        )
        await session.commit()
        return SettlementOut(
            section_id=section_id,
            organisation_id=organisation_id,
            state=held.subaccount.state,
            settlement_reason=held.subaccount.settlement_reason,
        )

    @post(f"{PATH}/convert", operation_id="convertDeposit", opt=allow(Role.staff), status_code=200)
    async def convert(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromPath[uuid.UUID],
        organisation_id: FromPath[uuid.UUID],
        data: JSONBody[ConvertIn | None] = None,
    ) -> SettlementOut:
        """L-05: the land or property winner's deposit becomes part of the price (after the fee, if asked)."""
        conversion = await service.convert_deposit(
            session,
            section_id=section_id,
            organisation_id=organisation_id,
            settle_fee=(data or ConvertIn()).settle_fee,
            actor=request.user.actor,
            at=clock.now(),
        )
        await session.commit()
        return SettlementOut(
            section_id=section_id,
            organisation_id=organisation_id,
            state=conversion.held.subaccount.state,
            settlement_reason=conversion.held.subaccount.settlement_reason,
            to_fee=conversion.to_fee_fen,
            to_price=conversion.to_price_fen,
        )
