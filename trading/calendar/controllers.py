"""Calendar routes: the loaded years (and the provisional estimate of the others), loading a
year's notice (admin), computing a period, and the warnings a loaded notice raises."""

import datetime as dt
import uuid
from typing import Any

from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.guards import ANY_USER, allow
from trading.auth.identity import Identity, Role
from trading.calendar import review, service
from trading.calendar.models import CalendarWarning, CalendarYear
from trading.calendar.periods import Unit, period
from trading.calendar.provisional import provisional_source
from trading.calendar.schemas import (
    AcknowledgeIn,
    CalendarDayOut,
    CalendarLoadOut,
    CalendarStatusOut,
    CalendarWarningOut,
    CalendarYearIn,
    CalendarYearOut,
    CalendarYearSummary,
    PeriodOut,
    SectionAffectedOut,
    WorkingDayOut,
)
from trading.clock import Clock, local_date
from trading.settings import Settings

WARNING_READERS = allow(Role.staff, Role.supervisor, Role.auditor, Role.admin)


def _summary(row: CalendarYear) -> CalendarYearSummary:
    return CalendarYearSummary(year=row.year, source=row.source, notice=row.notice, loaded_at=row.loaded_at)


def _days(days: tuple[tuple[dt.date, str], ...]) -> list[CalendarDayOut]:
    return [CalendarDayOut(date=d, name=n) for d, n in days]


def _year_out(row: CalendarYear, schedule: service.YearSchedule) -> CalendarYearOut:
    return CalendarYearOut(
        year=row.year,
        provisional=False,
        source=row.source,
        notice=row.notice,
        loaded_at=row.loaded_at,
        holidays=_days(schedule.holidays),
        workdays=_days(schedule.workdays),
    )


def _warning_out(warning: CalendarWarning, section_code: str) -> CalendarWarningOut:
    return CalendarWarningOut(
        id=str(warning.id),
        year=warning.year,
        section_id=str(warning.section_id),
        section_code=section_code,
        sector=warning.sector,
        reason=warning.reason,
        zh=warning.zh,
        en=warning.en,
        raised_at=warning.raised_at,
        acknowledged_at=warning.acknowledged_at,
        acknowledged_by=warning.acknowledged_by,
        note=warning.note,
    )


class CalendarController(Controller):
    path = "/api/calendar"
    tags = ("calendar",)

    @get("/years", operation_id="listCalendarYears", opt=ANY_USER)
    async def list_years(self, session: NamedDependency[AsyncSession]) -> list[CalendarYearSummary]:
        return [_summary(row) for row in await service.list_years(session)]

    @get("/years/{year:int}", operation_id="getCalendarYear", opt=ANY_USER)
    async def get_year(self, session: NamedDependency[AsyncSession], year: FromPath[int]) -> CalendarYearOut:
        """A loaded year's notice; for a year not loaded, the provisional estimate (D-03)."""
        row = await session.get(CalendarYear, year)
        if row is not None:
            return _year_out(*await service.get_year(session, year))
        estimate = service.provisional_year(year)
        return CalendarYearOut(
            year=year,
            provisional=True,
            source=provisional_source(),
            notice=None,
            loaded_at=None,
            holidays=_days(estimate.holidays),
            workdays=[],
        )

    @put("/years/{year:int}", operation_id="loadCalendarYear", opt=allow(Role.admin))
    async def load_year(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        year: FromPath[int],
        data: JSONBody[CalendarYearIn],
    ) -> CalendarLoadOut:
        """Load (or correct) a year's notice; every open section it affects is listed and warned."""
        at = clock.now()
        await service.load_year(
            session,
            actor=request.user.actor,
            at=at,
            year=year,
            notice=data.notice,
            holidays=[(day.date, day.name) for day in data.holidays],
            workdays=[(day.date, day.name) for day in data.workdays],
        )
        warnings = await review.raise_warnings(
            session, year, actor=request.user.actor, at=at, zone=settings.zone
        )
        affected = [
            SectionAffectedOut(
                section_id=str(w.section_id),
                section_code=(await review.section_code(session, w.section_id)),
                sector=w.sector,
                reason=w.reason,
                zh=w.zh,
                en=w.en,
            )
            for w in warnings
        ]
        await session.commit()
        out = _year_out(*await service.get_year(session, year))
        return CalendarLoadOut(**out.model_dump(), affected_sections=affected)

    @get("/working-days", operation_id="getWorkingDay", opt=ANY_USER)
    async def working_day(
        self, session: NamedDependency[AsyncSession], start: FromQuery[dt.date], days: FromQuery[int]
    ) -> WorkingDayOut:
        calendar = await service.load_calendar_from(session, start.year)
        date = calendar.add_working_days(start, days)
        return WorkingDayOut(
            start=start, days=days, date=date, provisional=calendar.is_provisional(start, date)
        )

    @get("/periods", operation_id="getPeriod", opt=ANY_USER)
    async def period_end(
        self,
        session: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        start: FromQuery[dt.date],
        length: FromQuery[int],
        unit: FromQuery[Unit],
    ) -> PeriodOut:
        """A period as the Civil Code counts it (D-01, D-02): from the day after `start`, to 24:00
        of its last day, moved past a holiday that ends it."""
        if not 0 <= length <= 3660:
            raise service.invalid(
                "length_invalid",
                f"期间长度须在0至3660之间，当前为{length}",
                f"a period's length must be between 0 and 3660; got {length}",
                length=length,
            )
        calendar = await service.load_calendar_from(session, start.year)
        found = period(calendar, start, length, unit)
        return PeriodOut(
            start=start,
            length=length,
            unit=found.unit.value,
            last_day=found.last_day,
            ends_at=found.ends_at(settings.zone),
            ends_at_local=f"{found.last_day.isoformat()} 24:00 北京时间",
            provisional=found.provisional,
        )

    @get("/status", operation_id="getCalendarStatus", opt=allow(Role.admin, Role.staff))
    async def status(
        self,
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
    ) -> CalendarStatusOut:
        """Which years are loaded, and (from 1 November) whether next year's notice is missing."""
        now = clock.now()
        reminder = await review.notice_reminder(session, now=now, zone=settings.zone)
        return CalendarStatusOut(
            today=local_date(now, settings.zone),
            loaded_years=[row.year for row in await service.list_years(session)],
            reminders=[reminder] if reminder else [],
        )

    @get("/warnings", operation_id="listCalendarWarnings", opt=WARNING_READERS)
    async def warnings(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        include_acknowledged: FromQuery[bool] = False,
    ) -> list[CalendarWarningOut]:
        rows = await review.list_warnings(session, request.user, open_only=not include_acknowledged)
        return [_warning_out(warning, code) for warning, code in rows]

    @post(
        "/warnings/{warning_id:uuid}/acknowledge",
        operation_id="acknowledgeCalendarWarning",
        opt=allow(Role.staff, Role.supervisor),
        status_code=200,
    )
    async def acknowledge(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        warning_id: FromPath[uuid.UUID],
        data: JSONBody[AcknowledgeIn],
    ) -> CalendarWarningOut:
        warning = await review.acknowledge(
            session, warning_id, data.note, viewer=request.user, at=clock.now()
        )
        code = await review.section_code(session, warning.section_id)
        await session.commit()
        return _warning_out(warning, code)
