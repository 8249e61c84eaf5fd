"""How every period is counted: the Civil Code's rules (D-01, D-02), in one place.

民法典 第二百零一条：按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算。
按照小时计算期间的，自法律规定或者当事人约定的时间开始计算。
第二百零三条：期间的最后一日是法定休假日的，以法定休假日结束的次日为期间的最后一日。
期间的最后一日的截止时间为二十四时；有业务时间的，停止业务活动的时间为截止时间。

So a period of N days (or N working days) that starts with an event:
- does not count the event's own day; its first day is the next one (D-01);
- ends at 24:00 of its last day (D-01);
- when its last day is an official holiday, ends on the day after the holiday instead (D-02).
  A working-day period always ends on a working day, so this only moves calendar-day periods.
  "Official holiday" is a day the State Council's notice lists as a holiday (RULES.md D-02 and its
  example of a sale from a Monday ending on a Saturday): a plain weekend does not move a period.

The same `Period` serves a minimum ("at least 20 days from documents issued to the deadline":
the deadline's date must not be before `last_day`) and a time limit ("refund within 5 working
days": due by `ends_at`). A period reaching into a year whose notice is not loaded is computed on
the provisional calendar (D-03) and says so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from trading.calendar.service import WorkingCalendar

ONE_DAY = dt.timedelta(days=1)


class Unit(StrEnum):
    days = "days"
    working_days = "working_days"


@dataclass(frozen=True)
class Period:
    """A period of `length` `unit`s after the event on `event_day`."""

    event_day: dt.date
    length: int
    unit: Unit
    last_day: dt.date
    provisional: bool

    def ends_at(self, zone: ZoneInfo) -> dt.datetime:
        """24:00 of the last day on the center's wall clock (the next day's 00:00), in UTC."""
        midnight = dt.datetime.combine(self.last_day + ONE_DAY, dt.time(), tzinfo=zone)
        return midnight.astimezone(dt.UTC)

    def counted(self, calendar: WorkingCalendar, day: dt.date) -> int:
        """How many units of this period's kind lie after the event up to `day` (the figure a
        refusal quotes: "this section gives 19 days")."""
        if self.unit is Unit.days:
            return max((day - self.event_day).days, 0)
        return calendar.working_days_after(self.event_day, day)


def period(calendar: WorkingCalendar, event_day: dt.date, length: int, unit: Unit | str) -> Period:
    """The period of `length` days or working days that an event on `event_day` starts."""
    unit = Unit(unit)
    if length < 0:
        raise ValueError(f"a period cannot be negative: {length}")
    if unit is Unit.working_days:
        last = calendar.add_working_days(event_day, length)
    else:
        last = event_day + ONE_DAY * length
        # D-02: a last day on a holiday moves to the day after the holiday ends.
        while length and calendar.is_holiday(last):
            last += ONE_DAY
    return Period(event_day, length, unit, last, calendar.is_provisional(event_day, last))
