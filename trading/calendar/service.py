"""The working-day calendar: which days count as working days, and how it gets its data.

Working-day deadlines ("within 5 working days", "a listing period of at least 10 working days")
depend on the State Council's yearly holiday notice (国务院办公厅关于某年部分节假日安排的通知).
A year is either loaded (its notice's holidays and make-up working days are stored) or not. A
year that is not loaded is estimated conservatively (D-03, trading/calendar/provisional.py) and
every date computed over it is marked provisional: a center never stops trading because next
year's notice is late, and a minimum period computed on the estimate can only come out longer.

Data comes from the `chinesecalendar` package (seeded once, idempotently) and, for a year the
package does not yet cover or a corrected notice, from an administrator (`load_year`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import chinese_calendar
from chinese_calendar import constants as chinese_calendar_days
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit.service import Actor, record
from trading.calendar.models import HOLIDAY, WORKDAY, CalendarDay, CalendarYear
from trading.calendar.provisional import provisional_schedule
from trading.calendar.schedule import YearSchedule
from trading.errors import DomainError
from trading.events import publish

ONE_DAY = dt.timedelta(days=1)

# Years an administrator may load: wide enough for any archive or plan, narrow enough to catch typos.
FIRST_YEAR, LAST_YEAR = 2000, 2100

# chinesecalendar names its holidays in English; the platform shows the notice's Chinese names.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}

DayList = Sequence[tuple[dt.date, str]]


def notice_title(year: int) -> str:
    return f"国务院办公厅关于{year}年部分节假日安排的通知"


class CalendarYearMissing(DomainError):
    """A year's notice was asked for but is not loaded (404 on `GET /api/calendar/years/{y}`)."""

    status = 422

    def __init__(self, year: int, *, status: int | None = None) -> None:
        super().__init__(
            "calendar.year_missing",
            f"尚未导入{year}年节假日安排，无法计算工作日",
            f"the holiday schedule for {year} (State Council notice) is not loaded; "
            f"working days in {year} cannot be computed",
            status=status,
            details={"year": year},
        )
        self.year = year


def invalid(code: str, zh: str, en: str, **details: Any) -> DomainError:
    return DomainError(f"calendar.{code}", zh, en, status=422, details=details)


class CalendarYearOutOfRange(DomainError):
    """A date so far from today that no calendar, loaded or estimated, is kept for it."""

    status = 422

    def __init__(self, year: int) -> None:
        super().__init__(
            "calendar.year_out_of_range",
            f"{year}年超出工作日日历的范围（{FIRST_YEAR}–{LAST_YEAR}年）",
            f"{year} is outside the working-day calendar's range ({FIRST_YEAR}-{LAST_YEAR})",
            details={"year": year, "first_year": FIRST_YEAR, "last_year": LAST_YEAR},
        )


class WorkingCalendar:
    """Working days over the loaded years, and provisional ones for the others (D-03). Pure: no
    database, no clock, no I/O.

    A day is a working day when it is a listed make-up working day, or a Monday to Friday that
    is not a listed holiday. Holidays may include weekend days inside a holiday period; that
    changes nothing, those days are not working days either way. A year whose notice is not
    loaded gets `provisional_schedule(year)` the first time it is touched, and every answer that
    touched it can say so (`is_provisional`).
    """

    def __init__(
        self,
        years: Iterable[int],
        holidays: Mapping[dt.date, str],
        workdays: Mapping[dt.date, str],
    ) -> None:
        self._years = frozenset(years)
        self._holidays = dict(holidays)
        self._workdays = dict(workdays)
        self._provisional: set[int] = set()
        stray = sorted(d for d in (*self._holidays, *self._workdays) if d.year not in self._years)
        if stray:
            raise ValueError(f"special day {stray[0]} lies in a year that is not among the loaded years")

    @classmethod
    def from_schedules(cls, schedules: Mapping[int, YearSchedule]) -> WorkingCalendar:
        return cls(
            schedules,
            {day: name for s in schedules.values() for day, name in s.holidays},
            {day: name for s in schedules.values() for day, name in s.workdays},
        )

    @property
    def years(self) -> frozenset[int]:
        """The years whose notice is loaded."""
        return self._years

    def require(self, day: dt.date) -> None:
        """Make `day`'s year usable: loaded, or estimated provisionally (D-03)."""
        year = day.year
        if year in self._years or year in self._provisional:
            return
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise CalendarYearOutOfRange(year)
        self._holidays.update(provisional_schedule(year).holidays)
        self._provisional.add(year)

    def is_provisional(self, first: dt.date, last: dt.date | None = None) -> bool:
        """Whether any year from `first` to `last` has no loaded notice: a date computed over
        them may move when the notice is loaded."""
        last = last or first
        return any(
            year not in self._years for year in range(min(first, last).year, max(first, last).year + 1)
        )

    def holiday_name(self, day: dt.date) -> str | None:
        self.require(day)
        return self._holidays.get(day)

    def is_holiday(self, day: dt.date) -> bool:
        """An official holiday (法定休假日 as the notice lists it); a plain weekend is not one."""
        self.require(day)
        return day in self._holidays

    def is_working_day(self, day: dt.date) -> bool:
        self.require(day)
        if day in self._holidays:
            return False
        if day in self._workdays:
            return True
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` ("within n working days after start"); `start`
        itself is not counted, whether or not it is a working day. n = 0 gives `start`."""
        if n < 0:
            raise invalid(
                "days_invalid",
                f"工作日数不能为负数，当前为{n}",
                f"the number of working days cannot be negative; got {n}",
                days=n,
            )
        self.require(start)
        day = start
        while n:
            day += ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def working_days_in(self, first: dt.date, last: dt.date) -> int:
        """Working days from `first` to `last`, both included; 0 when `last` is before `first`."""
        self.require(first)
        self.require(last)
        count, day = 0, first
        while day <= last:
            count += self.is_working_day(day)
            day += ONE_DAY
        return count

    def working_days_after(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: `start` excluded, `end` included ("N working days from
        documents issued to responses due")."""
        self.require(start)
        self.require(end)
        return self.working_days_in(start + ONE_DAY, end) if end > start else 0


# --- loading from the database -------------------------------------------------------------


async def load_calendar(session: AsyncSession, years: Iterable[int] | None = None) -> WorkingCalendar:
    """The calendar of the given years (or of every loaded year). Years asked for but not
    loaded are estimated by the calendar itself when they are used (D-03)."""
    year_query = select(CalendarYear.year)
    day_query = select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)
    if years is not None:
        wanted = sorted(set(years))
        year_query = year_query.where(CalendarYear.year.in_(wanted))
        day_query = day_query.where(CalendarDay.year.in_(wanted))
    loaded = (await session.scalars(year_query)).all()
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    for day, kind, name in (await session.execute(day_query)).all():
        (holidays if kind == HOLIDAY else workdays)[day] = name
    return WorkingCalendar(loaded, holidays, workdays)


async def load_calendar_from(session: AsyncSession, first_year: int) -> WorkingCalendar:
    """The calendar from `first_year` on: every period starting then can only reach later years."""
    return await load_calendar(session, range(first_year, LAST_YEAR + 1))


async def list_years(session: AsyncSession) -> list[CalendarYear]:
    return list((await session.scalars(select(CalendarYear).order_by(CalendarYear.year))).all())


async def _schedule(session: AsyncSession, year: int) -> YearSchedule:
    rows = (
        await session.execute(
            select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)
            .where(CalendarDay.year == year)
            .order_by(CalendarDay.day)
        )
    ).all()
    return YearSchedule(
        holidays=tuple((day, name) for day, kind, name in rows if kind == HOLIDAY),
        workdays=tuple((day, name) for day, kind, name in rows if kind == WORKDAY),
    )


async def get_year(session: AsyncSession, year: int) -> tuple[CalendarYear, YearSchedule]:
    """One loaded year with its days; `CalendarYearMissing` with status 404 if not loaded."""
    row = await session.get(CalendarYear, year)
    if row is None:
        raise CalendarYearMissing(year, status=404)
    return row, await _schedule(session, year)


# --- seeding from the chinesecalendar package ------------------------------------------------


def provisional_year(year: int) -> YearSchedule:
    """The estimated schedule of a year whose notice is not loaded (D-03)."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CalendarYearOutOfRange(year)
    return provisional_schedule(year)


def chinese_calendar_source() -> str:
    return f"chinesecalendar {chinese_calendar.__version__}"


def _zh_name(english: str) -> str:
    """The Chinese name of a chinesecalendar holiday. A name added by a later package version
    falls back to the package's own Chinese name rather than stopping the seed."""
    if english in HOLIDAY_NAMES_ZH:
        return HOLIDAY_NAMES_ZH[english]
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


def chinese_calendar_schedules() -> dict[int, YearSchedule]:
    """Every year the installed chinesecalendar package covers, with Chinese holiday names."""
    holidays, workdays = chinese_calendar_days.holidays, chinese_calendar_days.workdays
    years = {d.year for d in holidays} | {d.year for d in workdays}
    return {
        year: YearSchedule(
            holidays=tuple(sorted((d, _zh_name(n)) for d, n in holidays.items() if d.year == year)),
            workdays=tuple(sorted((d, _zh_name(n)) for d, n in workdays.items() if d.year == year)),
        )
        for year in sorted(years)
    }


def _day_rows(year: int, schedule: YearSchedule) -> list[CalendarDay]:
    return [CalendarDay(day=d, year=year, kind=HOLIDAY, name=n) for d, n in schedule.holidays] + [
        CalendarDay(day=d, year=year, kind=WORKDAY, name=n) for d, n in schedule.workdays
    ]


async def seed_from_chinesecalendar(session: AsyncSession, *, actor: Actor, at: dt.datetime) -> list[int]:
    """Load every year chinesecalendar covers that the database does not have yet.

    Idempotent: years already loaded (by an earlier seed or by an administrator, whose notice
    wins) are left alone; when nothing is new, nothing is written, not even an audit event.
    Returns the years added. The caller commits.
    """
    schedules = chinese_calendar_schedules()
    loaded = set((await session.scalars(select(CalendarYear.year))).all())
    new_years = [year for year in schedules if year not in loaded]
    if not new_years:
        return []
    source = chinese_calendar_source()
    session.add_all(
        CalendarYear(year=y, source=source, notice=notice_title(y), loaded_at=at, loaded_by=actor.name)
        for y in new_years
    )
    # Years first: the days' foreign keys point at them.
    await session.flush()
    for year in new_years:
        session.add_all(_day_rows(year, schedules[year]))
    await session.flush()
    await record(
        session,
        actor=actor,
        action="calendar.seeded",
        subject_type="calendar",
        subject_id=f"{new_years[0]}-{new_years[-1]}",
        data={
            "source": source,
            "years": new_years,
            "days": {
                str(y): {"holidays": len(schedules[y].holidays), "workdays": len(schedules[y].workdays)}
                for y in new_years
            },
        },
        at=at,
    )
    return new_years


# --- an administrator loads a notice ---------------------------------------------------------


# The festivals of 全国年节及纪念日放假办法 art. 2, and the one-off commemorations notices have
# added; a notice names each day off after one of them (bridge days after their block).
STATUTORY_HOLIDAYS = frozenset({"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"})
COMMEMORATION_PREFIX = "抗战胜利"


def _known_name(name: str) -> bool:
    parts = [part.strip() for part in name.replace("，", "、").replace(",", "、").split("、")]
    return all(part in STATUTORY_HOLIDAYS or part.startswith(COMMEMORATION_PREFIX) for part in parts)


def _check_days(
    year: int, kind: str, kind_zh: str, kind_en: str, days: DayList
) -> tuple[tuple[dt.date, str], ...]:
    """Each line of one list of the notice; an error names the list and the line (1-based)."""
    seen: set[dt.date] = set()
    for line, (day, name) in enumerate(days, start=1):
        where = {"list": kind, "line": line, "date": day.isoformat()}
        at_zh, at_en = f"{kind_zh}第{line}行：", f"{kind_en} line {line}: "
        if day.year != year:
            raise invalid(
                "date_outside_year",
                f"{at_zh}日期{day.isoformat()}不在{year}年内",
                f"{at_en}date {day.isoformat()} is not in {year}",
                year=year,
                **where,
            )
        if day in seen:
            raise invalid(
                "date_duplicated",
                f"{at_zh}日期{day.isoformat()}重复列出",
                f"{at_en}date {day.isoformat()} is listed twice",
                **where,
            )
        if not name.strip():
            raise invalid(
                "name_required",
                f"{at_zh}日期{day.isoformat()}缺少节日名称",
                f"{at_en}date {day.isoformat()} has no holiday name",
                **where,
            )
        if not _known_name(name.strip()):
            raise invalid(
                "name_unknown",
                f"{at_zh}“{name.strip()}”不是法定节假日名称（{'、'.join(sorted(STATUTORY_HOLIDAYS))}）",
                f"{at_en}{name.strip()!r} is not the name of an official holiday",
                name=name.strip(),
                **where,
            )
        seen.add(day)
    return tuple(sorted((day, name.strip()) for day, name in days))


def validate_notice(year: int, notice: str, holidays: DayList, workdays: DayList) -> YearSchedule:
    """Check one year's notice as an administrator typed it; raise `calendar.*` errors."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise invalid(
            "year_invalid",
            f"年份{year}超出可导入范围（{FIRST_YEAR}–{LAST_YEAR}）",
            f"year {year} is outside the range that can be loaded ({FIRST_YEAR}-{LAST_YEAR})",
            year=year,
        )
    if not notice.strip():
        raise invalid("notice_required", "请填写通知名称或文号", "the notice's title or number is required")
    # Every notice lists at least New Year's Day and the Spring Festival: an empty list is a mistake.
    if not holidays:
        raise invalid(
            "holidays_empty",
            f"{year}年节假日安排未列出任何放假日期",
            f"the {year} schedule lists no holidays",
            year=year,
        )
    schedule = YearSchedule(
        holidays=_check_days(year, "holidays", "放假", "holiday", holidays),
        workdays=_check_days(year, "workdays", "调休上班", "make-up working day", workdays),
    )
    holiday_days = {d for d, _ in schedule.holidays}
    for line, (day, _) in enumerate(workdays, start=1):
        where = {"list": "workdays", "line": line, "date": day.isoformat()}
        if day in holiday_days:
            raise invalid(
                "date_both_kinds",
                f"调休上班第{line}行：{day.isoformat()}不能既是放假日又是调休上班日",
                f"make-up working day line {line}: {day.isoformat()} cannot be both a holiday and a "
                "make-up working day",
                **where,
            )
        if day.weekday() < 5:
            raise invalid(
                "workday_not_weekend",
                f"调休上班第{line}行：{day.isoformat()}是工作日（周一至周五），调休上班日应为周六或周日",
                f"make-up working day line {line}: {day.isoformat()} is a weekday; make-up working days "
                "fall on a Saturday or Sunday",
                **where,
            )
    return schedule


def _listed(days: Iterable[tuple[dt.date, str]]) -> list[list[str]]:
    return [[day.isoformat(), name] for day, name in days]


async def load_year(
    session: AsyncSession,
    *,
    actor: Actor,
    at: dt.datetime,
    year: int,
    notice: str,
    holidays: DayList,
    workdays: DayList,
    source: str | None = None,
) -> CalendarYear:
    """Load (or replace) one year's holidays and make-up working days from the State Council's
    notice. Replacing is allowed, since a notice can be corrected, and the audit event keeps
    both the old and the new lists. `source` defaults to the notice's title. The caller commits.
    """
    schedule = validate_notice(year, notice, holidays, workdays)
    source = (source or notice_title(year)).strip()
    row = await session.get(CalendarYear, year)
    previous: dict[str, Any] | None = None
    if row is None:
        row = CalendarYear(
            year=year, source=source, notice=notice.strip(), loaded_at=at, loaded_by=actor.name
        )
        session.add(row)
        await session.flush()
    else:
        old = await _schedule(session, year)
        previous = {
            "source": row.source,
            "notice": row.notice,
            "loaded_at": row.loaded_at.isoformat(),
            "loaded_by": row.loaded_by,
            "holidays": _listed(old.holidays),
            "workdays": _listed(old.workdays),
        }
        await session.execute(delete(CalendarDay).where(CalendarDay.year == year))
        row.source, row.notice, row.loaded_at, row.loaded_by = source, notice.strip(), at, actor.name
    session.add_all(_day_rows(year, schedule))
    await session.flush()
    await record(
        session,
        actor=actor,
        action="calendar.year_loaded",
        subject_type="calendar_year",
        subject_id=year,
        data={
            "year": year,
            "source": source,
            "notice": row.notice,
            "holidays": _listed(schedule.holidays),
            "workdays": _listed(schedule.workdays),
            "previous": previous,
        },
        at=at,
    )
    # Deadlines estimated on the provisional calendar (refunds' due dates) are recounted.
    publish(session, "calendar.year_loaded", {"year": year}, at=at)
    return row
