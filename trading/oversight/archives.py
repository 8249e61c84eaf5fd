"""Archive packages (档案, E-08): when a section ends (contracted, failed or cancelled), its records
form one package with a manifest of their digests and a retention date.

GPL art. 42: "采购文件的保存期限为从采购结束之日起至少保存十五年。" Construction and the other
sectors keep their files as long as the center's archive rules say; 20 years is common practice
(RULES.md E-08), so 20 is the platform's default there. The manifest lists the section's audit
events (with their chain hashes), the supervision log entries of its sessions and their
attachments, its warnings, letters and complaints with their evidence, each by digest; its own
digest goes into the audit chain. `verify` rebuilds the manifest from the data of today and names
every record that changed or went missing since the package was made.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.models import AuditEvent
from trading.audit.service import SYSTEM, canonical_json, record, sha256_hex
from trading.auth.identity import Identity
from trading.clock import local_date
from trading.complaints.models import Complaint
from trading.errors import not_found
from trading.oversight.models import ArchivePackage, OversightStep, OversightWarning, SupervisionLetter
from trading.oversight.scope import require_sector, visible_sectors
from trading.projects.models import Project, Section
from trading.sectors import Sector
from trading.supervision.models import SupervisionEntry
from trading.venue.models import VenueSession

RETENTION_YEARS = {Sector.procurement: 15}
DEFAULT_RETENTION_YEARS = 20
ENDINGS = ("section.contracted", "section.failed", "section.cancelled")


def retention_until(sector: str, ended_on: dt.date) -> dt.date:
    years = RETENTION_YEARS.get(Sector(sector), DEFAULT_RETENTION_YEARS)
    try:
        return ended_on.replace(year=ended_on.year + years)
    except ValueError:  # 29 February
        return ended_on.replace(year=ended_on.year + years, day=28)


def _digest(row: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(row))


async def manifest(session: AsyncSession, section_id: uuid.UUID) -> dict[str, list[dict[str, Any]]]:
    """Every record of the section, by kind, each with its digest."""
    events = await session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_type == "section", AuditEvent.subject_id == str(section_id))
        .order_by(AuditEvent.seq)
    )
    sessions = list(
        await session.scalars(select(VenueSession.id).where(VenueSession.section_id == section_id))
    )
    entries = await session.scalars(
        select(SupervisionEntry)
        .where(SupervisionEntry.session_id.in_(sessions))
        .order_by(SupervisionEntry.id)
    )
    steps = list(await session.scalars(select(OversightStep).where(OversightStep.section_id == section_id)))
    warnings = await session.scalars(
        select(OversightWarning)
        .where(OversightWarning.step_id.in_([s.id for s in steps]))
        .order_by(OversightWarning.id)
    )
    letters = await session.scalars(
        select(SupervisionLetter).where(SupervisionLetter.section_id == section_id)
    )
    complaints = await session.scalars(select(Complaint).where(Complaint.section_id == section_id))
    entry_rows = list(entries)
    complaint_rows = list(complaints)
    return {
        "audit_events": [{"seq": e.seq, "action": e.action, "sha256": e.hash} for e in events],
        "supervision_entries": [{"id": str(e.id), "sha256": e.digest} for e in entry_rows],
        "files": sorted(
            [
                {"of": str(e.id), "name": f["file_name"], "sha256": f["sha256"]}
                for e in entry_rows
                for f in e.attachments["files"]
            ]
            + [
                {"of": str(c.id), "name": f["file_name"], "sha256": f["sha256"]}
                for c in complaint_rows
                for f in c.evidence["files"]
            ],
            key=lambda f: (f["of"], f["sha256"]),
        ),
        "warnings": [{"id": str(w.id), "sha256": _digest(_row(w))} for w in warnings],
        "letters": [
            {"id": str(x.id), "sha256": _digest(_row(x))} for x in sorted(letters, key=lambda x: x.id)
        ],
        "complaints": [
            {"id": str(c.id), "sha256": _digest(_row(c))} for c in sorted(complaint_rows, key=lambda c: c.id)
        ],
    }


def _row(obj: Any) -> dict[str, Any]:
    return {column.key: getattr(obj, column.key) for column in obj.__table__.columns}


async def build(
    session: AsyncSession, section_id: uuid.UUID, ending: str, *, at: dt.datetime, zone: ZoneInfo
) -> ArchivePackage | None:
    """Make the section's package once; a second call finds it made."""
    section = await session.get(Section, section_id)
    project = await session.get(Project, section.project_id) if section else None
    if section is None or project is None:
        return None
    if await session.scalar(select(ArchivePackage).where(ArchivePackage.section_id == section_id)):
        return None
    content = await manifest(session, section_id)
    package = ArchivePackage(
        section_id=section_id,
        sector=project.sector,
        ended_at=at,
        ending=ending,
        retention_until=retention_until(project.sector, local_date(at, zone)),
        manifest=content,
        sha256=_digest(content),
        created_at=at,
    )
    try:
        async with session.begin_nested():
            session.add(package)
    except IntegrityError:
        return None
    await record(
        session,
        actor=SYSTEM,
        action="archive.packaged",
        subject_type="oversight_archive",
        subject_id=package.id,
        data={
            "section_id": str(section_id),
            "sha256": package.sha256,
            "retention_until": package.retention_until.isoformat(),
        },
        at=at,
    )
    return package


async def get(session: AsyncSession, package_id: uuid.UUID, viewer: Identity) -> ArchivePackage:
    package = await session.get(ArchivePackage, package_id)
    if package is None:
        raise not_found("archive", "档案", package_id)
    require_sector(viewer, package.sector, "archive", "档案", package_id)
    return package


async def list_packages(session: AsyncSession, viewer: Identity) -> list[ArchivePackage]:
    query = select(ArchivePackage).order_by(ArchivePackage.ended_at.desc())
    sectors = visible_sectors(viewer)
    if sectors is not None:
        query = query.where(ArchivePackage.sector.in_(sorted(sectors)))
    return list((await session.scalars(query)).all())


# Records that never change once written: any difference is an alteration. Warnings, letters and
# complaints go on (acknowledged, answered) after the end: the package keeps their digest then.
UNCHANGING = ("audit_events", "supervision_entries", "files")


async def verify(session: AsyncSession, package: ArchivePackage) -> list[str]:
    """What differs between the package and the records of today: '<kind>: <record>' lines."""
    problems = []
    if _digest(package.manifest) != package.sha256:
        problems.append("manifest: does not match its digest")
    today = await manifest(session, package.section_id)
    for kind in UNCHANGING:
        items = package.manifest.get(kind, [])
        now = {canonical_json(i) for i in today.get(kind, [])}
        problems += [
            f"{kind}: {canonical_json(i)} changed or missing" for i in items if canonical_json(i) not in now
        ]
    return problems


def ending_handler(zone: ZoneInfo, ending: str) -> Any:
    """The outbox handler for a section's end (its events carry the section and the time)."""

    async def on_section_ended(session: AsyncSession, payload: dict[str, Any], now: dt.datetime) -> None:
        at = dt.datetime.fromisoformat(payload["at"]) if payload.get("at") else now
        await build(session, uuid.UUID(payload["section_id"]), ending, at=at, zone=zone)

    return on_section_ended
