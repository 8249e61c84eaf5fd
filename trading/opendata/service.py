"""Open data use cases: gather what the core holds about public sections and build OCDS packages.

Sections are public once announced (`announced_at` set). Pages run over sections (one contracting
process, one `ocid` each), ordered by section code; the date window keeps the releases dated in it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.announcements.models import Announcement
from trading.audit.models import AuditEvent
from trading.opendata import ocds
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section

OCDS_VERSION = "1.1"


def _party(org: Organisation) -> ocds.Party:
    # Only the name: the USCC of a natural person is an identity number, and contacts and
    # accounts are private for everyone.
    return ocds.Party(id=str(org.id), name=org.name)


STEPS = ("section.awarded", "section.contracted", "section.cancelled")


def _public_query(sector: str | None, since: dt.datetime | None, until: dt.datetime | None) -> Select:
    """Announced sections by code; with a date window, only those that may have a release in it:
    a published announcement of their project, or one of their own steps, dated in the window (a
    superset: an announcement may concern another section of the project; `page` drops those)."""
    query = select(Section).where(Section.announced_at.is_not(None)).order_by(Section.code)
    if sector:
        query = query.where(Section.project_id.in_(select(Project.id).where(Project.sector == sector)))
    if since is None and until is None:
        return query
    notices = select(Announcement.project_id).where(
        Announcement.status == "published", *_window(Announcement.published_at, since, until)
    )
    # The audit log names its subject as text; compare both ids as 32 hex digits, which is how
    # SQLite stores a UUID and how PostgreSQL's text of one reads without its hyphens.
    steps = select(func.replace(AuditEvent.subject_id, "-", "")).where(
        AuditEvent.subject_type == "section",
        AuditEvent.action.in_(STEPS),
        *_window(AuditEvent.occurred_at, since, until),
    )
    return query.where(
        or_(Section.project_id.in_(notices), func.replace(cast(Section.id, String), "-", "").in_(steps))
    )


def _window(column: Any, since: dt.datetime | None, until: dt.datetime | None) -> list[Any]:
    conditions = []
    if since is not None:
        conditions.append(column >= since)
    if until is not None:
        conditions.append(column < until)
    return conditions


async def page(
    session: AsyncSession,
    *,
    prefix: str,
    base_url: str,
    sector: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[ocds.SectionFacts], int | None]:
    """Up to `limit` sections with at least one release in the window, from the `offset`-th
    candidate on, and the offset of the next such section (None at the end). A page is never
    empty unless nothing is left: the schema wants at least one release per package."""
    query = _public_query(sector, since, until)
    found: list[tuple[int, ocds.SectionFacts]] = []
    position = offset
    while len(found) <= limit:
        batch = list((await session.scalars(query.limit(limit + 1).offset(position))).all())
        if not batch:
            break
        for index, facts in enumerate(await gather(session, batch, prefix), start=position):
            if any(_in_window(r, since, until) for r in ocds.releases(facts, base_url)):
                found.append((index, facts))
                if len(found) > limit:
                    break
        position += len(batch)
    following = found[limit][0] if len(found) > limit else None
    return [facts for _, facts in found[:limit]], following


async def public_sections(
    session: AsyncSession, *, sector: str | None, limit: int, offset: int
) -> tuple[list[Section], bool]:
    """A batch of announced sections (the bulk export), and whether another follows."""
    query = _public_query(sector, None, None).limit(limit + 1).offset(offset)
    rows = list((await session.scalars(query)).all())
    return rows[:limit], len(rows) > limit


async def _organisations(session: AsyncSession, ids: set[uuid.UUID]) -> dict[str, ocds.Party]:
    if not ids:
        return {}
    rows = await session.scalars(select(Organisation).where(Organisation.id.in_(ids)))
    return {str(o.id): _party(o) for o in rows}


def _concerns(announcement: Announcement, section: Section) -> bool:
    return not announcement.section_ids or str(section.id) in announcement.section_ids


async def gather(session: AsyncSession, sections: list[Section], prefix: str) -> list[ocds.SectionFacts]:
    """The public facts of each section, in three queries whatever the page size."""
    if not sections:
        return []
    project_ids = {s.project_id for s in sections}
    projects = {p.id: p for p in await session.scalars(select(Project).where(Project.id.in_(project_ids)))}
    notices = list(
        await session.scalars(
            select(Announcement)
            .where(Announcement.project_id.in_(project_ids), Announcement.status == "published")
            .order_by(Announcement.published_at)
        )
    )
    steps = list(
        await session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.subject_type == "section",
                AuditEvent.subject_id.in_([str(s.id) for s in sections]),
                AuditEvent.action.in_(["section.awarded", "section.contracted", "section.cancelled"]),
            )
            .order_by(AuditEvent.seq)
        )
    )
    org_ids = {p.principal_id for p in projects.values()} | {
        p.agency_id for p in projects.values() if p.agency_id
    }
    org_ids |= {uuid.UUID(str(a.winner_id)) for a in notices if a.winner_id}
    org_ids |= {uuid.UUID(e.data["winner_id"]) for e in steps if e.data.get("winner_id")}
    organisations = await _organisations(session, org_ids)
    return [_facts(s, projects[s.project_id], notices, steps, organisations, prefix) for s in sections]


def _facts(
    section: Section,
    project: Project,
    notices: list[Announcement],
    steps: list[AuditEvent],
    organisations: dict[str, ocds.Party],
    prefix: str,
) -> ocds.SectionFacts:
    return ocds.SectionFacts(
        ocid=f"{prefix}-{section.code}",
        sector=project.sector,
        code=section.code,
        name=section.name,
        project_name=project.name,
        project_description=project.description,
        region=project.region,
        procedure=section.procedure,
        contract_kind=section.contract_kind,
        budget_fen=section.budget_fen,
        starting_price_fen=section.starting_price_fen,
        tender_start=section.registration_start or section.documents_sale_start or section.listing_start,
        tender_end=section.bid_deadline or section.listing_end or section.sale_start,
        principal=organisations[str(project.principal_id)],
        agency=organisations.get(str(project.agency_id)) if project.agency_id else None,
        notices=[
            ocds.Notice(
                id=str(a.id),
                kind=a.kind,
                title=a.title,
                published_at=a.published_at,
                winner_id=str(a.winner_id) if a.winner_id else None,
            )
            for a in notices
            if a.project_id == section.project_id and a.published_at and _concerns(a, section)
        ],
        steps=[
            ocds.Step(
                seq=e.seq,
                to=e.action.removeprefix("section."),
                at=e.occurred_at,
                reason=e.data.get("reason"),
                winner_id=e.data.get("winner_id"),
            )
            for e in steps
            if e.subject_id == str(section.id)
        ],
        organisations=organisations,
    )


def _in_window(release: dict[str, Any], since: dt.datetime | None, until: dt.datetime | None) -> bool:
    return (since is None or release["date"] >= ocds.stamp(since)) and (
        until is None or release["date"] < ocds.stamp(until)
    )


def _package_head(uri: str, publisher: str, at: dt.datetime) -> dict[str, Any]:
    return {
        "uri": uri,
        "version": OCDS_VERSION,
        "publishedDate": ocds.stamp(at),
        "publisher": {"name": publisher},
    }


def release_package(
    facts: list[ocds.SectionFacts],
    *,
    uri: str,
    base_url: str,
    publisher: str,
    at: dt.datetime,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> dict[str, Any]:
    package = _package_head(uri, publisher, at)
    package["releases"] = [
        r for f in facts for r in ocds.releases(f, base_url) if _in_window(r, since, until)
    ]
    return package


def record_package(
    facts: list[ocds.SectionFacts],
    *,
    uri: str,
    base_url: str,
    publisher: str,
    at: dt.datetime,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> dict[str, Any]:
    """Whole records (every release and the compiled state) of the sections with a release in
    the date window."""
    package = _package_head(uri, publisher, at)
    records = [ocds.record(f.ocid, ocds.releases(f, base_url)) for f in facts]
    package["records"] = [
        r for r in records if any(_in_window(release, since, until) for release in r["releases"])
    ]
    return package
