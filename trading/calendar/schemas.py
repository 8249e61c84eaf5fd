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


class CalendarYearOut(CalendarYearSummary):
    holidays: list[CalendarDayOut]
    workdays: list[CalendarDayOut]


class WorkingDayOut(BaseModel):
    start: dt.date
    days: int
    date: dt.date = Field(description="The days-th working day after start (start not counted).")


class CalendarYearFile(CalendarYearIn):
    """A year's notice as a JSON file for `trading calendar load` (the year travels in the file)."""

    year: int = Field(ge=2000, le=2100)
