"""The legal clocks of complaints (C-21, P-16) as pure functions over the working-day calendar.

Construction, TLR art. 60: "投标人或者其他利害关系人认为招标投标活动不符合法律、行政法规规定的，可以
自知道或者应当知道之日起10日内向有关行政监督部门投诉。……就本条例第二十二条、第四十四条、第五十四条规定
事项投诉的，应当先向招标人提出异议，异议答复期间不计算在前款规定的期限内。"
TLR art. 61: "行政监督部门应当自收到投诉之日起3个工作日内决定是否受理投诉，并自受理投诉之日起30个工作日
内作出书面处理决定". Procurement, GPL art. 55: "质疑供应商对采购人、采购代理机构的答复不满意或者采购人、
采购代理机构未在规定的时间内作出答复的，可以在答复期满后十五个工作日内向同级政府采购监督管理部门投诉。"
GPL art. 56: "政府采购监督管理部门应当在收到投诉后三十个工作日内，对投诉事项作出处理决定". GPL art. 57:
suspension of the procurement "最长不得超过三十日". The challenge is answered within 7 working days (P-13).
"""

from __future__ import annotations

import datetime as dt

from trading.calendar.periods import Unit, period
from trading.calendar.service import WorkingCalendar
from trading.errors import Conflict, DomainError

COMPLAINT_DAYS = 10  # C-21
OBJECTION_FIRST = frozenset({"documents", "opening", "evaluation_result"})  # TLR art. 22, 44, 54
CONSTRUCTION_MATTERS = OBJECTION_FIRST | {"other"}
CHALLENGE_ANSWER_WORKING_DAYS = 7  # P-13
COMPLAINT_WORKING_DAYS = 15  # P-16
ACCEPT_WORKING_DAYS = 3  # TLR art. 61 (the issue sets the same for procurement)
DECIDE_WORKING_DAYS = 30  # TLR art. 61, GPL art. 56
MAX_SUSPENSION_DAYS = 30  # GPL art. 57

# action → (statuses it may start from, the status it leads to)
MOVES: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({"filed"}), "accepted"),
    "refuse": (frozenset({"filed"}), "refused"),
    "decide": (frozenset({"accepted"}), "decided"),
}


def move(status: str, action: str) -> str:
    sources, target = MOVES[action]
    if status not in sources:
        raise Conflict(
            "complaint.move_refused",
            f"投诉当前状态为{status}，不能执行{action}",
            f"a complaint that is {status} cannot be moved by '{action}'",
            details={"status": status, "action": action},
        )
    return target


def _invalid(code: str, zh: str, en: str, rule: str, **details: str) -> DomainError:
    return DomainError(code, zh, en, rule=rule, status=422, details=details)


def construction_deadline(
    calendar: WorkingCalendar,
    *,
    matter: str,
    knew_on: dt.date,
    objection_filed_on: dt.date | None,
    objection_answered_on: dt.date | None,
) -> dt.date:
    """C-21: 10 days from knowing; the objection's answer time (objection first for the matters of
    TLR art. 22, 44 and 54) is not counted."""
    if matter not in CONSTRUCTION_MATTERS:
        raise _invalid(
            "complaint.matter_invalid",
            "投诉事项不属于工程建设",
            "not a construction complaint matter",
            "C-21",
        )
    paused = 0
    if matter in OBJECTION_FIRST:
        if objection_filed_on is None or objection_answered_on is None:
            raise _invalid(
                "complaint.objection_first",
                "就招标文件、开标、中标候选人公示事项投诉，应当先向招标人提出异议并取得答复",
                "complaints about the documents, the opening or the candidates need an objection first",
                "C-21",
            )
        if objection_answered_on < objection_filed_on or objection_filed_on < knew_on:
            raise _invalid(
                "complaint.dates_invalid",
                "异议日期前后矛盾",
                "the objection's dates contradict each other",
                "C-21",
            )
        paused = (objection_answered_on - objection_filed_on).days
    # D-01, D-02: from the day after knowing, past a holiday that ends it.
    return period(calendar, knew_on, COMPLAINT_DAYS + paused, Unit.days).last_day


def procurement_deadline(
    calendar: WorkingCalendar, *, challenge_filed_on: dt.date | None
) -> tuple[dt.date, dt.date]:
    """P-16: within 15 working days after the challenge's answer period (7 working days, P-13)
    ends. Returns (end of the answer period, last day to complain)."""
    if challenge_filed_on is None:
        raise _invalid(
            "complaint.challenge_first",
            "政府采购投诉应当先向采购人、采购代理机构提出质疑",
            "a procurement complaint needs a challenge to the purchaser or agency first",
            "P-16",
        )
    answer_end = calendar.add_working_days(challenge_filed_on, CHALLENGE_ANSWER_WORKING_DAYS)
    return answer_end, calendar.add_working_days(answer_end, COMPLAINT_WORKING_DAYS)


def check_in_time(filed_on: dt.date, last_day: dt.date, rule: str) -> None:
    if filed_on > last_day:
        raise _invalid(
            "complaint.too_late",
            f"投诉期限已于{last_day}届满",
            f"the time to complain ended on {last_day}",
            rule,
            last_day=last_day.isoformat(),
        )


def check_not_early(filed_on: dt.date, answer_end: dt.date, answered_on: dt.date | None) -> None:
    """GPL art. 55: one complains of the answer, or of its absence once the answer period is over."""
    if answered_on is None and filed_on <= answer_end:
        raise _invalid(
            "complaint.challenge_pending",
            f"质疑答复期至{answer_end}，答复或期满后方可投诉",
            f"the challenge may be answered until {answer_end}; complain after the answer or that day",
            "P-16",
            answer_end=answer_end.isoformat(),
        )
