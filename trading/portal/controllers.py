"""The public front page: the newest announcements and where to go next (no login)."""

from litestar import get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from trading.announcements import service as announcements
from trading.sectors import SECTOR_ZH, Sector
from trading.settings import Settings

KIND_ZH = {
    "call": "招标/出让公告",
    "amendment": "变更公告",
    "candidates": "候选人公示",
    "award": "结果公告",
    "failure": "流标/终止公告",
}


@get("/", exclude_from_auth=True, include_in_schema=False)
async def front_page(session: NamedDependency[AsyncSession], settings: NamedDependency[Settings]) -> Template:
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
    return Template(
        template_name="index.html",
        context={
            "total": total,
            "announcements": [
                {
                    "id": a.id,
                    "title": a.title,
                    "sector": SECTOR_ZH[Sector(a.sector)],
                    "kind": KIND_ZH.get(a.kind, a.kind),
                    "region": a.region,
                    "published": a.published_at.astimezone(settings.zone).strftime("%Y-%m-%d %H:%M"),
                }
                for a in rows
            ],
        },
    )
