"""The public pages (no login): announcements with search, an announcement with its sections,
and the center's disclosures (八公开)."""

from __future__ import annotations

import datetime as dt
import math
import urllib.parse
import uuid
from typing import Any

from litestar import Request, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.announcements import search
from trading.announcements import service as announcements
from trading.announcements.schemas import Kind
from trading.documents.controllers import verification_of_code
from trading.documents.models import IssuedDocument
from trading.errors import DomainError
from trading.portal.labels import KINDS, SECTOR_EN, kind_label, sector_label
from trading.portal.web import page, t, yuan
from trading.projects.models import Project, Section
from trading.rules.catalogue import RULES
from trading.sectors import PROCEDURE_ZH, PROCEDURES, SECTOR_ZH, Procedure, Sector
from trading.settings import Settings

PAGE_SIZE = 20
PUBLIC = {"exclude_from_auth": True, "include_in_schema": False}


@get("/announcements", **PUBLIC)
async def announcement_list(
    request: Request[Any, Any, Any],
    session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    q: FromQuery[str | None] = None,
    sector: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
    region: FromQuery[str | None] = None,
    published_from: FromQuery[str | None] = None,
    published_to: FromQuery[str | None] = None,
    page_number: FromQuery[int] = 1,
) -> Template:
    """Search by sector, kind, region, date and Chinese keywords (the announcements' own search:
    FTS5 trigram or pg_trgm, short words by LIKE), newest first or best match first."""
    errors: dict[str, str] = {}
    sector = sector if sector in set(Sector) else None
    kind = kind if kind in set(Kind) else None
    start = _date(request, published_from, "published_from", errors)
    end = _date(request, published_to, "published_to", errors)
    number = max(page_number, 1)
    total, rows = 0, []
    if not errors:
        total, rows = await announcements.search_published(
            session,
            sector=sector,
            kind=kind,
            region=(region or "").strip() or None,
            # Dates are the center's calendar days; `to` includes its whole day.
            published_from=_midnight(start, settings) if start else None,
            published_to=_midnight(end + dt.timedelta(days=1), settings) if end else None,
            q=(q or "").strip() or None,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
    terms = search.keywords(q)
    filters = {
        "q": q or "",
        "sector": sector or "",
        "kind": kind or "",
        "region": region or "",
        "published_from": published_from or "",
        "published_to": published_to or "",
    }
    pages = max(math.ceil(total / PAGE_SIZE), 1)
    return page(
        "portal/announcements.html",
        status_code=400 if errors else 200,
        errors=errors,
        filters=filters,
        total=total,
        page_number=number,
        pages=pages,
        page_link=lambda n: "/announcements?" + urllib.parse.urlencode({**filters, "page_number": n}),
        sectors=[(s.value, sector_label(request, s.value)) for s in Sector],
        kinds=[(k, kind_label(request, k)) for k in KINDS],
        rows=[
            {
                "id": a.id,
                # mark() and snippet() HTML-escape the text, then add <mark> around the keywords.
                "title": Markup(search.mark(a.title, terms)),  # noqa: S704
                "snippet": Markup(search.snippet(a.body, terms) or ""),  # noqa: S704
                "sector": sector_label(request, a.sector),
                "kind": kind_label(request, a.kind),
                "region": a.region,
                "published_at": a.published_at,
            }
            for a in rows
        ],
    )


def _date(
    request: Request[Any, Any, Any], text: str | None, field: str, errors: dict[str, str]
) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[field] = t(request, "日期格式应为 年-月-日，如 2026-03-02", "Use a date like 2026-03-02")
        return None


def _midnight(day: dt.date, settings: Settings) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=settings.zone)


@get("/announcements/{announcement_id:uuid}", **PUBLIC)
async def announcement_page(
    request: Request[Any, Any, Any],
    session: NamedDependency[AsyncSession],
    announcement_id: FromPath[uuid.UUID],
) -> Template:
    """The announcement, then each section it concerns: deadlines, deposit, how to register, and
    the center's signed documents about it (each verifiable by its code)."""
    try:
        announcement = await announcements.get_published(session, announcement_id)
    except DomainError as exc:
        return page("portal/refused.html", status_code=404, message=t(request, exc.zh, exc.en))
    project = await session.get(Project, announcement.project_id)
    query = select(Section).where(Section.project_id == announcement.project_id).order_by(Section.number)
    sections = list((await session.scalars(query)).all())
    if announcement.section_ids:
        wanted = set(announcement.section_ids)
        sections = [s for s in sections if str(s.id) in wanted]
    documents = (
        await session.scalars(
            select(IssuedDocument)
            .where(IssuedDocument.subject == str(announcement.id), IssuedDocument.supersedes_id.is_(None))
            .order_by(IssuedDocument.issued_at)
        )
    ).all()
    return page(
        "portal/announcement.html",
        announcement=announcement,
        project=project,
        sector=sector_label(request, announcement.sector),
        kind=kind_label(request, announcement.kind),
        sections=[
            {
                "section": s,
                "procedure": _procedure(request, s.procedure),
                "deposit": yuan(s.deposit_fen),
                "budget": yuan(s.budget_fen) if s.budget_fen else None,
                "starting_price": yuan(s.starting_price_fen) if s.starting_price_fen else None,
            }
            for s in sections
        ],
        documents=documents,
    )


def _procedure(request: Request[Any, Any, Any], code: str) -> str:
    try:
        procedure = Procedure(code)
    except ValueError:
        return code
    return t(request, PROCEDURE_ZH[procedure], procedure.value.replace("_", " "))


# The bureau that supervises each sector (its complaints go there; trading/complaints).
SUPERVISORS = {
    Sector.construction: ("住房和城乡建设局", "Housing and Urban-Rural Development Bureau"),
    Sector.procurement: ("财政局", "Finance Bureau"),
    Sector.land: ("自然资源局", "Natural Resources Bureau"),
    Sector.property: ("国有资产监督管理委员会", "State-owned Assets Supervision Commission"),
}


@get("/disclosure", **PUBLIC)
async def disclosure(request: Request[Any, Any, Any]) -> Template:
    """The center's 八公开 items: the procedures of each sector, the time limits the platform
    enforces (the rules catalogue, each with its legal source), where fees are published, and
    the supervision and complaint channel."""
    return page(
        "portal/disclosure.html",
        sectors=[
            {
                "name": t(request, SECTOR_ZH[sector], SECTOR_EN[sector]),
                "procedures": sorted(_procedure(request, p.value) for p in PROCEDURES[sector]),
                "supervisor": t(request, *SUPERVISORS[sector]),
                "rules": [r for r in RULES.values() if r.sector == sector.value],
            }
            for sector in Sector
        ],
        common_rules=[r for r in RULES.values() if r.sector == "all"],
    )


@get("/verify", **PUBLIC)
async def verify_form(
    request: Request[Any, Any, Any], settings: NamedDependency[Settings], code: FromQuery[str | None] = None
) -> Template | Redirect:
    """The code typed into the form leads to the page its QR code opens."""
    code = (code or "").strip()
    if code:
        return Redirect(path=f"/verify/{urllib.parse.quote(code, safe='')}", status_code=303)
    return page("portal/verify.html", code="", found=None, center=settings.center_name, errors={})


@get("/verify/{code:str}", **PUBLIC)
async def verify_page(
    request: Request[Any, Any, Any],
    state: State,
    session: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
    code: FromPath[str],
) -> Template:
    """What a reader sees after scanning the QR code: genuine or not, and what the center issued."""
    found = await verification_of_code(session, state, settings, code)
    return page(
        "portal/verify.html",
        status_code=200 if found else 404,
        code=code,
        found=found,
        center=settings.center_name,
        errors={},
    )
