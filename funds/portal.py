"""The funds pages of the portal (rendered by this package: the core may not import it)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from funds.fees import service as fees
from trading.portal.labels import sector_label
from trading.portal.web import page


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


def portal_pages() -> list[Any]:
    return [fee_standards]
