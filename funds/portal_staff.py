"""The deposit ledger as supervisors, auditors and staff read it in the portal
(/portal/supervision/ledger): deposits outstanding over time (a chart), the deposits still held and
the refunds not yet paid, and the same views as CSV. A supervisor sees its own sectors only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from funds.access import visible_sectors
from funds.audit_views import service
from trading.auth.identity import Identity, Role
from trading.clock import Clock, local_date
from trading.money import format_yuan
from trading.portal.oversight_charts import line
from trading.portal.web import page, portal_guard, t
from trading.settings import Settings

Me = Request[Identity, Any, Any]
VIEWERS = portal_guard(Role.staff, Role.auditor, Role.supervisor)
WEEKS = 12


def week_ends(now: dt.datetime, zone: dt.tzinfo, weeks: int) -> list[dt.datetime]:
    """The end of each of the last `weeks` weeks (Sunday midnight on the center's clock), and now."""
    today = local_date(now, zone)
    last_sunday = today - dt.timedelta(days=today.weekday() + 1)
    ends = [
        dt.datetime.combine(last_sunday - dt.timedelta(weeks=i), dt.time(), zone) + dt.timedelta(days=1)
        for i in reversed(range(weeks - 1))
    ]
    return [*ends, now]


@get("/", opt=VIEWERS)
async def ledger(
    request: Me,
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
) -> Template:
    sectors = visible_sectors(request.user)
    now = clock.now()
    points = await service.outstanding_over_time(
        session, instants=week_ends(now, settings.zone, WEEKS), sectors=sectors
    )
    labels = [(at - dt.timedelta(seconds=1)).astimezone(settings.zone).strftime("%m-%d") for at, _ in points]
    labels[-1] = t(request, "现在", "now")
    chart = line(
        t(request, "在途保证金（元）", "Deposits held (yuan)"),
        [(label, fen // 100) for label, (_, fen) in zip(labels, points, strict=True)],
        fmt=lambda v: f"{v:,.0f}",
    )
    view = await service.outstanding(
        session, now=now, zone=settings.zone, sectors=sectors, overdue_only=False
    )
    return page(
        "portal/supervisor/ledger.html",
        chart=chart,
        series=[(label, format_yuan(fen)) for label, (_, fen) in zip(labels, points, strict=True)],
        view=view,
        yuan=format_yuan,
    )


def _csv(text: str, name: str) -> Response[str]:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@get("/outstanding.csv", opt=VIEWERS)
async def outstanding_csv(
    request: Me,
    session: NamedDependency[AsyncSession],
    clock: NamedDependency[Clock],
    settings: NamedDependency[Settings],
) -> Response[str]:
    view = await service.outstanding(
        session,
        now=clock.now(),
        zone=settings.zone,
        sectors=visible_sectors(request.user),
        overdue_only=False,
    )
    return _csv(service.outstanding_csv(view), "deposits-outstanding")


@get("/trial-balance.csv", opt=VIEWERS)
async def trial_balance_csv(
    request: Me, session: NamedDependency[AsyncSession], clock: NamedDependency[Clock]
) -> Response[str]:
    view = await service.trial_balance(session, at=clock.now(), sectors=visible_sectors(request.user))
    return _csv(service.trial_balance_csv(view), "trial-balance")


def pages() -> list[Any]:
    return [
        Router(
            path="/portal/supervision/ledger",
            route_handlers=[ledger, outstanding_csv, trial_balance_csv],
            include_in_schema=False,
        )
    ]
