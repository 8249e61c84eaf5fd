"""What a loaded notice changes, and the warnings the calendar raises (D-03).

A section scheduled while its year was estimated may find, once the State Council's notice is
loaded, that a minimum period now falls short (a make-up working day cannot do that, but a bridge
holiday the estimate missed can) or that a deadline lands on a holiday. Each such section gets a
yellow warning for staff and the sector's supervisors. Nothing is changed on the section by
itself: moving a deadline is an amendment, a decision for people.

And every year from 1 November on, administrators are told when next year's notice is not loaded
yet, so that it is loaded before the first January deadline is set.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.service import Actor, record
from trading.auth.identity import Identity
from trading.calendar.models import CalendarWarning, CalendarYear
from trading.calendar.service import WorkingCalendar, load_calendar_from
from trading.clock import local_date, local_time
from trading.errors import DomainError, Forbidden, not_found
from trading.projects.models import Project, Section
from trading.projects.rules import TERMINAL
from trading.projects.service import SCHEDULE_FIELDS
from trading.rules import checks

# The dates people must meet; a holiday on one of them is worth a warning.
DEADLINE_FIELDS = (
    "documents_sale_end",
    "registration_end",
    "bid_deadline",
    "listing_end",
    "sale_start",
    "publicity_end",
)
NOTICE_REMINDER_FROM = (11, 1)  # month, day


@dataclass(frozen=True)
class Affected:
    section: Section
    sector: str
    reason: str
    zh: str
    en: str
    details: dict[str, Any]


def _touches(section: Section, year: int, zone: ZoneInfo) -> bool:
    dates = [getattr(section, name) for name in (*SCHEDULE_FIELDS, "announced_at", "publicity_end")]
    return any(d is not None and d.astimezone(zone).year == year for d in dates)


def _holiday_deadlines(
    section: Section, year: int, calendar: WorkingCalendar, zone: ZoneInfo
) -> list[tuple[list[str], dt.datetime, str]]:
    """The section's deadlines in `year` that fall on a holiday, those on one instant together
    (a listing's end is also its bid deadline)."""
    found: dict[dt.datetime, tuple[list[str], str]] = {}
    for name in DEADLINE_FIELDS:
        instant = getattr(section, name)
        if instant is None or instant.astimezone(zone).year != year:
            continue
        holiday = calendar.holiday_name(local_date(instant, zone))
        if holiday:
            found.setdefault(instant, ([], holiday))[0].append(name)
    return [(fields, instant, holiday) for instant, (fields, holiday) in found.items()]


def _review_section(
    section: Section, sector: str, year: int, calendar: WorkingCalendar, zone: ZoneInfo
) -> list[Affected]:
    affected = []
    violations = checks.schedule_violations(
        sector,
        section.procedure,
        zone=zone,
        calendar=calendar,
        announcement_published_at=section.announced_at,
        **{name: getattr(section, name) for name in SCHEDULE_FIELDS if name in _SCHEDULE_ARGUMENTS},
    )
    for violation in violations:
        affected.append(
            Affected(
                section,
                sector,
                "period_short",
                f"{year}年节假日安排导入后，{section.code}不再满足：{violation.zh}",
                f"with the {year} holiday notice loaded, {section.code} no longer meets: {violation.en}",
                {"rule": violation.rule, "code": violation.code, **violation.details},
            )
        )
    for fields, instant, holiday in _holiday_deadlines(section, year, calendar, zone):
        shown, named = local_time(instant, zone), "、".join(fields)
        affected.append(
            Affected(
                section,
                sector,
                "deadline_on_holiday",
                f"{section.code}的{named}（{shown}）落在法定节假日（{holiday}）",
                f"{section.code}'s {', '.join(fields)} ({shown} Beijing time) falls on an official holiday "
                f"({holiday})",
                {"fields": fields, "at": instant.isoformat(), "holiday": holiday},
            )
        )
    return affected


# The schedule dates `schedule_violations` reads, by its parameter names.
_SCHEDULE_ARGUMENTS = frozenset(
    {
        "documents_issued_at",
        "documents_sale_start",
        "documents_sale_end",
        "bid_deadline",
        "listing_start",
        "listing_end",
        "sale_start",
    }
)


async def sections_affected(session: AsyncSession, year: int, *, zone: ZoneInfo) -> list[Affected]:
    """Every open section with a date in `year` whose schedule the loaded calendar now faults."""
    rows = (
        await session.execute(
            select(Section, Project.sector)
            .join(Project, Project.id == Section.project_id)
            .where(Section.status.not_in([s.value for s in TERMINAL]))
            .order_by(Section.code)
        )
    ).all()
    calendar = await load_calendar_from(session, year - 1)
    affected: list[Affected] = []
    for section, sector in rows:
        if _touches(section, year, zone):
            affected.extend(_review_section(section, sector, year, calendar, zone))
    return affected


async def raise_warnings(
    session: AsyncSession, year: int, *, actor: Actor, at: dt.datetime, zone: ZoneInfo
) -> list[CalendarWarning]:
    """A yellow warning for each section the newly loaded notice affects. The caller commits."""
    warnings = [
        CalendarWarning(
            year=year,
            section_id=found.section.id,
            sector=found.sector,
            reason=found.reason,
            zh=found.zh,
            en=found.en,
            details=found.details,
            raised_at=at,
        )
        for found in await sections_affected(session, year, zone=zone)
    ]
    session.add_all(warnings)
    await session.flush()
    for warning in warnings:
        await record(
            session,
            actor=actor,
            action="calendar.warning_raised",
            subject_type="section",
            subject_id=warning.section_id,
            data={"warning": str(warning.id), "year": year, "reason": warning.reason, "en": warning.en},
            at=at,
        )
    return warnings


async def list_warnings(
    session: AsyncSession, viewer: Identity, *, open_only: bool = True
) -> list[tuple[CalendarWarning, str]]:
    """The warnings the viewer may see (a supervisor: its sectors), with each section's code."""
    query = (
        select(CalendarWarning, Section.code)
        .join(Section, Section.id == CalendarWarning.section_id)
        .order_by(CalendarWarning.raised_at.desc(), CalendarWarning.id)
    )
    if open_only:
        query = query.where(CalendarWarning.acknowledged_at.is_(None))
    rows = (await session.execute(query)).all()
    return [(warning, code) for warning, code in rows if viewer.supervises(warning.sector)]


async def acknowledge(
    session: AsyncSession, warning_id: uuid.UUID, note: str, *, viewer: Identity, at: dt.datetime
) -> CalendarWarning:
    """Staff or the sector's supervisor acknowledge a warning with a note. The caller commits."""
    warning = await session.get(CalendarWarning, warning_id, with_for_update=True)
    if warning is None:
        raise not_found("calendar_warning", "日历预警", warning_id)
    if not viewer.supervises(warning.sector):
        raise Forbidden(
            "calendar_warning.not_your_sector",
            "该预警不属于您监管的行业",
            "this warning belongs to a sector you do not supervise",
        )
    if warning.acknowledged_at is not None:
        raise DomainError(
            "calendar_warning.already_acknowledged",
            "该预警已确认",
            "this warning has already been acknowledged",
            status=409,
        )
    warning.acknowledged_at, warning.acknowledged_by, warning.note = at, viewer.username, note
    await record(
        session,
        actor=viewer.actor,
        action="calendar.warning_acknowledged",
        subject_type="section",
        subject_id=warning.section_id,
        data={"warning": str(warning.id), "note": note},
        at=at,
    )
    return warning


async def notice_reminder(
    session: AsyncSession, *, now: dt.datetime, zone: ZoneInfo
) -> dict[str, Any] | None:
    """From 1 November, while next year's notice is not loaded: a reminder for administrators."""
    today = local_date(now, zone)
    if (today.month, today.day) < NOTICE_REMINDER_FROM:
        return None
    next_year = today.year + 1
    if await session.get(CalendarYear, next_year) is not None:
        return None
    return {
        "code": "calendar.next_year_missing",
        "year": next_year,
        "zh": f"尚未导入{next_year}年节假日安排（国务院办公厅通知）；"
        f"在导入前，{next_year}年的工作日按暂定日历计算",
        "en": f"the {next_year} holiday notice (State Council) is not loaded; until it is, working days in "
        f"{next_year} are counted on the provisional calendar",
    }


async def section_code(session: AsyncSession, section_id: uuid.UUID) -> str:
    return await session.scalar(select(Section.code).where(Section.id == section_id)) or ""
