"""What the calendar API reads and writes."""

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class CalendarDayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: dt.date = Field(description="The day, YYYY-MM-DD.")
    name: str = Field(min_length=1, max_length=60, description="The holiday's name, e.g. 春节.")


class CalendarYearIn(BaseModel):
    """One year of the State Council's holiday notice, as an administrator loads it."""

    model_config = ConfigDict(extra="forbid")

    notice: str = Field(min_length=1, max_length=200, description="The notice's number or title.")
    holidays: list[CalendarDayIn] = Field(
        max_length=366, description="Days off, weekends inside periods included."
    )
    workdays: list[CalendarDayIn] = Field(
        default_factory=list, max_length=366, description="Make-up working days (调休上班), all on weekends."
    )


class CalendarDayOut(BaseModel):
    date: dt.date
    name: str


class CalendarYearSummary(BaseModel):
    year: int
    source: str
    notice: str
    loaded_at: dt.datetime


class CalendarYearOut(BaseModel):
    year: int
    provisional: bool = Field(
        description="True: the year's notice is not loaded and these days are the conservative "
        "estimate (D-03): statutory holidays with their customary bridge days, no make-up working days."
    )
    source: str
    notice: str | None
    loaded_at: dt.datetime | None
    holidays: list[CalendarDayOut]
    workdays: list[CalendarDayOut]


class SectionAffectedOut(BaseModel):
    section_id: str
    section_code: str
    sector: str
    reason: str = Field(description="period_short | deadline_on_holiday")
    zh: str
    en: str


class CalendarLoadOut(CalendarYearOut):
    affected_sections: list[SectionAffectedOut] = Field(
        description="Open sections whose period now falls short or whose deadline lands on a holiday; "
        "each got a yellow warning for staff and the sector's supervisors."
    )


class WorkingDayOut(BaseModel):
    start: dt.date
    days: int
    date: dt.date = Field(description="The days-th working day after start (start not counted).")
    provisional: bool = Field(description="Counted over a year whose notice is not loaded (D-03).")


class PeriodOut(BaseModel):
    start: dt.date = Field(description="The event's day; not counted (Civil Code art. 201).")
    length: int
    unit: str = Field(description="days | working_days")
    last_day: dt.date = Field(description="The period's last day, moved past a holiday that ends it (D-02).")
    ends_at: dt.datetime = Field(description="24:00 of the last day on the center's clock, ISO 8601.")
    ends_at_local: str = Field(description="The same as people read it, e.g. 2026-12-22 24:00 北京时间.")
    provisional: bool


class CalendarWarningOut(BaseModel):
    id: str
    year: int
    section_id: str
    section_code: str
    sector: str
    level: str = "yellow"
    reason: str
    zh: str
    en: str
    raised_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledged_by: str | None
    note: str | None


class AcknowledgeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=500, description="What was done about it.")


class CalendarStatusOut(BaseModel):
    today: dt.date
    loaded_years: list[int]
    reminders: list[dict[str, object]] = Field(
        description="From 1 November: next year's notice is not loaded (code calendar.next_year_missing)."
    )


class CalendarYearFile(CalendarYearIn):
    """A year's notice as a JSON file for `trading calendar load` (the year travels in the file)."""

    year: int = Field(ge=2000, le=2100)
