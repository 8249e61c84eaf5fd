"""The working-day calendar: real holiday facts from the State Council's notices (through the
chinesecalendar package), what happens for a year that is not loaded, and loading years into the
database with their audit events."""

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from trading.audit.models import AuditEvent, AuditJournal
from trading.audit.service import Actor, verify_chain
from trading.calendar.models import CalendarDay, CalendarYear
from trading.calendar.provisional import provisional_schedule
from trading.calendar.service import (
    CalendarYearMissing,
    WorkingCalendar,
    chinese_calendar_schedules,
    get_year,
    load_calendar,
    load_year,
    seed_from_chinesecalendar,
)
from trading.db.base import Base
from trading.errors import DomainError
from trading.events import OutboxEvent

D = dt.date
ADMIN = Actor(id=None, name="admin")
AT = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar.from_schedules(chinese_calendar_schedules())


# --- pure calendar ---------------------------------------------------------------------------


def test_spring_festival_2026_is_off_and_its_make_up_saturdays_are_working_days(calendar: WorkingCalendar):
    # 国办发明电〔2025〕7号: 2月15日至23日放假调休，共9天；2月14日（周六）、2月28日（周六）上班。
    assert [calendar.is_working_day(D(2026, 2, day)) for day in range(15, 24)] == [False] * 9
    assert calendar.is_working_day(D(2026, 2, 14)) is True
    assert calendar.is_working_day(D(2026, 2, 28)) is True
    assert calendar.holiday_name(D(2026, 2, 17)) == "春节"


def test_ordinary_weekend_is_off_and_ordinary_weekday_is_working(calendar: WorkingCalendar):
    assert calendar.is_working_day(D(2026, 3, 7)) is False  # Saturday
    assert calendar.is_working_day(D(2026, 3, 8)) is False  # Sunday
    assert calendar.is_working_day(D(2026, 3, 9)) is True  # Monday


def test_holiday_names_are_translated_to_chinese():
    schedules = chinese_calendar_schedules()
    names_2026 = {name for _, name in schedules[2026].holidays}
    assert names_2026 == {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}
    assert (D(2015, 9, 3), "抗战胜利70周年纪念日") in schedules[2015].holidays
    assert (D(2026, 2, 14), "春节") in schedules[2026].workdays


def test_add_working_days_skips_the_2025_national_day_holiday(calendar: WorkingCalendar):
    # 2025: 10月1日至8日放假；9月28日（周日）、10月11日（周六）上班.
    assert calendar.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert calendar.add_working_days(D(2025, 9, 30), 3) == D(2025, 10, 11)  # the make-up Saturday counts
    assert calendar.add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)  # the make-up Sunday counts


def test_add_working_days_does_not_count_the_start_day(calendar: WorkingCalendar):
    assert calendar.add_working_days(D(2026, 3, 9), 1) == D(2026, 3, 10)
    assert calendar.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)  # Friday → Monday
    assert calendar.add_working_days(D(2026, 3, 9), 0) == D(2026, 3, 9)


def test_add_working_days_refuses_a_negative_count(calendar: WorkingCalendar):
    with pytest.raises(DomainError) as caught:
        calendar.add_working_days(D(2026, 3, 9), -1)
    assert caught.value.code == "calendar.days_invalid"
    assert caught.value.status == 422


def test_working_days_in_counts_both_ends(calendar: WorkingCalendar):
    assert calendar.working_days_in(D(2026, 3, 9), D(2026, 3, 13)) == 5
    assert calendar.working_days_in(D(2026, 3, 9), D(2026, 3, 9)) == 1
    assert calendar.working_days_in(D(2026, 3, 10), D(2026, 3, 9)) == 0
    # Across National Day 2025: 9/29, 9/30, 10/9, 10/10.
    assert calendar.working_days_in(D(2025, 9, 29), D(2025, 10, 10)) == 4


def test_working_days_after_excludes_the_start_day(calendar: WorkingCalendar):
    assert calendar.working_days_after(D(2026, 3, 9), D(2026, 3, 12)) == 3
    assert calendar.working_days_after(D(2025, 9, 30), D(2025, 10, 10)) == 2
    assert calendar.working_days_after(D(2026, 3, 9), D(2026, 3, 9)) == 0


# A year no chinesecalendar release will cover for a long time: its days are always estimated.
FAR = 2040


def test_a_year_without_its_notice_is_estimated_not_refused(calendar: WorkingCalendar):
    assert FAR not in calendar.years
    assert calendar.is_working_day(D(FAR, 3, 1))  # a Thursday in March
    assert calendar.is_provisional(D(FAR, 3, 1))
    assert not calendar.is_provisional(D(2026, 3, 2))
    assert calendar.is_provisional(D(2026, 12, 30), D(FAR, 1, 2))


def test_the_estimate_has_the_long_blocks_and_no_make_up_days():
    estimate = dict(provisional_schedule(2027).holidays)
    # Spring Festival 2027: New Year's Eve is 5 February; the block runs to 初七, 12 February.
    assert all(D(2027, 2, day) in estimate for day in range(5, 13))
    assert "暂定" in estimate[D(2027, 2, 12)]
    assert all(D(2027, 5, day) in estimate for day in range(1, 6))
    assert all(D(2027, 10, day) in estimate for day in range(1, 8))
    assert D(2027, 10, 8) not in estimate  # Mid-Autumn 2027 is 15 September, far from 1 October
    assert provisional_schedule(2027).workdays == ()
    # 2031: Mid-Autumn falls on 1 October, and the block runs to 8 October.
    assert D(2031, 10, 8) in dict(provisional_schedule(2031).holidays)


@pytest.mark.parametrize("year", range(2005, 2027))
def test_the_estimate_holds_every_holiday_the_real_notice_gave(year: int):
    """D-03's promise: with every real day off inside the estimate and no make-up working day, a
    minimum period computed on the estimate can only come out longer than on the notice."""
    estimate = {day for day, _ in provisional_schedule(year).holidays}
    real = chinese_calendar_schedules()[year]
    assert [day for day, _ in real.holidays if day not in estimate] == []


def test_counting_into_an_unloaded_year_goes_on_and_says_provisional(calendar: WorkingCalendar):
    # From Wednesday 28 December 2039: the 29th and 30th count; New Year 2040 falls on a Sunday and
    # the estimate keeps Monday the 2nd off with the weekend before it; then the 3rd to the 5th.
    assert calendar.add_working_days(D(FAR - 1, 12, 28), 5) == D(FAR, 1, 5)
    assert calendar.working_days_in(D(FAR - 1, 12, 28), D(FAR, 1, 5)) == 6
    assert calendar.is_provisional(D(FAR - 1, 12, 28), D(FAR, 1, 5))


def test_a_year_beyond_the_range_is_refused_with_its_range(calendar: WorkingCalendar):
    with pytest.raises(DomainError) as caught:
        calendar.is_working_day(D(2101, 1, 3))
    assert caught.value.code == "calendar.year_out_of_range"
    assert caught.value.status == 422
    assert caught.value.details["year"] == 2101


# --- database: seeding and loading years -------------------------------------------------------


@pytest.fixture
async def session() -> AsyncIterator[AsyncSession]:
    engine = create_async_engine("sqlite+aiosqlite://", poolclass=StaticPool)

    @event.listens_for(engine.sync_engine, "connect")
    def _foreign_keys(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    # The audit log's two tables: appends go through the unsequenced journal (issue 23).
    tables = [
        CalendarYear.__table__,
        CalendarDay.__table__,
        AuditEvent.__table__,
        AuditJournal.__table__,
        OutboxEvent.__table__,
    ]
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all, tables=tables)
    async with async_sessionmaker(engine, expire_on_commit=False)() as session:
        yield session
    await engine.dispose()


async def _audit(session: AsyncSession, action: str) -> list[AuditEvent]:
    return list((await session.scalars(select(AuditEvent).where(AuditEvent.action == action))).all())


async def test_seed_loads_every_year_the_package_covers(session: AsyncSession):
    years = await seed_from_chinesecalendar(session, actor=ADMIN, at=AT)
    await session.commit()

    # 2004 to the newest year of the installed release (2026 or later).
    assert years == list(range(2004, years[-1] + 1)) and years[-1] >= 2026
    calendar = await load_calendar(session)
    assert calendar.is_working_day(D(2026, 2, 14)) is True
    assert calendar.is_working_day(D(2026, 2, 16)) is False
    row, schedule = await get_year(session, 2026)
    assert row.source == "chinesecalendar 1.11.0"
    assert row.loaded_by == "admin"
    assert (D(2026, 10, 10), "国庆节") in schedule.workdays
    [seeded] = await _audit(session, "calendar.seeded")
    assert seeded.data["years"] == years
    assert seeded.data["days"]["2026"] == {"holidays": 33, "workdays": 6}


async def test_seeding_twice_adds_nothing_and_writes_no_second_event(session: AsyncSession):
    await seed_from_chinesecalendar(session, actor=ADMIN, at=AT)
    days_after_first = await session.scalar(select(func.count()).select_from(CalendarDay))

    assert await seed_from_chinesecalendar(session, actor=ADMIN, at=AT) == []
    assert await session.scalar(select(func.count()).select_from(CalendarDay)) == days_after_first
    assert len(await _audit(session, "calendar.seeded")) == 1


async def test_seed_leaves_a_year_an_administrator_loaded(session: AsyncSession):
    await load_year(
        session, actor=ADMIN, at=AT, year=2026, notice="国办发明电〔2025〕7号",
        holidays=[(D(2026, 1, 1), "元旦")], workdays=[],
    )  # fmt: skip
    years = await seed_from_chinesecalendar(session, actor=ADMIN, at=AT)

    assert 2026 not in years
    row, schedule = await get_year(session, 2026)
    assert row.notice == "国办发明电〔2025〕7号"
    assert schedule.holidays == ((D(2026, 1, 1), "元旦"),)


async def test_loading_2027_makes_its_working_days_computable(session: AsyncSession):
    await seed_from_chinesecalendar(session, actor=ADMIN, at=AT)
    # A test notice for 2027 (the real one is not published yet): New Year's Day off, Saturday 2 Jan worked.
    await load_year(
        session, actor=ADMIN, at=AT, year=2027, notice="测试通知",
        holidays=[(D(2027, 1, 1), "元旦")], workdays=[(D(2027, 1, 2), "元旦")],
    )  # fmt: skip
    await session.commit()

    calendar = await load_calendar(session, [2026, 2027])
    # 12/31 (1), 1/1 off, 1/2 make-up (2), 1/4 (3), 1/5 (4), 1/6 (5)
    assert calendar.add_working_days(D(2026, 12, 30), 5) == D(2027, 1, 6)
    [loaded] = await _audit(session, "calendar.year_loaded")
    assert loaded.subject_id == "2027"
    assert loaded.data["previous"] is None
    assert loaded.data["holidays"] == [["2027-01-01", "元旦"]]
    assert (await verify_chain(session)).intact


async def test_replacing_a_year_audits_the_old_and_new_lists(session: AsyncSession):
    first = [(D(2027, 1, 1), "元旦")]
    await load_year(session, actor=ADMIN, at=AT, year=2027, notice="初版", holidays=first, workdays=[])
    corrected = [(D(2027, 1, 1), "元旦"), (D(2027, 2, 5), "春节")]
    later = AT + dt.timedelta(days=1)
    row = await load_year(
        session, actor=Actor(id=None, name="admin2"), at=later, year=2027, notice="更正版",
        holidays=corrected, workdays=[(D(2027, 2, 7), "春节")],
    )  # fmt: skip
    await session.commit()

    assert (row.notice, row.loaded_by, row.loaded_at) == ("更正版", "admin2", later)
    _, schedule = await get_year(session, 2027)
    assert schedule.holidays == tuple(corrected)
    assert schedule.workdays == ((D(2027, 2, 7), "春节"),)
    events = await _audit(session, "calendar.year_loaded")
    assert len(events) == 2
    assert events[1].data["previous"]["notice"] == "初版"
    assert events[1].data["previous"]["holidays"] == [["2027-01-01", "元旦"]]
    assert events[1].data["holidays"] == [["2027-01-01", "元旦"], ["2027-02-05", "春节"]]
    assert (await verify_chain(session)).intact


@pytest.mark.parametrize(
    ("year", "holidays", "workdays", "code"),
    [
        (2027, [(D(2026, 12, 31), "元旦")], [], "calendar.date_outside_year"),
        (2027, [(D(2027, 1, 1), "元旦")], [(D(2027, 1, 1), "元旦")], "calendar.date_both_kinds"),
        (2027, [(D(2027, 1, 1), "元旦")], [(D(2027, 1, 4), "元旦")], "calendar.workday_not_weekend"),
        (2027, [(D(2027, 1, 1), "元旦"), (D(2027, 1, 1), "元旦")], [], "calendar.date_duplicated"),
        (2027, [(D(2027, 1, 1), "  ")], [], "calendar.name_required"),
        (2027, [(D(2027, 1, 1), "元旦"), (D(2027, 3, 8), "妇女节")], [], "calendar.name_unknown"),
        (2027, [], [], "calendar.holidays_empty"),
        (1999, [(D(1999, 1, 1), "元旦")], [], "calendar.year_invalid"),
    ],
)
async def test_load_year_refuses_an_inconsistent_notice(
    session: AsyncSession, year, holidays, workdays, code
):
    with pytest.raises(DomainError) as caught:
        await load_year(
            session, actor=ADMIN, at=AT, year=year, notice="测试通知", holidays=holidays, workdays=workdays
        )
    assert caught.value.code == code
    assert caught.value.status == 422
    assert caught.value.zh and caught.value.en
    assert await session.get(CalendarYear, year) is None
    assert await _audit(session, "calendar.year_loaded") == []


async def test_a_bad_line_is_named_and_nothing_of_the_notice_is_stored(session: AsyncSession):
    holidays = [(D(2027, 1, 1), "元旦"), (D(2027, 2, 6), "春节"), (D(2027, 3, 8), "植树节")]
    with pytest.raises(DomainError) as caught:
        await load_year(session, actor=ADMIN, at=AT, year=2027, notice="测试", holidays=holidays, workdays=[])
    assert caught.value.details == {"list": "holidays", "line": 3, "date": "2027-03-08", "name": "植树节"}
    assert "第3行" in caught.value.zh and "line 3" in caught.value.en
    assert await session.scalar(select(func.count()).select_from(CalendarDay)) == 0


async def test_get_year_of_an_unloaded_year_is_not_found(session: AsyncSession):
    with pytest.raises(CalendarYearMissing) as caught:
        await get_year(session, 2027)
    assert caught.value.status == 404
    assert caught.value.code == "calendar.year_missing"


async def test_load_calendar_estimates_the_years_it_was_not_given(session: AsyncSession):
    await seed_from_chinesecalendar(session, actor=ADMIN, at=AT)
    calendar = await load_calendar(session, [2026, FAR])
    assert calendar.years == {2026}
    assert calendar.is_provisional(D(FAR, 6, 3))
    assert not calendar.is_provisional(D(2026, 6, 3))


async def test_deleting_a_year_deletes_its_days(session: AsyncSession):
    await seed_from_chinesecalendar(session, actor=ADMIN, at=AT)
    await session.delete(await session.get(CalendarYear, 2026))
    await session.flush()
    count = await session.scalar(
        select(func.count()).select_from(CalendarDay).where(CalendarDay.year == 2026)
    )
    assert count == 0
