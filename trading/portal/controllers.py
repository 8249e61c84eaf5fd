"""The public front page: the newest announcements and where to go next (no login)."""

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from trading.announcements import service as announcements
from trading.portal.labels import kind_label, sector_label
from trading.portal.web import page


@get("/", exclude_from_auth=True, include_in_schema=False)
async def front_page(request: Request[Any, Any, Any], session: NamedDependency[AsyncSession]) -> Template:
    total, rows = await announcements.search_published(
        session,
        sector=None,
        kind=None,
        region=None,
        published_from=None,
        published_to=None,
        q=None,
        limit=20,
        offset=0,
    )
    return page(
        "portal/index.html",
        total=total,
        announcements=[
            {
                "id": a.id,
                "title": a.title,
                "sector": sector_label(request, a.sector),
                "kind": kind_label(request, a.kind),
                "region": a.region,
                "published_at": a.published_at,
            }
            for a in rows
        ],
    )
