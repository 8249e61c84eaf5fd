"""After the report: objections and challenges, the award, the notice, the contract.

TLR art. 54 ¶2: "投标人或者其他利害关系人对依法必须进行招标的项目的评标结果有异议的，
应当在中标候选人公示期间提出。招标人应当自收到异议之日起3日内作出答复；作出答复前，应当暂停招标投标活动。"
TLR art. 55: "国有资金占控股或者主导地位的依法必须进行招标的项目，招标人应当确定排名第一的中标候选人为中标人。
排名第一的中标候选人放弃中标、因不可抗力不能履行合同、不按照招标文件要求提交履约保证金，或者被查实存在影响中标结果的违法行为等情形，
不符合中标条件的，招标人可以按照评标委员会提出的中标候选人名单排序依次确定其他中标候选人为中标人，也可以重新招标。"
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trading.errors import Conflict, DomainError

OBJECTION_ANSWER_DAYS = 3  # C-14
CHALLENGE_WORKING_DAYS = 7  # P-13: to challenge, and to answer
CONTRACT_DAYS = 30  # C-15, P-09
REPORT_DAYS = 15  # C-19
PUBLICATION_WORKING_DAYS = 2  # P-15
NOTICE_WORKING_DAYS = 2  # P-14: the award notice after the purchaser's decision
# TLR art. 55: why a higher-ranked candidate may be passed over.
DROP_OUTS = ("gave_up", "force_majeure", "no_performance_bond", "unlawful")


def check_pass_over(
    state_controlled: bool, winner_rank: int, passed_over: list[dict[str, Any]], ranked: list[str]
) -> None:
    """C-20: with state funds in control, every candidate ranked above the winner must have dropped
    out for a reason of TLR art. 55."""
    if not state_controlled or winner_rank == 1:
        return
    explained = {p["organisation_id"] for p in passed_over if p.get("reason") in DROP_OUTS}
    missing = [o for o in ranked[: winner_rank - 1] if o not in explained]
    if missing:
        raise Conflict(
            "award.first_ranked_required",
            "国有资金占控股或者主导地位的项目应当确定排名第一的中标候选人为中标人，除非其放弃中标等法定情形",
            "where state funds hold control the first-ranked candidate wins unless it drops out for a "
            "reason the law names",
            rule="C-20",
            details={"unexplained": missing, "reasons": list(DROP_OUTS)},
        )


def check_objection_window(*, now: dt.datetime, publicity_end: dt.datetime | None) -> None:
    """C-14: an objection to the result is raised during the candidates' publicity."""
    if publicity_end is None or now >= publicity_end:
        raise Conflict(
            "objection.outside_publicity",
            "对评标结果的异议应当在中标候选人公示期间提出",
            "an objection to the result is raised during the candidates' publicity",
            rule="C-14",
            details={"publicity_end": publicity_end.isoformat() if publicity_end else None},
        )


def check_challenge_window(*, today: dt.date, last_day: dt.date) -> None:
    """P-13: a challenge within 7 working days of knowing (of the result)."""
    if today > last_day:
        raise Conflict(
            "objection.challenge_late",
            f"质疑应当在知道或者应当知道其权益受到损害之日起7个工作日内提出（至{last_day.isoformat()}）",
            f"a challenge is raised within 7 working days of knowing (until {last_day.isoformat()})",
            rule="P-13",
            details={"last_day": last_day.isoformat()},
        )


def check_answer(answer: str | None) -> str:
    if not (answer and answer.strip()):
        raise DomainError(
            "objection.answer_required", "答复须写明理由", "an answer states its reasons", status=422
        )
    return answer.strip()
