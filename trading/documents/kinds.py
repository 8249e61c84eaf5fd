"""The core's own document kinds: one per announcement kind, each the published announcement as
the center's official text (the web page shows the same announcement, unsigned); a session's
supervision-log extract (监督记录摘录); and the monthly circular (情况通报)."""

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
from trading.oversight.models import Circular
from trading.oversight.scope import visible_sectors
from trading.projects.models import Project, Section
from trading.sectors import SECTOR_ZH, Sector
from trading.supervision.models import SupervisionEntry
from trading.venue.models import VenueSession

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


OVERSEERS = frozenset({Role.staff, Role.admin, Role.auditor, Role.supervisor})
SESSION_ZH = {"opening": "开标会", "evaluation": "评标会"}


def _hidden_unless_sees(request: LoadRequest, sector: str, zh: str, en: str) -> None:
    """A bureau sees its own sectors' oversight; told "does not exist" for another's."""
    sectors = visible_sectors(request.viewer)
    if sectors is not None and sector not in sectors:
        raise NotFound(
            "document.subject_not_found", f"{zh}不存在：{request.subject}", f"no {en} {request.subject}"
        )


def _sector(sector: str) -> str:
    return SECTOR_ZH[Sector(sector)]


async def load_supervision_extract(request: LoadRequest) -> Loaded:
    """Every entry of a closed session's supervision log, with the digest each
    carries in the log (trading/supervision), so the extract can be checked against the log."""
    session_id = subject_uuid(request, "会议", "session")
    venue_session = await request.session.get(VenueSession, session_id)
    if venue_session is None:
        raise NotFound(
            "document.subject_not_found", f"会议不存在：{request.subject}", f"no session {request.subject}"
        )
    _hidden_unless_sees(request, venue_session.sector, "会议", "session")
    if venue_session.closed_at is None:
        raise Conflict(
            "document.session_open",
            "会议结束后才能出具监督记录摘录",
            "a session's supervision-log extract is issued once the session is closed",
        )
    section = await request.session.get(Section, venue_session.section_id)
    assert section is not None
    project = await request.session.get(Project, section.project_id)
    assert project is not None
    entries = (
        await request.session.scalars(
            select(SupervisionEntry)
            .where(SupervisionEntry.session_id == session_id)
            .order_by(SupervisionEntry.seq)
        )
    ).all()
    seqs = {e.id: e.seq for e in entries}
    return Loaded(
        title=f"{project.name} {section.name} {SESSION_ZH.get(venue_session.kind, '会议')}监督记录摘录",
        sector=venue_session.sector,
        data={
            "project": {"code": project.code, "name": project.name},
            "section": {"code": section.code, "name": section.name},
            "sector_zh": _sector(venue_session.sector),
            "session": {
                "kind": venue_session.kind,
                "started_at": venue_session.started_at,
                "closed_at": venue_session.closed_at,
            },
            "entries": [
                {
                    "seq": e.seq,
                    "kind": e.kind,
                    "body": e.body,
                    "corrects": seqs.get(e.corrects_id) if e.corrects_id else None,
                    "attachments": sum(len(v) for v in e.attachments.values()),
                    "author": e.author_name,
                    "written_at": e.written_at,
                    "digest": e.digest,
                }
                for e in entries
            ],
        },
    )


async def load_circular(request: LoadRequest) -> Loaded:
    circular = await request.session.get(Circular, subject_uuid(request, "情况通报", "circular"))
    if circular is None:
        raise NotFound(
            "document.subject_not_found",
            f"情况通报不存在：{request.subject}",
            f"no circular {request.subject}",
        )
    _hidden_unless_sees(request, circular.sector, "情况通报", "circular")
    return Loaded(
        title=f"{circular.month} {_sector(circular.sector)}情况通报",
        sector=circular.sector,
        data={
            "content": circular.content,
            "sector_zh": _sector(circular.sector),
            "generated_at": circular.generated_at,
            "sha256": circular.sha256,
        },
    )


def core_kinds() -> list[DocumentKind]:
    return [
        DocumentKind(
            name="supervision.log_extract",
            zh="监督记录摘录",
            en="supervision-log extract",
            template_dir=TEMPLATES,
            template="supervision_extract.html",
            load=load_supervision_extract,
            issuers=frozenset({Role.supervisor, Role.auditor, Role.admin}),
            readers=OVERSEERS,
            subject_help="venue session id",
        ),
        DocumentKind(
            name="oversight.circular",
            zh="情况通报",
            en="monthly circular",
            template_dir=TEMPLATES,
            template="circular.html",
            load=load_circular,
            issuers=frozenset({Role.supervisor, Role.auditor, Role.admin}),
            readers=OVERSEERS,
            subject_help="circular id",
        ),
        *(
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
        ),
    ]
