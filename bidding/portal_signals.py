"""Collusion signals for the supervisors (/portal/supervision/signals): the sections of the viewer's
sectors that have two or more bidders, each with how many signals it shows, and a section's signals
with their evidence: which bidders, the fact they share, the rows and files it was read from.

The signals are those of the API (bidding/signals, computed when read, C-12 and C-18); they
advise the supervisors and never refuse or penalise anyone by themselves. The supervisors'
overview links here from its sub-navigation (trading/portal/templates/portal/supervisor/_nav.html).
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from sqlalchemy import distinct, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.registrations.models import LIVE_STATUSES, Registration
from bidding.signals import service
from bidding.signals.rules import MESSAGES, Signal
from funds.bankfeed.models import BankCredit
from trading.auth.identity import Identity, Role
from trading.clock import Clock
from trading.oversight.scope import visible_sectors
from trading.portal.labels import sector_label
from trading.portal.web import page, portal_guard, t, yuan
from trading.projects.models import Project, Section
from trading.settings import Settings

Me = Request[Identity, Any, Any]
Session = NamedDependency[AsyncSession]
# The API's guard: the center and the oversight (a supervisor sees its own sectors only).
READERS = portal_guard(Role.supervisor, Role.staff, Role.auditor, Role.admin)
# The newest sections first; older ones stay reachable by their own page.
SECTION_LIMIT = 50
EVIDENCE_LABELS = {
    "contact": ("联系电话或邮箱", "Contact phone or email"),
    "sha256": ("文件摘要（SHA-256）", "File digest (SHA-256)"),
    "project_manager": ("项目经理", "Project manager"),
    "payer_account": ("付款账号", "Payer account"),
    "legal_representative": ("单位负责人", "Legal representative"),
    "address": ("网络地址", "Network address"),
    "device": ("设备标识（客户端安装标识）", "Device (the client's installation id)"),
    "author": ("作者或最后修改人", "Author or last editor"),
    "metadata": ("编制工具及创建、修改时间", "Creator tool, creation and modification times"),
    "controller": ("控制方", "Controlling unit"),
    "controlled": ("被控制方", "Controlled unit"),
    "levels": ("控制层级", "Levels of control between them"),
    "price_fen": ("报价", "Price"),
    "step_fen": ("报价级差", "Step between the prices"),
    "prices_fen": ("报价（由低到高）", "Prices (lowest first)"),
    "ratio": ("相邻报价之比", "Ratio between neighbouring prices"),
}
# Shown otherwise: the controller's name is in `controller`, the sources in their own table.
NOT_SHOWN = {"controller_id", "sources"}


def _value(key: str, value: Any) -> str:
    if key.endswith("_fen"):
        return ", ".join(yuan(v) for v in value) if isinstance(value, list) else yuan(value)
    return str(value)


def evidence_rows(request: Me, signal: Signal) -> list[tuple[str, str]]:
    """The shared fact of a signal as (label, value) rows in the reader's language."""
    return [
        (t(request, *EVIDENCE_LABELS.get(key, (key, key))), _value(key, value))
        for key, value in signal.evidence.items()
        if key not in NOT_SHOWN
    ]


async def _sections(request: Me, session: AsyncSession) -> list[tuple[Section, Project, int]]:
    """Sections of the viewer's sectors where two or more organisations registered or paid a
    deposit (the only sections where bidders can share anything), with how many did."""
    participants = union_all(
        select(Registration.section_id, Registration.organisation_id).where(
            Registration.status.in_(LIVE_STATUSES)
        ),
        select(BankCredit.section_id, BankCredit.organisation_id).where(
            BankCredit.section_id.is_not(None),
            BankCredit.organisation_id.is_not(None),
            BankCredit.reversed_at.is_(None),
        ),
    ).subquery()
    counted = (
        select(participants.c.section_id, func.count(distinct(participants.c.organisation_id)).label("n"))
        .group_by(participants.c.section_id)
        .having(func.count(distinct(participants.c.organisation_id)) >= 2)
        .subquery()
    )
    query = (
        select(Section, Project, counted.c.n)
        .join(Project, Project.id == Section.project_id)
        .join(counted, counted.c.section_id == Section.id)
        .order_by(Section.bid_deadline.desc().nulls_last(), Section.code)
        .limit(SECTION_LIMIT)
    )
    sectors = visible_sectors(request.user)
    if sectors is not None:
        query = query.where(Project.sector.in_(sorted(sectors)))
    return [(s, p, n) for s, p, n in (await session.execute(query)).all()]


@get("/", opt=READERS)
async def section_list(
    request: Me, session: Session, settings: NamedDependency[Settings], clock: NamedDependency[Clock]
) -> Template:
    rows = []
    for section, project, bidders in await _sections(request, session):
        found = await service.section_signals(session, settings, section.id, request.user, at=clock.now())
        kinds = sorted({s.kind for s in found})
        rows.append(
            {
                "section": section,
                "project": project,
                "sector": sector_label(request, project.sector),
                "bidders": bidders,
                "count": len(found),
                "kinds": [t(request, *MESSAGES[k]) for k in kinds],
            }
        )
    return page("bidding/signals.html", rows=rows, limit=SECTION_LIMIT)


@get("/{section_id:uuid}", opt=READERS)
async def section_page(
    request: Me,
    session: Session,
    settings: NamedDependency[Settings],
    clock: NamedDependency[Clock],
    section_id: FromPath[uuid.UUID],
) -> Template:
    found = await service.section_signals(session, settings, section_id, request.user, at=clock.now())
    names = await service.organisation_names(session, found)
    section = await session.get(Section, section_id)
    assert section is not None  # section_signals answered "not found" otherwise
    project = await session.get(Project, section.project_id)
    by_id = {str(k): v for k, v in names.items()}
    signals = [
        {
            "message": t(request, *MESSAGES[s.kind]),
            "kind": s.kind,
            "rule": s.rule,
            "bidders": [names.get(o, str(o)) for o in s.organisations],
            "facts": evidence_rows(request, s),
            "sources": [
                (by_id.get(item["organisation_id"], item["organisation_id"]), item["source"])
                for item in s.evidence.get("sources", [])
            ],
        }
        for s in found
    ]
    deadline_passed = section.bid_deadline is not None and clock.now() >= section.bid_deadline
    return page(
        "bidding/section_signals.html",
        section=section,
        project=project,
        sector=sector_label(request, project.sector) if project else "",
        signals=signals,
        deadline_passed=deadline_passed,
    )


def pages() -> list[Any]:
    return [
        Router(
            path="/portal/supervision/signals",
            route_handlers=[section_list, section_page],
            include_in_schema=False,
        )
    ]
