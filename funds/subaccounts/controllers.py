import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery, JSONBody
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from funds.access import require_sector
from funds.deposits.service import STATUS_ZH, DepositPosition, deposit_position
from funds.subaccounts import service
from funds.subaccounts.models import VirtualAccount
from funds.subaccounts.schemas import PositionOut, SubaccountIn, SubaccountOut
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section
from trading.projects.service import get_section

READERS = allow(Role.staff, Role.auditor, Role.supervisor)


def position_out(position: DepositPosition) -> PositionOut:
    return PositionOut(
        status=position.status,
        status_zh=STATUS_ZH[position.status],
        required=position.required_fen,
        paid=position.paid_fen,
        outstanding=max(position.required_fen - position.paid_fen, 0),
        deadline=position.deadline,
        may_bid=position.may_bid,
    )


async def subaccount_out(
    session: AsyncSession, subaccount: VirtualAccount, now: dt.datetime
) -> SubaccountOut:
    section = await session.get(Section, subaccount.section_id)
    organisation = await session.get(Organisation, subaccount.organisation_id)
    assert section is not None and organisation is not None
    position = await deposit_position(
        session, section_id=subaccount.section_id, organisation_id=subaccount.organisation_id, at=now
    )
    return SubaccountOut(
        id=subaccount.id,
        number=subaccount.number,
        section_id=section.id,
        section_code=section.code,
        section_name=section.name,
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        sector=subaccount.sector,
        opened_at=subaccount.opened_at,
        state=subaccount.state,
        position=position_out(position),
    )


class SubaccountController(Controller):
    path = "/api/funds/subaccounts"
    tags = ["funds"]

    @post("/", operation_id="openSubaccount", opt=allow(Role.staff), status_code=200)
    async def open(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        data: JSONBody[SubaccountIn],
    ) -> SubaccountOut:
        """Open (or find) the deposit sub-account of a bidder for a section; registration does this too."""
        now = clock.now()
        subaccount = await service.open_subaccount(
            session,
            section_id=data.section_id,
            organisation_id=data.organisation_id,
            actor=request.user.actor,
            at=now,
        )
        await session.commit()
        return await subaccount_out(session, subaccount, now)

    @get("/mine", operation_id="listMySubaccounts", opt=allow(Role.bidder))
    async def mine(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
    ) -> list[SubaccountOut]:
        """The bidder's own sub-accounts: the number to pay into, the amount and the deadline."""
        if request.user.organisation_id is None:
            return []
        rows = await session.scalars(
            select(VirtualAccount)
            .where(VirtualAccount.organisation_id == request.user.organisation_id)
            .order_by(VirtualAccount.opened_at.desc())
        )
        now = clock.now()
        return [await subaccount_out(session, s, now) for s in rows.all()]

    @get("/", operation_id="listSubaccounts", opt=READERS)
    async def list_for_section(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        section_id: FromQuery[uuid.UUID],
    ) -> list[SubaccountOut]:
        """Every sub-account of a section (staff, auditors, the section's bureau)."""
        section = await get_section(session, section_id)
        project = await session.get(Project, section.project_id)
        assert project is not None
        require_sector(request.user, project.sector, "section", "标段", section_id)
        rows = await session.scalars(
            select(VirtualAccount)
            .where(VirtualAccount.section_id == section_id)
            .order_by(VirtualAccount.opened_at)
        )
        now = clock.now()
        return [await subaccount_out(session, s, now) for s in rows.all()]
