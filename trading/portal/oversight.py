"""Pages for supervisors and auditors (/portal/supervision): the dashboard with its charts, warnings
to acknowledge, session timelines with the supervision log, letters and complaints, the exports.

Each page calls the same services as the API (trading/oversight, trading/supervision,
trading/venue, trading/complaints); a form post that a service refuses shows the refusal beside
the field, and changes nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.complaints import service as complaints
from trading.db.session import WRITES_ON_READ
from trading.errors import DomainError
from trading.oversight import dashboard, letters
from trading.oversight import service as oversight
from trading.oversight.scope import visible_sectors
from trading.portal.oversight_charts import stacked_bars
from trading.portal.web import form_errors, page, portal_guard, t
from trading.projects.models import Section
from trading.sectors import SECTOR_ZH, Sector
from trading.settings import Settings
from trading.storage import BlobStore
from trading.supervision import service as supervision
from trading.supervision.schemas import EntryIn
from trading.venue import service as venue
from trading.venue.models import VenueSession

Session = NamedDependency[AsyncSession]
Me = Request[Identity, Any, Any]
READERS = portal_guard(Role.supervisor, Role.auditor, Role.staff, Role.admin)
SUPERVISORS = portal_guard(Role.supervisor)
CHART_MONTHS = 12
ENTRY_KINDS = {
    "observation": ("观察记录", "Observation"),
    "incident": ("异常情况", "Incident"),
    "intervention": ("现场干预", "Intervention"),
}


def sector_name(request: Me, sector: str) -> str:
    return t(request, SECTOR_ZH[Sector(sector)], sector)


async def _warnings(request: Me, session: AsyncSession, clock: Clock, settings: Settings) -> list[Any]:
    """Cards are derived from the clock when read (as GET /api/oversight/warnings does)."""
    await oversight.evaluate(
        session, now=clock.now(), zone=settings.zone, feeds=request.app.state.oversight_feeds
    )
    await session.commit()
    return await oversight.list_warnings(session, request.user, open_only=False)


@get("/", opt={**READERS, **WRITES_ON_READ})
async def home(
    request: Me, session: Session, clock: NamedDependency[Clock], settings: NamedDependency[Settings]
) -> Template:
    views = await _warnings(request, session, clock, settings)
    months, counts = dashboard.warnings_per_department_month(
        views, settings.zone, months=CHART_MONTHS, now=clock.now()
    )
    chart = stacked_bars(
        t(request, "各部门每月预警数", "Warnings per department per month"), [m[2:] for m in months], counts
    )
    figures = await dashboard.figures(session, request.user, now=clock.now(), zone=settings.zone)
    return page(
        "portal/supervisor/home.html",
        figures=figures,
        sector_name=lambda s: sector_name(request, s),
        chart=chart,
        months=months,
        counts=counts,
    )


@get("/warnings", opt={**READERS, **WRITES_ON_READ})
async def warnings(
    request: Me, session: Session, clock: NamedDependency[Clock], settings: NamedDependency[Settings]
) -> Template:
    views = await _warnings(request, session, clock, settings)
    return page("portal/supervisor/warnings.html", views=views, errors={}, failed=None, note="")


@post("/warnings/{warning_id:uuid}/acknowledge", opt=SUPERVISORS, status_code=303)
async def acknowledge(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    warning_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    note = data.get("note", "")
    try:
        await oversight.acknowledge(session, warning_id, note, supervisor=request.user, at=clock.now())
    except DomainError as exc:
        await session.rollback()
        views = await _warnings(request, session, clock, settings)
        return page(
            "portal/supervisor/warnings.html",
            status_code=exc.status,
            views=views,
            errors=form_errors(request, exc, {"": "note"}),
            failed=warning_id,
            note=note,
        )
    await session.commit()
    return Redirect(path=f"/portal/supervision/warnings#w-{warning_id}", status_code=303)


@get("/exports/warnings.csv", opt={**READERS, **WRITES_ON_READ})
async def warnings_csv(
    request: Me, session: Session, clock: NamedDependency[Clock], settings: NamedDependency[Settings]
) -> Response[str]:
    views = await _warnings(request, session, clock, settings)
    text = dashboard.to_csv(dashboard.WARNING_COLUMNS, dashboard.warning_rows(views, settings.zone))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="warnings.csv"'},
    )


@get("/sessions", opt=READERS)
async def sessions(request: Me, session: Session) -> Template:
    query = (
        select(VenueSession, Section.code)
        .join(Section, Section.id == VenueSession.section_id)
        .order_by(VenueSession.started_at.desc())
        .limit(200)
    )
    sectors = visible_sectors(request.user)
    if sectors is not None:
        query = query.where(VenueSession.sector.in_(sorted(sectors)))
    rows = (await session.execute(query)).all()
    return page("portal/supervisor/sessions.html", rows=rows, sector_name=lambda s: sector_name(request, s))


async def _session_page(
    request: Me,
    session: AsyncSession,
    clock: Clock,
    session_id: uuid.UUID,
    *,
    errors: dict[str, str],
    form: dict[str, str],
    status_code: int = 200,
) -> Template:
    venue_session, items = await venue.timeline(session, session_id, request.user, now=clock.now())
    entries = await supervision.entries(session, session_id, request.user)
    code = await session.scalar(select(Section.code).where(Section.id == venue_session.section_id))
    return page(
        "portal/supervisor/session.html",
        status_code=status_code,
        venue_session=venue_session,
        section_code=code,
        items=items,
        entries=entries,
        kinds=ENTRY_KINDS,
        errors=errors,
        form=form,
        may_write=Role.supervisor in request.user.roles,
    )


@get("/sessions/{session_id:uuid}", opt=READERS)
async def session_timeline(
    request: Me, session: Session, clock: NamedDependency[Clock], session_id: FromPath[uuid.UUID]
) -> Template:
    return await _session_page(request, session, clock, session_id, errors={}, form={})


@post("/sessions/{session_id:uuid}/entries", opt=SUPERVISORS, status_code=303)
async def add_entry(
    request: Me,
    session: Session,
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
    session_id: FromPath[uuid.UUID],
    data: URLEncodedBody[dict[str, str]],
) -> Any:
    form = {"kind": data.get("kind", ""), "body": data.get("body", "")}
    try:
        entry = EntryIn(kind=form["kind"], body=form["body"].strip())  # type: ignore[arg-type]
        await supervision.add_entry(
            session,
            session_id,
            entry,
            author=request.user,
            signer=request.app.state.entry_signer,
            store=BlobStore(settings.data_dir / "blobs"),
            at=clock.now(),
        )
    except (DomainError, ValidationError) as exc:
        await session.rollback()
        status = exc.status if isinstance(exc, DomainError) else 400
        return await _session_page(
            request,
            session,
            clock,
            session_id,
            errors=form_errors(request, exc),
            form=form,
            status_code=status,
        )
    await session.commit()
    return Redirect(path=f"/portal/supervision/sessions/{session_id}#log", status_code=303)


@get("/letters", opt=READERS)
async def letter_list(request: Me, session: Session) -> Template:
    rows = await letters.list_letters(session, request.user)
    return page("portal/supervisor/letters.html", letters=rows, sector_name=lambda s: sector_name(request, s))


@get("/complaints", opt=READERS)
async def complaint_list(request: Me, session: Session) -> Template:
    rows = await complaints.list_complaints(session, request.user)
    return page(
        "portal/supervisor/complaints.html", complaints=rows, sector_name=lambda s: sector_name(request, s)
    )


def router() -> Router:
    return Router(
        path="/portal/supervision",
        route_handlers=[
            home,
            warnings,
            acknowledge,
            warnings_csv,
            sessions,
            session_timeline,
            add_entry,
            letter_list,
            complaint_list,
        ],
        include_in_schema=False,
    )
