"""The evaluation methods, as pure functions: the price score, the final scores and their
documented aggregation, the tie-breaks, the flags for the supervisor, and the candidates.

TLR art. 49 ¶1: "评标委员会成员应当……按照招标文件规定的评标标准和方法，客观、公正地对投标文件提出评审意见。"
TLR art. 53 ¶1: "评标完成后，评标委员会应当向招标人提交书面评标报告和中标候选人名单。
中标候选人应当不超过3个，并标明排序。"

Aggregation (comprehensive scoring): a bid's score from the members is the arithmetic mean of
each member's total over the criteria; the price score is computed, not scored:
price_points × (lowest valid price ÷ the bid's price). Final = mean + price score, to 0.01 yuan-
style half-up rounding. Ties: the lower price ranks first; then the higher members' mean; then a
lot drawn by SHA-256(report seed, bidder) and recorded. Lowest evaluated price: valid bids rank by
price, the same lot breaking equal prices.
"""

from __future__ import annotations

import hashlib
import statistics
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from trading.errors import DomainError

CENT = Decimal("0.01")
METHODS = ("comprehensive", "lowest_price")
MAX_CANDIDATES = 3
# TLR art. 51: the grounds on which the committee must reject a bid; E-05: failed decryption.
GROUNDS = {
    "TLR-51-1": "投标文件未经投标单位盖章和单位负责人签字",
    "TLR-51-2": "投标联合体没有提交共同投标协议",
    "TLR-51-3": "投标人不符合国家或者招标文件规定的资格条件",
    "TLR-51-4": "同一投标人提交两个以上不同的投标文件或者投标报价",
    "TLR-51-5": "投标报价低于成本或者高于招标文件设定的最高投标限价",
    "TLR-51-6": "投标文件没有对招标文件的实质性要求和条件作出响应",
    "TLR-51-7": "投标人有串通投标、弄虚作假、行贿等违法行为",
    "E-05": "因投标人原因投标文件未能解密",
}


def q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def check_method(method: str, criteria: list[dict[str, Any]], price_points: int, candidates: int) -> None:
    """Comprehensive scoring: criteria with positive maxima and the price score add up to 100.
    C-13: 1 to 3 candidates."""
    problems = []
    if method not in METHODS:
        problems.append("method")
    if method == "comprehensive":
        total = sum(int(c["max_points"]) for c in criteria) + price_points
        codes = [c["code"] for c in criteria]
        if total != 100 or any(int(c["max_points"]) <= 0 for c in criteria) or len(set(codes)) != len(codes):
            problems.append("points")
    if not 1 <= candidates <= MAX_CANDIDATES:
        problems.append("candidates")
    if problems:
        raise DomainError(
            "evaluation.method_invalid",
            "评标办法设置有误：综合评分法各评审因素与价格分合计须为100分、因素代码不重复；中标候选人为1至3名",
            "the method is invalid: criteria and the price score add up to 100 with distinct codes; "
            "1 to 3 candidates",
            rule="C-13" if "candidates" in problems else None,
            status=422,
            details={"problems": problems},
        )


def check_sheet(criteria: list[dict[str, Any]], bidders: set[str], scores: dict[str, dict[str, Any]]) -> None:
    """Every valid bid, every criterion, each within 0 and its maximum points."""
    maxima = {c["code"]: Decimal(str(c["max_points"])) for c in criteria}
    wrong = []
    if set(scores) != bidders:
        wrong.append({"problem": "bidders", "expected": sorted(bidders)})
    for bidder, points in scores.items():
        if set(points) != set(maxima):
            wrong.append({"bidder": bidder, "problem": "criteria"})
            continue
        for code, value in points.items():
            try:
                number = Decimal(str(value))
            except ArithmeticError:
                number = Decimal(-1)
            if not (0 <= number <= maxima[code]) or number != number.quantize(Decimal("0.1")):
                wrong.append({"bidder": bidder, "criterion": code, "problem": "out_of_range"})
    if wrong:
        raise DomainError(
            "evaluation.sheet_invalid",
            "评分表须对每个有效投标的每个评审因素打分，且在0至该因素满分之间（最多一位小数）",
            "a sheet scores every valid bid on every criterion, between 0 and its maximum (one decimal)",
            status=422,
            details={"problems": wrong[:20]},
        )


def price_score(price_points: int, lowest: int, price: int) -> Decimal:
    return q(Decimal(price_points) * Decimal(lowest) / Decimal(price))


def member_total(points: dict[str, Any]) -> Decimal:
    return sum((Decimal(str(v)) for v in points.values()), Decimal(0))


def lot(seed: str, bidder: str) -> str:
    return hashlib.sha256(f"{seed}:{bidder}".encode()).hexdigest()


def rank(
    method: str,
    prices: dict[str, int],
    sheets: list[dict[str, dict[str, Any]]],
    price_points: int,
    seed: str,
) -> list[dict[str, Any]]:
    """The ranking of the valid bids (`prices`), first first, with how each tie was broken."""
    lowest = min(prices.values())
    rows = []
    for bidder, price in prices.items():
        members = (
            q(Decimal(statistics.fmean(float(member_total(s[bidder])) for s in sheets)))
            if sheets
            else Decimal(0)
        )
        priced = price_score(price_points, lowest, price) if method == "comprehensive" else Decimal(0)
        rows.append(
            {
                "organisation_id": bidder,
                "price_fen": price,
                "members": members,
                "price_score": priced,
                "total": q(members + priced),
                "lot": lot(seed, bidder),
            }
        )
    if method == "comprehensive":
        rows.sort(key=lambda r: (-r["total"], r["price_fen"], -r["members"], r["lot"]))
    else:
        rows.sort(key=lambda r: (r["price_fen"], r["lot"]))
    for place, row in enumerate(rows, start=1):
        row["rank"] = place
        row["tie_broken_by"] = _tie_break(method, row, rows)
    return [
        {**r, "members": str(r["members"]), "price_score": str(r["price_score"]), "total": str(r["total"])}
        for r in rows
    ]


def _tie_break(method: str, row: dict[str, Any], rows: list[dict[str, Any]]) -> str | None:
    key = (lambda r: r["total"]) if method == "comprehensive" else (lambda r: r["price_fen"])
    tied = [r for r in rows if key(r) == key(row) and r is not row]
    if not tied:
        return None
    if method == "comprehensive" and all(r["price_fen"] != row["price_fen"] for r in tied):
        return "lower_price"
    if method == "comprehensive" and all(
        r["members"] != row["members"] for r in tied if r["price_fen"] == row["price_fen"]
    ):
        return "members_score"
    return "lot"


def flags(
    sheets: dict[str, dict[str, dict[str, Any]]],
    durations: dict[str, float],
    *,
    full_marks: int,
    outlier_percent: int,
    fast_percent: int,
) -> list[dict[str, Any]]:
    """For the supervisor: a member's total for a bid further than `outlier_percent` of the full
    marks from the committee's mean; two members' identical sheets; a sheet finished in less than
    `fast_percent` of the median time of the others."""
    found: list[dict[str, Any]] = []
    members = sorted(sheets)
    bidders = sorted({b for s in sheets.values() for b in s})
    limit = Decimal(full_marks) * Decimal(outlier_percent) / 100
    for bidder in bidders:
        totals = {m: member_total(sheets[m][bidder]) for m in members}
        mean = sum(totals.values(), Decimal(0)) / len(totals)
        for member, total in totals.items():
            if abs(total - mean) > limit:
                found.append(
                    {
                        "kind": "outlier",
                        "member_id": member,
                        "organisation_id": bidder,
                        "total": str(total),
                        "mean": str(q(mean)),
                    }
                )
    for i, first in enumerate(members):
        for second in members[i + 1 :]:
            if sheets[first] == sheets[second]:
                found.append({"kind": "identical_sheets", "member_ids": [first, second]})
    for member, seconds in durations.items():
        others = [d for m, d in durations.items() if m != member]
        if others and seconds * 100 < statistics.median(others) * fast_percent:
            found.append(
                {
                    "kind": "too_fast",
                    "member_id": member,
                    "seconds": int(seconds),
                    "median_of_others": int(statistics.median(others)),
                }
            )
    return found
