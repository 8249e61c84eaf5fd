"""The section status machine, as data: which action moves which status where, in which sector,
and the rule a refused transition would break.

Time-driven steps are not actions anyone takes: a section whose registration start has come is
open for registration, and one whose bid deadline has passed is closed, whoever looks and whether
or not a job ran (`effective_status`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from trading.sectors import Sector


class Status(StrEnum):
    draft = "draft"
    announced = "announced"
    registration_open = "registration_open"
    bidding_closed = "bidding_closed"
    opened = "opened"
    evaluated = "evaluated"
    candidates_published = "candidates_published"
    awarded = "awarded"
    contracted = "contracted"
    failed = "failed"
    cancelled = "cancelled"


TERMINAL = frozenset({Status.contracted, Status.failed, Status.cancelled})

STATUS_ZH = {
    Status.draft: "草稿",
    Status.announced: "已公告",
    Status.registration_open: "报名中",
    Status.bidding_closed: "投标已截止",
    Status.opened: "已开标",
    Status.evaluated: "已评标",
    Status.candidates_published: "候选人公示中",
    Status.awarded: "已定标",
    Status.contracted: "已签约",
    Status.failed: "流标",
    Status.cancelled: "已终止",
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[Status]
    target: Status
    sectors: frozenset[Sector]
    rule: str | None  # the rule a transition out of order would break
    zh: str
    # The key of the move's data that only the procedure making this move provides: a land or
    # property sale is awarded by its listing or auction, with its price; a tendering section by
    # the award decision on the committee's candidates (experts/awards); never by hand.
    requires: str | None = None


ALL_SECTORS = frozenset(Sector)
TENDERING = frozenset({Sector.construction, Sector.procurement})
TRANSFERS = frozenset({Sector.land, Sector.property})
_LIVE = frozenset(Status) - TERMINAL

TRANSITIONS: tuple[Transition, ...] = (
    Transition("announce", frozenset({Status.draft}), Status.announced, ALL_SECTORS, "C-02", "发布公告"),
    Transition("open_bids", frozenset({Status.bidding_closed}), Status.opened, ALL_SECTORS, "C-08", "开标"),
    # Only the committee's signed report evaluates a section (experts/evaluations); an objection
    # upheld during the publicity sends it back to the committee (C-14).
    Transition("evaluate", frozenset({Status.opened}), Status.evaluated, TENDERING, "C-13", "完成评标"),
    Transition(
        "return_to_committee",
        frozenset({Status.evaluated, Status.candidates_published}),
        Status.opened,
        TENDERING,
        "C-14",
        "退回评标委员会重新评审",
    ),
    Transition(
        "publish_candidates",
        frozenset({Status.evaluated}),
        Status.candidates_published,
        frozenset({Sector.construction}),
        "C-14",
        "公示中标候选人",
    ),
    # Construction awards only after the candidates' publicity (C-14); procurement announces the
    # result straight after evaluation (P-08); land and property after the auction or listing (L-03, R-03).
    Transition(
        "award",
        frozenset({Status.candidates_published}),
        Status.awarded,
        frozenset({Sector.construction}),
        "C-14",
        "确定中标人",
        requires="award",
    ),
    Transition(
        "award",
        frozenset({Status.evaluated}),
        Status.awarded,
        frozenset({Sector.procurement}),
        "P-08",
        "确定成交供应商",
        requires="award",
    ),
    Transition(
        "award",
        frozenset({Status.registration_open, Status.bidding_closed, Status.opened}),
        Status.awarded,
        TRANSFERS,
        "L-03",
        "确认竞得人/受让方",
        requires="sale_id",
    ),
    Transition("contract", frozenset({Status.awarded}), Status.contracted, ALL_SECTORS, "C-15", "签订合同"),
    Transition(
        "fail",
        frozenset(
            {
                Status.announced,
                Status.registration_open,
                Status.bidding_closed,
                Status.opened,
                Status.evaluated,
                Status.candidates_published,
            }
        ),
        Status.failed,
        ALL_SECTORS,
        "C-09",
        "流标",
    ),
    Transition("cancel", _LIVE, Status.cancelled, ALL_SECTORS, None, "终止"),
)

ACTIONS = frozenset(t.action for t in TRANSITIONS)


def find_transition(sector: str, status: Status, action: str) -> Transition | None:
    for transition in TRANSITIONS:
        if transition.action == action and sector in transition.sectors and status in transition.sources:
            return transition
    return None


def rule_for(sector: str, action: str) -> str | None:
    """The rule cited when `action` is refused in `sector` (for the error answer)."""
    for transition in TRANSITIONS:
        if transition.action == action and sector in transition.sectors:
            return transition.rule
    return None


def allowed_actions(sector: str, status: Status) -> list[str]:
    return sorted({t.action for t in TRANSITIONS if sector in t.sectors and status in t.sources})


def effective_status(
    status: Status,
    *,
    now: dt.datetime,
    registration_start: dt.datetime | None,
    bid_deadline: dt.datetime | None,
) -> Status:
    """The status as of `now`: announced → registration open once registration starts (or at
    once when no start is set), → bidding closed once the bid deadline has passed (C-08, E-03)."""
    if status == Status.announced and (registration_start is None or now >= registration_start):
        status = Status.registration_open
    if status == Status.registration_open and bid_deadline is not None and now >= bid_deadline:
        status = Status.bidding_closed
    return status
