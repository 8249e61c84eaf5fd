"""The e-oversight rules as data: which timed step starts on which audit event, how long it may
take, which rule sets the time, and when it is done. One engine reads this table; adding a step
is adding a row, not an `if`.

Periods are counted as the Civil Code counts them (D-01, D-02): the day of the event is not
counted; a period in days that ends on an official holiday runs to the day after the holiday. A
period in working days uses the working-day calendar. Where a year's holiday notice is not loaded
the year is estimated (D-03) and the basis says `_provisional` (trading/calendar/periods.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from trading.calendar.periods import Unit, period
from trading.calendar.service import WorkingCalendar
from trading.errors import Conflict
from trading.sectors import Sector

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Term:
    days: int
    working_days: bool = False


@dataclass(frozen=True)
class StepRule:
    step: str
    rule: str
    sectors: frozenset[str]
    starts: str  # the audit action that starts the clock
    done: frozenset[str]  # audit actions that complete the step ("" : completed by a person, see steps)
    term: Term
    party: str  # who must act: tenderee (the agency, else the principal) | center
    zh: str
    en: str


CONSTRUCTION = frozenset({Sector.construction.value})
PROCUREMENT = frozenset({Sector.procurement.value})

STEP_RULES: tuple[StepRule, ...] = (
    StepRule(
        "candidates_publication",
        "C-14",
        CONSTRUCTION,
        "section.evaluated",
        frozenset({"section.candidates_published"}),
        Term(3),
        "tenderee",
        "收到评标报告之日起3日内公示中标候选人",
        "candidates published within 3 days of the evaluation report",
    ),
    StepRule(
        "award_decision",
        "P-14",
        PROCUREMENT,
        "section.evaluated",
        frozenset({"section.awarded"}),
        Term(7, working_days=True),
        "tenderee",
        "评标结束后2个工作日内送交评标报告，采购人5个工作日内确定成交供应商",
        "report within 2 working days of the evaluation, supplier decided within 5 more",
    ),
    StepRule(
        "contract",
        "C-15",
        CONSTRUCTION,
        "section.awarded",
        frozenset({"section.contracted"}),
        Term(30),
        "tenderee",
        "自中标通知书发出之日起30日内订立书面合同",
        "contract signed within 30 days of the award notice",
    ),
    StepRule(
        "contract",
        "P-09",
        PROCUREMENT,
        "section.awarded",
        frozenset({"section.contracted"}),
        Term(30),
        "tenderee",
        "自中标、成交通知书发出之日起30日内签订采购合同",
        "contract signed within 30 days of the award notice",
    ),
    StepRule(
        "oversight_report",
        "C-19",
        CONSTRUCTION,
        "section.awarded",
        frozenset(),
        Term(15),
        "tenderee",
        "自确定中标人之日起15日内向行政监督部门提交招标投标情况的书面报告",
        "report on the tendering to the oversight department within 15 days of deciding the winner",
    ),
)

# A failed or cancelled section owes no more steps: its open steps are void.
VOIDING = frozenset({"section.failed", "section.cancelled"})
WATCHED = frozenset({r.starts for r in STEP_RULES} | {a for r in STEP_RULES for a in r.done} | VOIDING)

STEP_ZH = {
    "candidates_publication": "公示中标候选人",
    "award_decision": "确定成交供应商",
    "contract": "签订合同",
    "oversight_report": "提交招标投标情况书面报告",
    "refund": "退还保证金",
    "letter_answer": "督办函回复",
    "complaint_acceptance": "投诉受理审查",
    "complaint_decision": "投诉处理决定",
    "objection_answer": "答复异议",
    "challenge_answer": "答复质疑",
}


def rules_starting(action: str, sector: str) -> list[StepRule]:
    return [r for r in STEP_RULES if r.starts == action and sector in r.sectors]


def rules_done_by(action: str, sector: str) -> list[StepRule]:
    return [r for r in STEP_RULES if action in r.done and sector in r.sectors]


def due_date(calendar: WorkingCalendar, start: dt.date, term: Term) -> tuple[dt.date, str]:
    """The last day of a period starting on `start` (not counted, D-01; moved past a holiday,
    D-02), and how it was counted: `days` or `working_days`, `_provisional` over a year whose
    holiday notice is not loaded (D-03)."""
    unit = Unit.working_days if term.working_days else Unit.days
    found = period(calendar, start, term.days, unit)
    return found.last_day, unit.value + ("_provisional" if found.provisional else "")


def level_on(due_on: dt.date, done_on: dt.date | None, today: dt.date) -> str | None:
    """Yellow on the last day, red after it; a step done late stays red, as a record."""
    if done_on is not None:
        return "red" if done_on > due_on else None
    if today == due_on:
        return "yellow"
    if today > due_on:
        return "red"
    return None


# Supervision letters (督办函): action → (statuses it may start from, the status it leads to).
LETTER_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "answer": (frozenset({"issued", "sent_back"}), "answered"),
    "accept": (frozenset({"answered"}), "accepted"),
    "send_back": (frozenset({"answered"}), "sent_back"),
}
LETTER_OPEN = frozenset({"issued", "sent_back", "answered"})


def letter_move(status: str, action: str) -> str:
    sources, target = LETTER_MOVES[action]
    if status not in sources:
        raise Conflict(
            "letter.move_refused",
            f"督办函当前状态为{status}，不能执行{action}",
            f"a letter that is {status} cannot be moved by '{action}'",
            details={"status": status, "action": action},
        )
    return target
