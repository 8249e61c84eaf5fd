"""The national public resource trading data sets (projects, announcements, openings, results) as
JSON, for the center's upward reporting (docs/opendata.md#national-platform-export).

The field names follow the style of the national data specification (upper-case English words
joined by underscores). They could not be checked against the text of the specification here,
so every one is ASSUMED until checked; the mapping lives in FIELDS (one place to correct).
Only public data: no bids, prices, experts, reserve prices or private data of bidders.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.announcements.models import Announcement
from trading.audit.models import AuditEvent
from trading.opendata.ocds import stamp
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section

DATA_SETS = ("projects", "announcements", "openings", "results")


def _yuan(fen: int | None) -> str | None:
    return None if fen is None else f"{fen // 100}.{fen % 100:02d}"


async def _names(session: AsyncSession) -> dict[str, str]:
    return {str(o.id): o.name for o in await session.scalars(select(Organisation))}


async def projects(session: AsyncSession) -> list[dict[str, Any]]:
    names = await _names(session)
    sections = await session.scalars(
        select(Section).where(Section.announced_at.is_not(None)).order_by(Section.code)
    )
    projects_by_id = {p.id: p for p in await session.scalars(select(Project))}
    out = []
    for section in sections:
        project = projects_by_id[section.project_id]
        out.append(
            {
                "TENDER_PROJECT_CODE": project.code,
                "TENDER_PROJECT_NAME": project.name,
                "TRADE_TYPE": project.sector,
                "REGION_NAME": project.region,
                "TENDERER_NAME": names.get(str(project.principal_id)),
                "TENDER_AGENCY_NAME": names.get(str(project.agency_id)) if project.agency_id else None,
                "BID_SECTION_CODE": section.code,
                "BID_SECTION_NAME": section.name,
                "TENDER_MODE": section.procedure,
                # Public with the call: a procurement budget, a sale's starting price.
                "BUDGET_AMOUNT": _yuan(section.budget_fen) if project.sector == "procurement" else None,
                "START_PRICE": _yuan(section.starting_price_fen)
                if project.sector in ("land", "property")
                else None,
                "BID_DEADLINE": stamp(section.bid_deadline) if section.bid_deadline else None,
            }
        )
    return out


async def announcements(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(Announcement).where(Announcement.status == "published").order_by(Announcement.published_at)
    )
    codes = {p.id: p.code for p in await session.scalars(select(Project))}
    return [
        {
            "BULLETIN_ID": str(a.id),
            "TENDER_PROJECT_CODE": codes[a.project_id],
            "BULLETIN_TYPE": a.kind,
            "BULLETIN_NAME": a.title,
            "BULLETIN_CONTENT": a.body,
            "BULLETIN_ISSUE_TIME": stamp(a.published_at),
            "TRADE_TYPE": a.sector,
            "REGION_NAME": a.region,
        }
        for a in rows
        if a.published_at
    ]


async def _section_events(session: AsyncSession, action: str) -> list[tuple[AuditEvent, Section]]:
    events = list(
        await session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq))
    )
    ids = {uuid.UUID(e.subject_id) for e in events}
    sections = {str(s.id): s for s in await session.scalars(select(Section).where(Section.id.in_(ids)))}
    return [(e, sections[e.subject_id]) for e in events if e.subject_id in sections]


async def openings(session: AsyncSession) -> list[dict[str, Any]]:
    """When each section was opened, and the digest of its opening record (E-04): the prices are
    the bidding package's and are not part of the core."""
    return [
        {
            "BID_SECTION_CODE": section.code,
            "BID_OPEN_TIME": stamp(event.occurred_at),
            "OPEN_RECORD_DIGEST": event.data.get("record_sha256"),
        }
        for event, section in await _section_events(session, "section.opened")
    ]


async def results(session: AsyncSession) -> list[dict[str, Any]]:
    names = await _names(session)
    return [
        {
            "BID_SECTION_CODE": section.code,
            "WIN_BIDDER_NAME": names.get(str(event.data.get("winner_id"))),
            "WIN_BID_TIME": stamp(event.occurred_at),
        }
        for event, section in await _section_events(session, "section.awarded")
    ]


async def export(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
    return {
        "projects": await projects(session),
        "announcements": await announcements(session),
        "openings": await openings(session),
        "results": await results(session),
    }
