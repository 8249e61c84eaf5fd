import uuid
from decimal import Decimal
from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from funds.access import visible_sectors
from funds.fees import service
from funds.fees.models import FeeInvoice, FeeSchedule
from funds.fees.schemas import BandOut, InvoiceIn, InvoiceOut, ScheduleIn, ScheduleOut
from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.sectors import Sector
from trading.settings import Settings

READERS = allow(Role.staff, Role.admin, Role.auditor, Role.supervisor)


def ppm_of(percent: str) -> int:
    return int(Decimal(percent) * 10_000)


async def schedule_out(session: AsyncSession, schedule: FeeSchedule) -> ScheduleOut:
    bands = await service.bands_of(session, schedule.id)
    return ScheduleOut(
        id=schedule.id,
        sector=schedule.sector,
        effective_from=schedule.effective_from,
        payer=schedule.payer,
        source=schedule.source,
        bands=[
            BandOut(lower=b.lower_fen, upper=b.upper_fen, rate_percent=service.percent_text(b.rate_ppm))
            for b in bands
        ],
    )


def invoice_out(invoice: FeeInvoice) -> InvoiceOut:
    return InvoiceOut(
        id=invoice.id,
        number=invoice.number,
        section_id=invoice.section_id,
        sector=invoice.sector,
        payer=invoice.payer,
        payer_organisation_id=invoice.payer_organisation_id,
        contract_value=invoice.contract_value_fen,
        amount=invoice.amount_fen,
        settled=invoice.settled_fen,
        breakdown=invoice.breakdown,
        issued_at=invoice.issued_at,
    )


class FeeController(Controller):
    path = "/api/funds/fees"
    tags = ["funds"]

    @get("/schedules", operation_id="listFeeSchedules", opt=READERS)
    async def schedules(
        self, session: NamedDependency[AsyncSession], sector: FromQuery[Sector | None] = None
    ) -> list[ScheduleOut]:
        return [await schedule_out(session, s) for s in await service.list_schedules(session, sector)]

    @put("/schedules/{sector:str}", operation_id="setFeeSchedule", opt=allow(Role.staff, Role.admin))
    async def set_schedule(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        sector: FromPath[Sector],
        data: JSONBody[ScheduleIn],
    ) -> ScheduleOut:
        """A sector's sliding scale from a date on; earlier scales stay for the invoices they gave."""
        schedule = await service.set_schedule(
            session,
            sector=sector,
            effective_from=data.effective_from,
            payer=data.payer,
            bands=[service.Band(b.lower, b.upper, ppm_of(b.rate_percent)) for b in data.bands],
            source=data.source,
            actor=request.user.actor,
            at=clock.now(),
        )
        await session.commit()
        return await schedule_out(session, schedule)

    @post("/invoices", operation_id="issueFeeInvoice", opt=allow(Role.staff), status_code=201)
    async def issue(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        data: JSONBody[InvoiceIn],
    ) -> InvoiceOut:
        """The section's service fee on its contract value, to the party the sector's scale names."""
        invoice = await service.issue_invoice(
            session,
            section_id=data.section_id,
            contract_value_fen=data.contract_value,
            actor=request.user.actor,
            at=clock.now(),
            zone=settings.zone,
        )
        await session.commit()
        return invoice_out(invoice)

    @get("/invoices", operation_id="listFeeInvoices", opt=allow(Role.staff, Role.auditor, Role.supervisor))
    async def invoices(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        section_id: FromQuery[uuid.UUID | None] = None,
    ) -> list[InvoiceOut]:
        rows = await service.list_invoices(
            session, sectors=visible_sectors(request.user), section_id=section_id
        )
        return [invoice_out(i) for i in rows]
