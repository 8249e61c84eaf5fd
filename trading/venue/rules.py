"""The venue's rules: which booking a section may have, and the session's status machine as data."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from trading.errors import Conflict, DomainError
from trading.projects.models import Section


class Purpose(StrEnum):
    opening = "opening"  # 开标
    evaluation = "evaluation"  # 评标


# Which room kind serves which purpose.
ROOM_FOR = {Purpose.opening: "opening", Purpose.evaluation: "evaluation"}

# action → (statuses it may start from, the status it leads to, the timeline event it writes)
SESSION_MOVES: dict[str, tuple[frozenset[str], str, str]] = {
    "pause": (frozenset({"running"}), "paused", "paused"),
    "resume": (frozenset({"paused"}), "running", "resumed"),
    "close": (frozenset({"running", "paused"}), "closed", "closed"),
}
# What may be written to a session's timeline in each status.
TIMELINE_OPEN = frozenset({"running", "paused"})

ATTENDEE_ROLES = frozenset({"staff", "supervisor", "expert", "bidder_representative", "principal", "agency"})


def check_within_section_dates(
    section: Section, purpose: Purpose, starts_at: dt.datetime, ends_at: dt.datetime
) -> None:
    """An opening is held at the bid deadline (C-08, E-04): its booking must cover that instant.
    An evaluation follows the opening: it may not start before the bid deadline."""
    if ends_at <= starts_at:
        raise DomainError(
            "booking.times_invalid",
            "预约结束时间须晚于开始时间",
            "a booking must end after it starts",
            status=422,
        )
    deadline = section.bid_deadline
    if deadline is None:
        raise Conflict(
            "booking.section_undated",
            "标段尚未确定投标截止时间，不能预约场地",
            "the section has no bid deadline yet; no room can be booked for it",
        )
    if purpose == Purpose.opening and not starts_at <= deadline < ends_at:
        raise Conflict(
            "booking.outside_section_dates",
            "开标应在投标截止时间的同一时间公开进行，预约须覆盖投标截止时间",
            "an opening takes place at the bid deadline: the booking must cover that time",
            rule="C-08",
            details={"bid_deadline": deadline.isoformat()},
        )
    if purpose == Purpose.evaluation and starts_at < deadline:
        raise Conflict(
            "booking.outside_section_dates",
            "评标须在开标之后进行，预约不得早于投标截止时间",
            "an evaluation follows the opening: the booking may not start before the bid deadline",
            rule="C-08",
            details={"bid_deadline": deadline.isoformat()},
        )


def next_status(current: str, action: str) -> tuple[str, str]:
    """The session's next status and timeline event for `action`, or a refusal."""
    move = SESSION_MOVES.get(action)
    if move is None or current not in move[0]:
        raise Conflict(
            "session.move_refused",
            f"会议当前状态为{current}，不能执行{action}",
            f"a {current} session cannot be moved by '{action}'",
            details={"status": current, "action": action},
        )
    return move[1], move[2]
