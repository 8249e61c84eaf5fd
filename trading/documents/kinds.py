"""The core's own document kinds: one per announcement kind, each the published announcement as
the center's official text (the web page shows the same announcement, unsigned)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import select

from trading.announcements.models import Announcement
from trading.announcements.schemas import Kind
from trading.auth.identity import Role
from trading.documents.registry import DocumentKind, Loaded, Loader, LoadRequest, subject_uuid
from trading.errors import Conflict, NotFound
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section
from trading.sectors import SECTOR_ZH, Sector

TEMPLATES = Path(__file__).parent / "templates"
EVERYONE = frozenset(Role)
NAMES = {
    Kind.call: ("招标（采购、出让）公告", "call for bids"),
    Kind.amendment: ("变更公告", "amendment notice"),
    Kind.candidates: ("中标候选人公示", "publicity of the winning candidates"),
    Kind.award: ("中标（成交）结果公告", "award announcement"),
    Kind.failure: ("流标（终止）公告", "failure notice"),
}


async def _sections(request: LoadRequest, announcement: Announcement) -> list[dict[str, Any]]:
    query = select(Section).where(Section.project_id == announcement.project_id).order_by(Section.number)
    if announcement.section_ids:
        query = query.where(Section.id.in_([uuid.UUID(s) for s in announcement.section_ids]))
    return [
        {"code": s.code, "name": s.name, "bid_deadline": s.bid_deadline, "deposit_fen": s.deposit_fen}
        for s in (await request.session.scalars(query)).all()
    ]


def announcement_loader(kind: Kind) -> Loader:
    async def load(request: LoadRequest) -> Loaded:
        announcement = await request.session.get(Announcement, subject_uuid(request, "公告", "announcement"))
        if announcement is None or announcement.kind != kind:
            raise NotFound(
                "document.subject_not_found",
                f"{NAMES[kind][0]}不存在：{request.subject}",
                f"no {NAMES[kind][1]} {request.subject}",
            )
        if announcement.status != "published":
            raise Conflict(
                "document.not_published",
                "公告发布后才能出具正式文书",
                "an announcement becomes an official document only once it is published",
            )
        project = await request.session.get(Project, announcement.project_id)
        assert project is not None
        winner = (
            await request.session.get(Organisation, announcement.winner_id)
            if announcement.winner_id
            else None
        )
        return Loaded(
            title=announcement.title,
            sector=announcement.sector,
            data={
                "project_name": project.name,
                "project_code": project.code,
                "sector": announcement.sector,
                "sector_zh": SECTOR_ZH[Sector(announcement.sector)],
                "region": announcement.region,
                "published_at": announcement.published_at,
                "new_bid_deadline": announcement.new_bid_deadline,
                "publicity_end": announcement.publicity_end,
                "winner": winner.name if winner else None,
                "sections": await _sections(request, announcement),
                "paragraphs": [line.strip() for line in announcement.body.splitlines() if line.strip()],
            },
        )

    return load


def core_kinds() -> list[DocumentKind]:
    return [
        DocumentKind(
            name=f"announcement.{kind.value}",
            zh=NAMES[kind][0],
            en=NAMES[kind][1],
            template_dir=TEMPLATES,
            template="announcement.html",
            load=announcement_loader(kind),
            issuers=frozenset({Role.staff}),
            readers=EVERYONE,
            subject_help="announcement id",
            public=True,
        )
        for kind in Kind
    ]
