"""A provisional calendar for a year whose State Council holiday notice is not loaded (D-03).

The notice for year Y usually appears in the autumn or winter of Y-1, yet a tender published in
December routinely has a January deadline. A center cannot stop trading for want of the notice,
so such a year is estimated from the statutory holidays (全国年节及纪念日放假办法) on their
computed dates, taken from the `holidays` package (which computes the lunar festivals), and made
conservative on purpose:

- the customary bridge days of the three long blocks count as holidays too: the Spring Festival
  from New Year's Eve (除夕) to the seventh day of the first month (初七), Labour Day from 1 to
  5 May, National Day from 1 to 7 October (to 8 October when the Mid-Autumn Festival falls next
  to it);
- a one-day festival on a Tuesday or a Thursday takes the Monday or Friday beside it as well, as
  the notices have done (端午 2023: 22-24 June);
- a weekend next to a holiday joins its block (the notices list such days as holidays, and a
  period ending on one runs on past the block, D-02);
- no make-up working days (调休) are assumed, since only the notice can name them.

More days off can only make a minimum period (a bid period, a listing period) longer, never
shorter, so a deadline fixed on the provisional calendar still holds once the notice is loaded.
Every date computed on it is marked provisional and is recomputed when the notice arrives.
"""

from __future__ import annotations

import datetime as dt
import functools

import holidays

from trading.calendar.schedule import YearSchedule

ONE_DAY = dt.timedelta(days=1)
BRIDGE_SUFFIX = "（惯例连休，暂定）"
SPRING_FESTIVAL_BLOCK_DAYS = 8  # 除夕 to 初七
LABOUR_DAY_BLOCK = ((5, 1), (5, 5))
NATIONAL_DAY_BLOCK = ((10, 1), (10, 7))
# The Mid-Autumn Festival within this window joins the National Day block, which then runs to 8 October.
MID_AUTUMN_JOINS_FROM, MID_AUTUMN_JOINS_TO = (9, 29), (10, 8)


# A one-day festival on a Tuesday bridges back to Monday, on a Thursday forward to Friday.
BRIDGED_WEEKDAYS = {1: -1, 3: 1}
ONE_DAY_FESTIVALS = frozenset({"元旦", "清明节", "端午节", "中秋节"})


def _name(raw: str) -> str:
    """The package's zh_CN names, without its "（补假）" marks (which are its own guesses)."""
    return raw.replace("（补假）", "").split(";")[0].strip()


def _block(first: dt.date, last: dt.date, name: str) -> dict[dt.date, str]:
    days, day = {}, first
    while day <= last:
        days[day] = name + BRIDGE_SUFFIX
        day += ONE_DAY
    return days


def _join_weekends(days: dict[dt.date, str], year: int) -> None:
    """Saturdays and Sundays next to a holiday become part of its block, the next New Year's Day
    included (a weekend that ends December leads into it)."""
    next_new_year = {dt.date(year + 1, 1, 1): "元旦"}
    for day, name in sorted({**days, **next_new_year}.items()):
        for step in (ONE_DAY, -ONE_DAY):
            other = day + step
            while other.year == year and other.weekday() >= 5 and other not in days:
                days[other] = name.removesuffix(BRIDGE_SUFFIX) + BRIDGE_SUFFIX
                other += step


@functools.cache
def provisional_schedule(year: int) -> YearSchedule:
    """The estimated special days of `year`: holidays only, never make-up working days."""
    computed = holidays.China(years=year, language="zh_CN")
    days: dict[dt.date, str] = {}
    spring_eve = None
    mid_autumn = None
    for day, raw in computed.items():
        if day.year != year:
            continue
        days[day] = _name(raw)
        if "除夕" in raw and spring_eve is None:
            spring_eve = day
        if "中秋" in raw:
            mid_autumn = day
    bridges: dict[dt.date, str] = {}
    for day, name in list(days.items()):
        if day.weekday() in BRIDGED_WEEKDAYS and name in ONE_DAY_FESTIVALS:
            bridges[day + ONE_DAY * BRIDGED_WEEKDAYS[day.weekday()]] = name
    if spring_eve is not None:
        bridges |= _block(spring_eve, spring_eve + ONE_DAY * (SPRING_FESTIVAL_BLOCK_DAYS - 1), "春节")
    (m1, d1), (m2, d2) = LABOUR_DAY_BLOCK
    bridges |= _block(dt.date(year, m1, d1), dt.date(year, m2, d2), "劳动节")
    (m1, d1), (m2, d2) = NATIONAL_DAY_BLOCK
    national_last = dt.date(year, m2, d2)
    if mid_autumn is not None and (
        dt.date(year, *MID_AUTUMN_JOINS_FROM) <= mid_autumn <= dt.date(year, *MID_AUTUMN_JOINS_TO)
    ):
        national_last = dt.date(year, 10, 8)
    bridges |= _block(dt.date(year, m1, d1), national_last, "国庆节")
    for day, name in bridges.items():
        # A block is cut at the year's end: the next year estimates its own days.
        if day.year == year:
            days.setdefault(day, name)
    _join_weekends(days, year)
    return YearSchedule(holidays=tuple(sorted(days.items())), workdays=())


def provisional_source() -> str:
    return f"holidays {holidays.__version__}（暂定，未导入国务院通知）"
