"""Time is injected: domain code asks a Clock, never `datetime.now()`.

Times are stored in UTC; dates that the law counts (days, working days) are dates in the
center's time zone (Asia/Shanghai by default), because a deadline "on the 20th day" means
the 20th day on the wall calendar of the people who must meet it.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

UTC = dt.UTC


@runtime_checkable
class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC)


class OffsetClock:
    """The system clock moved to start at `start`, then running on in real time (TRADING_CLOCK_AT)."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("OffsetClock needs a timezone-aware start")
        self._offset = start.astimezone(UTC) - dt.datetime.now(UTC)

    def now(self) -> dt.datetime:
        return dt.datetime.now(UTC) + self._offset


class ManualClock:
    """A clock that only moves when told to: tests and demos move time instead of sleeping."""

    def __init__(self, start: dt.datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def advance(self, delta: dt.timedelta) -> dt.datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, instant: dt.datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("ManualClock.set needs a timezone-aware instant")
        with self._lock:
            self._now = instant.astimezone(UTC)


# The center's zone where no setting reaches (messages built deep in a rule); the same default as
# `Settings.time_zone`.
DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")


def local_time(instant: dt.datetime, zone: ZoneInfo = DEFAULT_ZONE) -> str:
    """An instant as people at the center read it: `2026-12-23 09:30`, on its wall clock."""
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def local_date(instant: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The calendar date of an instant in the center's time zone."""
    return instant.astimezone(zone).date()


def ensure_utc(instant: dt.datetime) -> dt.datetime:
    """Refuse naive datetimes instead of guessing their zone."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: a time zone is required")
    return instant.astimezone(UTC)
