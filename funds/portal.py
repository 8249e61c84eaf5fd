"""The funds pages of the portal (rendered by this package: the core may not import it)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from funds.fees import service as fees
from funds.refunds.models import Refund
from trading.auth.identity import Identity, Role
from trading.portal.labels import sector_label
from trading.portal.web import page, portal_guard, t


@get("/disclosure/fees", exclude_from_auth=True, include_in_schema=False)
async def fee_standards(request: Request[Any, Any, Any], session: NamedDependency[AsyncSession]) -> Template:
    """八公开, fees: each sector's service-fee schedules with their basis, bands and who pays."""
    schedules = []
    for schedule in await fees.list_schedules(session):
        bands = await fees.bands_of(session, schedule.id)
        schedules.append(
            {
                "sector": sector_label(request, schedule.sector),
                "schedule": schedule,
                "bands": [(b.lower_fen, b.upper_fen, fees.percent_text(b.rate_ppm)) for b in bands],
            }
        )
    return page("funds/fees.html", schedules=schedules)


# Refund.status (funds/refunds/service.py): pending → sent → confirmed, or failed and retried.
REFUND_STATUS = {
    "pending": ("待退还", "due"),
    "sent": ("已发出退款指令", "instruction sent to the bank"),
    "confirmed": ("已退还", "paid"),
    "failed": ("退款失败，待重试", "failed, to be retried"),
}


@get("/portal/bidder/refunds", opt=portal_guard(Role.bidder), include_in_schema=False)
async def my_refunds(
    request: Request[Identity, Any, Any], session: NamedDependency[AsyncSession]
) -> Template:
    """The organisation's deposit refunds: principal, interest, any late charge, when due and paid."""
    rows = []
    if request.user.organisation_id is not None:
        query = (
            select(Refund)
            .where(Refund.organisation_id == request.user.organisation_id)
            .order_by(Refund.due_on.desc())
        )
        rows = list((await session.scalars(query)).all())
    return page(
        "funds/refunds.html",
        refunds=[
            {"refund": r, "status": t(request, *REFUND_STATUS.get(r.status, (r.status, r.status)))}
            for r in rows
        ],
    )


def portal_pages() -> list[Any]:
    return [fee_standards, my_refunds]
