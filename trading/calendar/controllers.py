"""Calendar routes: read the loaded years, load a year's notice (admin), compute a deadline."""

import datetime as dt
from typing import Any

from litestar import Controller, Request, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.guards import ANY_USER, allow
from trading.auth.identity import Identity, Role
from trading.calendar import service
from trading.calendar.models import CalendarYear
from trading.calendar.schemas import (
    CalendarDayOut,
    CalendarYearIn,
    CalendarYearOut,
    CalendarYearSummary,
    WorkingDayOut,
)
from trading.clock import Clock


def _summary(row: CalendarYear) -> CalendarYearSummary:
    return CalendarYearSummary(year=row.year, source=row.source, notice=row.notice, loaded_at=row.loaded_at)


def _year_out(row: CalendarYear, schedule: service.YearSchedule) -> CalendarYearOut:
    return CalendarYearOut(
        **_summary(row).model_dump(),
        holidays=[CalendarDayOut(date=d, name=n) for d, n in schedule.holidays],
        workdays=[CalendarDayOut(date=d, name=n) for d, n in schedule.workdays],
    )


class CalendarController(Controller):
    path = "/api/calendar"
    tags = ("calendar",)

    @get("/years", operation_id="listCalendarYears", opt=ANY_USER)
    async def list_years(self, session: NamedDependency[AsyncSession]) -> list[CalendarYearSummary]:
        return [_summary(row) for row in await service.list_years(session)]

    @get("/years/{year:int}", operation_id="getCalendarYear", opt=ANY_USER)
    async def get_year(self, session: NamedDependency[AsyncSession], year: FromPath[int]) -> CalendarYearOut:
        return _year_out(*await service.get_year(session, year))

    @put("/years/{year:int}", operation_id="loadCalendarYear", opt=allow(Role.admin))
    async def load_year(
        self,
        request: Request[Identity, Any, Any],
        session: NamedDependency[AsyncSession],
        clock: NamedDependency[Clock],
        year: FromPath[int],
        data: JSONBody[CalendarYearIn],
    ) -> CalendarYearOut:
        await service.load_year(
            session,
            actor=request.user.actor,
            at=clock.now(),
            year=year,
            notice=data.notice,
            holidays=[(day.date, day.name) for day in data.holidays],
            workdays=[(day.date, day.name) for day in data.workdays],
        )
        await session.commit()
        return _year_out(*await service.get_year(session, year))

    @get("/working-days", operation_id="getWorkingDay", opt=ANY_USER)
    async def working_day(
        self, session: NamedDependency[AsyncSession], start: FromQuery[dt.date], days: FromQuery[int]
    ) -> WorkingDayOut:
        # Only years from the start onwards can matter for a date after it.
        calendar = await service.load_calendar(session, range(start.year, service.LAST_YEAR + 1))
        return WorkingDayOut(start=start, days=days, date=calendar.add_working_days(start, days))
