"""One year's special days, as a notice (or the provisional estimate) lists them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class YearSchedule:
    """One year's special days, each list sorted by date."""

    holidays: tuple[tuple[dt.date, str], ...]
    workdays: tuple[tuple[dt.date, str], ...]
