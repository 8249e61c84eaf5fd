"""The rules of a listing and its auction, as data and pure functions (no database, no clock:
times come from the caller).

Status machine (`TRANSITIONS`): listing → auction → sold | failed; listing → sold | failed;
sold → signed | refused. The end of the listing period and of the auction are not actions anyone
takes: `phase_of` derives them from the clock, and the service stores them exactly once
(`service.settle`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from trading.errors import Conflict, DomainError
from trading.money import format_yuan
from trading.rules.checks import RuleViolation
from trading.sectors import Sector


class SaleMethod(StrEnum):
    auction = "auction"  # 挂牌报价，两个以上竞买人时网络竞价
    sealed_quote = "sealed_quote"  # 一次性报价: one sealed quote per transferee (property, R-03)


class ListingStatus(StrEnum):
    listing = "listing"  # 挂牌中
    auction = "auction"  # 竞价中
    sold = "sold"  # 已成交，待签成交确认书
    failed = "failed"  # 未成交（流拍）
    signed = "signed"  # 已签成交确认书
    refused = "refused"  # 竞得人拒签，保证金不予退还


STATUS_ZH = {
    ListingStatus.listing: "挂牌中",
    ListingStatus.auction: "竞价中",
    ListingStatus.sold: "已成交",
    ListingStatus.failed: "未成交",
    ListingStatus.signed: "已签订成交确认书",
    ListingStatus.refused: "竞得人拒签",
}


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[ListingStatus]
    target: ListingStatus
    rule: str | None


TRANSITIONS: tuple[Transition, ...] = (
    Transition("go_to_auction", frozenset({ListingStatus.listing}), ListingStatus.auction, "L-03"),
    Transition("sell", frozenset({ListingStatus.listing, ListingStatus.auction}), ListingStatus.sold, "L-03"),
    Transition(
        "fail", frozenset({ListingStatus.listing, ListingStatus.auction}), ListingStatus.failed, "L-03"
    ),
    Transition("sign", frozenset({ListingStatus.sold}), ListingStatus.signed, "L-05"),
    Transition("refuse", frozenset({ListingStatus.sold}), ListingStatus.refused, "L-05"),
)


def move(status: str, action: str) -> ListingStatus:
    current = ListingStatus(status)
    for transition in TRANSITIONS:
        if transition.action == action and current in transition.sources:
            return transition.target
    raise Conflict(
        "auction.transition_refused",
        f"挂牌当前状态为“{STATUS_ZH[current]}”，不能执行“{action}”",
        f"a listing that is {current} cannot be moved by '{action}'",
        details={"status": current, "action": action},
    )


# --- phases derived from the clock ------------------------------------------------------------


class Phase(StrEnum):
    before = "before"  # the listing period has not started
    listing = "listing"  # offers taken
    listing_ended = "listing_ended"  # the clock ended it; the result is not stored yet
    waiting = "waiting"  # between the listing's end and the auction's start
    auction = "auction"  # bids taken
    auction_ended = "auction_ended"  # the clock ended it; the result is not stored yet
    closed = "closed"  # the result is stored


def phase_of(
    status: str,
    now: dt.datetime,
    *,
    listing_start: dt.datetime,
    listing_end: dt.datetime,
    auction_start: dt.datetime | None,
    auction_end: dt.datetime | None,
) -> Phase:
    if status == ListingStatus.listing:
        if now < listing_start:
            return Phase.before
        return Phase.listing if now < listing_end else Phase.listing_ended
    if status == ListingStatus.auction:
        assert auction_start is not None and auction_end is not None
        if now < auction_start:
            return Phase.waiting
        return Phase.auction if now < auction_end else Phase.auction_ended
    return Phase.closed


# --- offers and bids --------------------------------------------------------------------------


def minimum_bid(starting_fen: int, increment_fen: int, current_fen: int | None) -> int:
    """The lowest acceptable offer or bid: the starting price while nobody has offered (起始价),
    then the current highest plus one increment (加价幅度)."""
    return starting_fen if current_fen is None else current_fen + increment_fen


def check_bid(price_fen: int, *, starting_fen: int, increment_fen: int, current_fen: int | None) -> None:
    """The listing's own terms (MLR 39 art. 19 leaves the increment to the announcement): an offer
    at least the starting price, then at least one increment above the current highest. Code
    `auction.bid_too_low`."""
    least = minimum_bid(starting_fen, increment_fen, current_fen)
    if price_fen >= least:
        return
    raise Conflict(
        "auction.bid_too_low",
        f"报价{format_yuan(price_fen)}元低于当前最低有效报价{format_yuan(least)}元"
        f"（当前价加一个加价幅度{format_yuan(increment_fen)}元）",
        f"the bid of {format_yuan(price_fen)} yuan is below the lowest acceptable "
        f"{format_yuan(least)} yuan (the current price plus one increment of {format_yuan(increment_fen)})",
        details={"minimum": format_yuan(least), "increment": format_yuan(increment_fen)},
    )


def extended_end(auction_end: dt.datetime, bid_at: dt.datetime, extension: dt.timedelta) -> dt.datetime:
    """延时竞价: a bid in the last `extension` of the auction restarts the countdown, so the
    auction ends `extension` after that bid; an earlier bid leaves the end where it was."""
    return max(auction_end, bid_at + extension)


# --- the end of the listing: L-03 (land), R-03 (property) -------------------------------------


@dataclass(frozen=True)
class Outcome:
    action: str  # go_to_auction | sell | fail
    rule: str
    zh: str
    en: str
    price_fen: int | None = None


def end_of_listing(
    sector: str,
    *,
    competing: int,
    highest_fen: int | None,
    starting_fen: int,
    reserve_fen: int | None,
) -> Outcome:
    """What the end of the listing decides.

    Land (L-03, MLR 39 art. 19-20): when two or more bidders ask to keep bidding, an online
    auction decides; otherwise the highest offer wins if it reaches the reserve; no offer, or a
    highest offer below the reserve, and the listing fails.
    Property (R-03, SASAC 32 art. 22): two or more qualified transferees (joined, deposit secured)
    compete in online bidding; exactly one buys at an agreed price not below the listing price
    (its own offer if it offered more); none and the transfer fails.
    `competing` is the number of bidders wanting to continue (land) or of qualified transferees
    (property)."""
    if competing >= 2:
        return Outcome(
            "go_to_auction",
            _rule(sector),
            "两个以上竞买人要求继续竞价，转入网络竞价",
            "two or more bidders want to keep bidding: the sale goes to an online auction",
        )
    if sector == Sector.property:
        if competing == 1:
            price = max(highest_fen or 0, starting_fen)
            return Outcome(
                "sell",
                "R-03",
                "只有一个符合条件的意向受让方，按不低于挂牌价的价格协议成交",
                "one qualified transferee: sold at an agreed price not below the listing price",
                price,
            )
        return Outcome(
            "fail",
            "R-03",
            "信息披露期满未征集到符合条件的意向受让方",
            "no qualified transferee at the end of the disclosure period",
        )
    return result_of_highest(highest_fen, reserve_fen, rule="L-03")


def result_of_highest(highest_fen: int | None, reserve_fen: int | None, *, rule: str) -> Outcome:
    """L-03 / L-04: the highest offer or bid wins if it reaches the reserve (底价); otherwise the
    sale fails. The reserve itself is not named in the reason (it stays secret to bidders)."""
    if highest_fen is None:
        return Outcome("fail", rule, "无人报价，不成交", "no offer or bid: the sale fails")
    if reserve_fen is not None and highest_fen < reserve_fen:
        return Outcome(
            "fail", rule, "最高报价低于底价，不成交", "the highest bid is below the reserve: the sale fails"
        )
    return Outcome(
        "sell", rule, "最高报价不低于底价，成交", "the highest bid reaches the reserve: sold", highest_fen
    )


@dataclass(frozen=True)
class Quote:
    """An opened sealed quote of a transferee that joined the listing."""

    organisation_id: uuid.UUID
    number: int
    price_fen: int
    received_at: dt.datetime


def result_of_quotes(quotes: list[Quote], listing_fen: int) -> tuple[Outcome, Quote | None]:
    """R-03 (SASAC 32 art. 22, 一次性报价): the highest opened quote at or above the listing price
    wins; none at or above it and the transfer fails. Of equal highest quotes the one received
    first wins (RULES.md names no tie rule; the receipt time is the server's and on the signed
    receipt, so every transferee can check it)."""
    counted = [q for q in quotes if q.price_fen >= listing_fen]
    if not counted:
        return (
            Outcome(
                "fail",
                "R-03",
                "无不低于挂牌价的有效报价，不成交",
                "no valid quote at or above the listing price: the transfer fails",
            ),
            None,
        )
    best = min(counted, key=lambda q: (-q.price_fen, q.received_at))
    tied = sum(1 for q in counted if q.price_fen == best.price_fen) > 1
    zh = "一次性报价最高且不低于挂牌价者成交" + ("（同价者以先递交者为准）" if tied else "")
    en = "the highest sealed quote at or above the listing price wins" + (
        " (of equal quotes, the one received first)" if tied else ""
    )
    return Outcome("sell", "R-03", zh, en, best.price_fen), best


def _rule(sector: str) -> str:
    return "R-03" if sector == Sector.property else "L-03"


# --- property: the listing price, pre-disclosure, payment terms (R-04) ----------


def check_first_listing_price(listing_fen: int, appraised_fen: int) -> None:
    """R-02 (SASAC 32 art. 12): the first formal disclosure's listing price may not be below the
    appraised value. Code `auction.price_below_appraisal`."""
    if listing_fen >= appraised_fen:
        return
    raise RuleViolation(
        "auction.price_below_appraisal",
        f"首次正式披露的转让底价{format_yuan(listing_fen)}元不得低于评估结果{format_yuan(appraised_fen)}元",
        f"the first disclosure's listing price ({format_yuan(listing_fen)} yuan) may not be below the "
        f"appraised value ({format_yuan(appraised_fen)} yuan)",
        rule="R-02",
        details={"listing": format_yuan(listing_fen), "appraised_value": format_yuan(appraised_fen)},
    )


def check_transferee_answers(conditions: list[dict[str, Any]], answers: list[dict[str, Any]]) -> list[dict]:
    """R-03 (SASAC 32 art. 22 counts *qualified* transferees): a transferee registering for a
    property transfer answers each of the transferor's conditions stated in the disclosure: it
    declares it meets the condition and, where the condition asks for it, names its evidence. An
    answer to a condition not stated is refused too. Returns the answers to keep, in the
    disclosure's order. Code `registration.conditions_not_met`."""
    stated = {c["text"]: c for c in conditions}
    given = {a["condition"].strip(): a for a in answers}
    unanswered = [text for text in stated if text not in given]
    unknown = [text for text in given if text not in stated]
    not_met = [text for text in stated if text in given and not given[text]["met"]]
    no_evidence = [
        text
        for text, condition in stated.items()
        if condition["evidence_required"]
        and text in given
        and not (given[text].get("evidence") or "").strip()
    ]
    if unanswered or unknown or not_met or no_evidence or len(given) != len(answers):
        raise RuleViolation(
            "registration.conditions_not_met",
            "意向受让方须在报名时逐项声明符合转让方提出的受让方资格条件，要求提供证明材料的须注明材料",
            "a transferee must declare, when it registers, that it meets each of the transferor's "
            "conditions, and name its evidence where a condition asks for it",
            rule="R-03",
            details={
                "unanswered": unanswered,
                "not_met": not_met,
                "evidence_missing": no_evidence,
                "unknown": unknown,
                "answered_twice": len(given) != len(answers),
            },
        )
    return [
        {
            "condition": text,
            "met": True,
            "evidence": (given[text].get("evidence") or "").strip() or None,
        }
        for text in stated
    ]


APPRAISAL_VALID_MONTHS = 12


def check_appraisal_current(
    previous_start: dt.date, listing_start: dt.date, appraised_on: dt.date | None
) -> None:
    """R-02 with SASAC 32 art. 19: a transfer relisted more than 12 months after its first
    disclosure needs a new appraisal (dated after that first disclosure). Code
    `auction.appraisal_stale`."""
    limit = _add_months(previous_start, APPRAISAL_VALID_MONTHS)
    if listing_start <= limit or (appraised_on is not None and appraised_on > previous_start):
        return
    raise RuleViolation(
        "auction.appraisal_stale",
        f"距首次披露（{previous_start.isoformat()}）已超过12个月，重新披露须重新评估",
        f"more than 12 months since the first disclosure ({previous_start.isoformat()}): relisting needs a "
        "new appraisal",
        rule="R-02",
        details={"first_disclosure_on": previous_start.isoformat(), "appraised_on": _iso(appraised_on)},
    )


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


MIN_FIRST_PAYMENT_PERCENT = 30
MAX_BALANCE_MONTHS = 12
LUMP_SUM_WORKING_DAYS = 5


def check_payment_terms(payment: dict) -> None:
    """R-04 (SASAC 32 art. 28): the price is paid within 5 working days of the contract taking
    effect; by instalments only with a first payment of at least 30 %, the rest within one year and
    secured. Code `auction.payment_terms`."""
    if payment.get("kind") == "lump_sum":
        if payment.get("working_days", LUMP_SUM_WORKING_DAYS) <= LUMP_SUM_WORKING_DAYS:
            return
        raise _terms(
            "一次性付款应在合同生效之日起5个工作日内付清",
            "a lump sum is due within 5 working days of the contract taking effect",
        )
    first = payment.get("first_payment_percent", 0)
    months = payment.get("balance_months", 0)
    if first < MIN_FIRST_PAYMENT_PERCENT:
        raise _terms(
            "分期付款的首期付款不得低于总价款的30%",
            "an instalment plan's first payment must be at least 30 %",
        )
    if months > MAX_BALANCE_MONTHS:
        raise _terms("分期付款的其余价款应在合同生效之日起1年内付清", "the rest must be paid within one year")
    if not payment.get("balance_secured"):
        raise _terms(
            "分期付款的受让方须对其余价款提供合法有效担保", "the rest of an instalment plan must be secured"
        )


def _terms(zh: str, en: str) -> RuleViolation:
    return RuleViolation("auction.payment_terms", zh, en, rule="R-04")


# --- the auction's timing ---------------------------------------------------------------------

MAX_MINUTES = 24 * 60


def check_minutes(name: str, value: int, *, least: int) -> None:
    if least <= value <= MAX_MINUTES:
        return
    raise DomainError(
        "auction.timing_invalid",
        f"{name}须在{least}至{MAX_MINUTES}分钟之间",
        f"{name} must be between {least} and {MAX_MINUTES} minutes",
        status=422,
        details={"field": name, "value": value},
    )


RESULT_ANNOUNCEMENT_WORKING_DAYS = 10
