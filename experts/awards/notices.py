"""The texts of the candidates' publicity and the result announcement, drafted from the signed
report as ordinary announcements the principal submits and the center publishes.

TLR art. 54 ¶1: "依法必须进行招标的项目，招标人应当自收到评标报告之日起3日内公示中标候选人，
公示期不得少于3日。"
GPR art. 43 ¶3: "中标、成交结果公告内容应当包括……中标或者成交供应商名称、地址和中标或者成交金额……
以及评审专家名单。"
The Puyang regulation (art. 18) asks the publicity to show each candidate's scores, the reasons
bids were rejected, and where to object.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from trading.money import format_yuan

STAMP = "%Y-%m-%d %H:%M"


def _local(instant: dt.datetime, zone: dt.tzinfo) -> str:
    return instant.astimezone(zone).strftime(STAMP)


def candidates_body(
    report: dict[str, Any],
    *,
    principal: str,
    signed_at: dt.datetime,
    publicity_end: dt.datetime,
    zone: dt.tzinfo,
) -> str:
    places = "一二三"
    lines = [
        f"项目标段：{report['section']['code']} {report['section']['name']}",
        f"评标报告：{_local(signed_at, zone)}",
    ]
    for n, row in enumerate(report["candidates"]):
        lines.append(
            f"第{places[n]}中标候选人：{row['bidder']}，投标报价{format_yuan(row['price_fen'])}元，"
            f"评审得分{row['total']}（专家评分{row['members']}，价格分{row['price_score']}）"
        )
    for rejected in report["rejected"]:
        reasons = "；".join(r["text"] for r in rejected["reasons"])
        lines.append(f"被否决的投标：{rejected['bidder']}，理由：{reasons}")
    lines.append(
        f"公示期至{_local(publicity_end, zone)}。投标人或者其他利害关系人对评标结果有异议的，"
        f"应当在公示期间向招标人{principal}提出（招标投标法实施条例第五十四条），可通过本平台在线提交。"
    )
    return "\n".join(lines)


def result_body(
    report: dict[str, Any],
    *,
    winner: str,
    price_fen: int,
    experts: list[str],
    decided_at: dt.datetime,
    zone: dt.tzinfo,
) -> str:
    lines = [
        f"项目标段：{report['section']['code']} {report['section']['name']}",
        f"中标（成交）单位：{winner}，中标（成交）金额：{format_yuan(price_fen)}元",
        f"定标时间：{_local(decided_at, zone)}",
    ]
    if experts:
        lines.append(f"评审专家：{'、'.join(experts)}")
    return "\n".join(lines)
