"""The catalogue's rules on dates, amounts and counts, as pure functions.

Each check returns None when the rule is satisfied and raises `RuleViolation` (422) when not,
with a stable code, zh-CN and en messages giving the required and the actual figure, the rule id
(shared domain/RULES.md) and the figures in `details`. A check that takes a sector or procedure
returns None when no catalogued rule applies to it (e.g. no deposit cap for land).

How days are counted: every period goes through `trading.calendar.periods.period` (Civil Code
art. 201, 203; RULES.md D-01, D-02): instants are first turned into dates in `zone` (Asia/Shanghai
by default); the event's own day is not counted; "≥ N days from A to B" means date(B) is not before
the period's last day (date(A) + N, moved past a holiday that ends it); "≥ N working days" likewise
with working days. Periods of hours run from the event's time. A year whose holiday notice is not
loaded is estimated (D-03) and the refusal's details say `provisional: true`.
Money is integer fen; percentages are compared in integers (deposit × 100 ≤ base × 2).

A section's own documents may set stricter values; these checks enforce the legal minimums only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from trading.calendar.periods import Period, Unit, period
from trading.calendar.service import WorkingCalendar
from trading.clock import ensure_utc, local_date
from trading.errors import DomainError
from trading.money import format_yuan, percent_of
from trading.rules.catalogue import RULES
from trading.sectors import PROCEDURE_ZH, PROCEDURES, SECTOR_ZH, Procedure, Sector


class RuleViolation(DomainError):
    """A legal rule of the catalogue is not met; `rule` is its id (e.g. "C-02")."""

    status = 422

    def __init__(
        self, code: str, zh: str, en: str, *, rule: str, details: dict[str, Any] | None = None
    ) -> None:
        if rule not in RULES:
            raise ValueError(f"unknown rule id {rule!r}")
        super().__init__(code, zh, en, rule=rule, status=422, details=details)
        self.rule: str = rule

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "rule": self.rule, "zh": self.zh, "en": self.en, "details": self.details}


TENDER_PROCEDURES = frozenset({Procedure.open_tender, Procedure.invited_tender})
QUICK_PROCEDURES = frozenset({Procedure.competitive_negotiation, Procedure.request_for_quotation})

FEN_PER_YUAN = 100


def _day(instant: dt.datetime, zone: ZoneInfo) -> dt.date:
    """The center's calendar date of an instant; naive datetimes are refused, never guessed."""
    return local_date(ensure_utc(instant), zone)


def _yuan(fen: int) -> str:
    return format_yuan(fen)


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _require_non_negative(**amounts: int) -> None:
    for name, value in amounts.items():
        if value < 0:
            raise ValueError(f"{name} cannot be negative: {value}")


# --- C-01 must-tender thresholds -------------------------------------------------------------


class ContractKind(StrEnum):
    works = "works"  # 施工
    goods = "goods"  # 货物（重要设备、材料）
    services = "services"  # 服务（勘察、设计、监理）


MUST_TENDER_THRESHOLD_FEN = {
    ContractKind.works: 4_000_000 * FEN_PER_YUAN,
    ContractKind.goods: 2_000_000 * FEN_PER_YUAN,
    ContractKind.services: 1_000_000 * FEN_PER_YUAN,
}


def is_must_tender(kind: ContractKind | str, estimated_fen: int) -> bool:
    """C-01 (MUST art. 5): a contract whose estimated price reaches the threshold of its kind
    must be tendered through the center. Informational: it tells, it does not refuse."""
    _require_non_negative(estimated_fen=estimated_fen)
    return estimated_fen >= MUST_TENDER_THRESHOLD_FEN[ContractKind(kind)]


def _require_period(
    unit: Unit,
    required: int,
    start: dt.datetime,
    end: dt.datetime,
    *,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
    code: str,
    rule: str,
    zh: str,
    en: str,
    keys: tuple[str, str, str],
) -> None:
    """ "At least `required` days (working days) from A to B", counted as the Civil Code counts
    (D-01, D-02): date(B) may not be before the last day of the period that A starts. `zh` and
    `en` are templates over {required}, {actual} and {earliest} (the earliest compliant date of
    B); `keys` name A's date, B's date and that earliest date in `details`."""
    first, last = _day(start, zone), _day(end, zone)
    minimum = period(calendar, first, required, unit)
    if last >= minimum.last_day:
        return None
    actual = minimum.counted(calendar, last)
    figures = {"required": required, "actual": actual, "earliest": minimum.last_day.isoformat()}
    start_key, end_key, earliest_key = keys
    raise RuleViolation(
        code,
        zh.format(**figures),
        en.format(**figures),
        rule=rule,
        details={
            f"required_{unit.value}": required,
            f"actual_{unit.value}": actual,
            start_key: first.isoformat(),
            end_key: last.isoformat(),
            earliest_key: minimum.last_day.isoformat(),
            "provisional": minimum.provisional,
        },
    )


# --- bid preparation period: C-02, P-01 -------------------------------------------------------

BID_PERIOD_DAYS = 20


def check_bid_period(
    sector: Sector | str,
    documents_issued_at: dt.datetime,
    bid_deadline: dt.datetime,
    *,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
) -> None:
    """C-02 for construction, P-01 for procurement tenders: at least 20 days from the day tender
    documents are first issued to the bid deadline (documents issued 1 December: a deadline on
    21 December or later). Code `deadline.too_short`.

    招标投标法 第二十四条：依法必须进行招标的项目，自招标文件开始发出之日起至投标人提交投标文件截止之日止，
    最短不得少于二十日。"""
    rule = {Sector.construction: "C-02", Sector.procurement: "P-01"}.get(Sector(sector))
    if rule is None:
        return None
    return _require_period(
        Unit.days,
        BID_PERIOD_DAYS,
        documents_issued_at,
        bid_deadline,
        zone=zone,
        calendar=calendar,
        code="deadline.too_short",
        rule=rule,
        zh="自招标文件发出之日起至投标截止时间止不得少于{required}日，当前为{actual}日（投标截止时间最早为{earliest}）",
        en="at least {required} days from documents issued to the bid deadline; this section gives {actual} "
        "(earliest deadline {earliest})",
        keys=("documents_issued_on", "bid_deadline_on", "earliest_deadline"),
    )


# --- documents on sale: C-03 (days), P-02 (working days) ---------------------------------------

SALE_PERIOD_DAYS = 5
SALE_PERIOD_WORKING_DAYS = 5


def check_sale_period(
    sector: Sector | str,
    sale_start: dt.datetime,
    sale_end: dt.datetime,
    *,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
) -> None:
    """Tender documents on sale (offered) long enough, counted from the day after the sale starts:
    - construction, C-03: ≥ 5 days, so a sale from a Monday runs to Saturday;
      招标投标法实施条例 第十六条：资格预审文件或者招标文件的发售期不得少于5日。
    - procurement, P-02 (GPR art. 31 ¶1): ≥ 5 working days from the day first issued.
    Code `sale_period.too_short`.
    """
    sector = Sector(sector)
    if sector is Sector.construction:
        unit, required, rule = Unit.days, SALE_PERIOD_DAYS, "C-03"
        zh = "招标文件发售期不得少于{required}日，当前为{actual}日（最早可于{earliest}结束）"
        en = "tender documents must be on sale for at least {required} days; this section gives {actual} "
        en += "(earliest end {earliest})"
    elif sector is Sector.procurement:
        unit, required, rule = Unit.working_days, SALE_PERIOD_WORKING_DAYS, "P-02"
        zh = "招标文件提供期限不得少于{required}个工作日，当前为{actual}个工作日（最早可于{earliest}结束）"
        en = "tender documents must be offered for at least {required} working days; this section gives "
        en += "{actual} (earliest end {earliest})"
    else:
        return None
    return _require_period(
        unit,
        required,
        sale_start,
        sale_end,
        zone=zone,
        calendar=calendar,
        code="sale_period.too_short",
        rule=rule,
        zh=zh,
        en=en,
        keys=("sale_start_on", "sale_end_on", "earliest_end"),
    )


# --- clarifications and amendments: C-04, P-03, P-11 -------------------------------------------

AMENDMENT_DAYS = 15
CONSULTATION_AMENDMENT_DAYS = 5


def earliest_deadline_after_amendment(
    published_at: dt.datetime, *, zone: ZoneInfo, calendar: WorkingCalendar, days: int = AMENDMENT_DAYS
) -> Period:
    """C-04 / P-03: the period an amendment that may affect bids starts; the bid deadline may
    not fall before its last day (15 days after publication by default, 5 for competitive
    consultation, P-11). A deadline already on or after it stays; an earlier one moves out to it."""
    return period(calendar, _day(published_at, zone), days, Unit.days)


def _amendment_rule(sector: Sector, procedure: Procedure) -> tuple[str, int] | None:
    if sector is Sector.construction:
        return "C-04", AMENDMENT_DAYS
    if sector is Sector.procurement and procedure in TENDER_PROCEDURES:
        return "P-03", AMENDMENT_DAYS
    if sector is Sector.procurement and procedure is Procedure.competitive_consultation:
        return "P-11", CONSULTATION_AMENDMENT_DAYS
    return None


def check_amendment(
    sector: Sector | str,
    published_at: dt.datetime,
    bid_deadline: dt.datetime,
    *,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
    procedure: Procedure | str = Procedure.open_tender,
    affects_bids: bool = True,
) -> None:
    """A clarification or amendment that may affect bid preparation must be published at least
    15 days before the bid deadline (C-04: TL art. 23, TLR art. 21; P-03: GPR art. 31, MOF 87
    art. 27), 5 days for competitive consultation (P-11); otherwise the deadline must move out to
    `details["earliest_deadline"]`. One that cannot affect bids is not limited. Code
    `amendment.too_late`.

    招标投标法实施条例 第二十一条：澄清或者修改的内容可能影响投标文件编制的，
    招标人应当在投标截止时间至少15日前……不足15日的，招标人应当顺延提交投标文件的截止时间。"""
    found = _amendment_rule(Sector(sector), Procedure(procedure))
    if found is None or not affects_bids:
        return None
    rule, required = found
    return _require_period(
        Unit.days,
        required,
        published_at,
        bid_deadline,
        zone=zone,
        calendar=calendar,
        code="amendment.too_late",
        rule=rule,
        zh="可能影响投标文件编制的澄清或修改应在投标截止时间至少{required}日前发出，当前仅提前{actual}日；"
        "投标截止时间应顺延至{earliest}或之后",
        en="a clarification or amendment that may affect bids must be published at least {required} days "
        "before the bid deadline; this one gives {actual}; move the deadline to {earliest} or later",
        keys=("published_on", "bid_deadline_on", "earliest_deadline"),
    )


# --- deposit cap: C-06, P-04 -----------------------------------------------------------------

DEPOSIT_PERCENT = 2


def check_deposit(sector: Sector | str, deposit_fen: int, budget_fen: int) -> None:
    """The bid deposit may not exceed 2% of the estimated contract price (C-06, TLR art. 26,
    construction) or of the procurement budget (P-04, GPR art. 33). Integer test:
    `deposit × 100 ≤ base × 2`. No catalogued cap for land and property. Code `deposit.too_high`."""
    sector = Sector(sector)
    _require_non_negative(deposit_fen=deposit_fen, budget_fen=budget_fen)
    if sector is Sector.construction:
        rule, base_zh, base_en = "C-06", "招标项目估算价", "estimated contract price"
    elif sector is Sector.procurement:
        rule, base_zh, base_en = "P-04", "采购项目预算金额", "procurement budget"
    else:
        return None
    if deposit_fen * 100 <= budget_fen * DEPOSIT_PERCENT:
        return None
    cap = percent_of(budget_fen, DEPOSIT_PERCENT, 100)
    raise RuleViolation(
        "deposit.too_high",
        f"投标保证金不得超过{base_zh}的{DEPOSIT_PERCENT}%（即{_yuan(cap)}元），当前为{_yuan(deposit_fen)}元",
        f"the bid deposit may be at most {DEPOSIT_PERCENT}% of the {base_en} ({_yuan(cap)} yuan); "
        f"this section asks {_yuan(deposit_fen)} yuan",
        rule=rule,
        details={
            "percent": DEPOSIT_PERCENT,
            "deposit_fen": deposit_fen,
            "base_fen": budget_fen,
            "cap_fen": cap,
            "deposit": _yuan(deposit_fen),
            "cap": _yuan(cap),
        },
    )


# --- number of bids: C-09, P-06, P-10 ----------------------------------------------------------

MIN_BIDS = 3


def check_bid_count(
    sector: Sector | str, bids: int, *, procedure: Procedure | str = Procedure.open_tender
) -> None:
    """At least 3 bids (responses) are needed: construction C-09 (TL art. 28, TLR art. 44: no
    opening, re-tender), procurement tenders P-06 (no opening), competitive negotiation and
    request for quotation P-10 (≥ 3 suppliers). Code `bidders.too_few`."""
    sector, procedure = Sector(sector), Procedure(procedure)
    if sector is Sector.construction:
        rule = "C-09"
    elif sector is Sector.procurement and procedure in TENDER_PROCEDURES:
        rule = "P-06"
    elif sector is Sector.procurement and procedure in QUICK_PROCEDURES:
        rule = "P-10"
    else:
        return None
    if bids >= MIN_BIDS:
        return None
    if rule == "P-10":
        zh = f"{PROCEDURE_ZH[procedure]}的供应商不得少于{MIN_BIDS}家，当前为{bids}家"
        en = f"{procedure.value.replace('_', ' ')} needs at least {MIN_BIDS} suppliers; there are {bids}"
    else:
        zh = f"投标人少于{MIN_BIDS}个的不得开标，当前为{bids}个"
        en = f"fewer than {MIN_BIDS} bids: the opening cannot go ahead; there are {bids}"
    raise RuleViolation(
        "bidders.too_few", zh, en, rule=rule, details={"required_bids": MIN_BIDS, "actual_bids": bids}
    )


# --- evaluation committee: C-10, P-07 ----------------------------------------------------------

MIN_COMMITTEE = 5
LARGE_PROCUREMENT_COMMITTEE = 7
LARGE_PROCUREMENT_BUDGET_FEN = 10_000_000 * FEN_PER_YUAN


def check_committee(
    sector: Sector | str,
    members: int,
    experts: int,
    *,
    budget_fen: int | None = None,
    complex_project: bool = False,
) -> None:
    """The evaluation committee: an odd number of at least 5 members, experts at least 2/3
    (`experts × 3 ≥ members × 2`). Construction C-10 (TL art. 37); procurement P-07 (GPR art.
    39, MOF 87 art. 47, to confirm), at least 7 when the budget reaches 10,000,000 yuan or the
    project is complex. Code `committee.invalid`; `details["problems"]` names what is wrong
    (`too_small`, `even`, `too_few_experts`)."""
    sector = Sector(sector)
    if sector is Sector.construction:
        rule, minimum = "C-10", MIN_COMMITTEE
    elif sector is Sector.procurement:
        large = complex_project or (budget_fen is not None and budget_fen >= LARGE_PROCUREMENT_BUDGET_FEN)
        rule, minimum = "P-07", LARGE_PROCUREMENT_COMMITTEE if large else MIN_COMMITTEE
    else:
        return None
    if not 0 <= experts <= members:
        raise ValueError(f"experts ({experts}) must be between 0 and the number of members ({members})")
    required_experts = -(-members * 2 // 3)  # ceil(2/3 of the members)
    problems = []
    if members < minimum:
        problems.append("too_small")
    if members % 2 == 0:
        problems.append("even")
    if experts < required_experts:
        problems.append("too_few_experts")
    if not problems:
        return None
    raise RuleViolation(
        "committee.invalid",
        f"评标委员会应为{minimum}人以上单数，其中专家不少于成员总数的三分之二；当前为{members}人，其中专家{experts}人",
        f"the evaluation committee needs an odd number of at least {minimum} members, experts at least 2/3 "
        f"of them; this one has {members} members, {experts} of them experts",
        rule=rule,
        details={
            "problems": problems,
            "required_members": minimum,
            "members": members,
            "experts": experts,
            "required_experts": required_experts,
        },
    )


# --- response periods of the non-tender procurement methods: P-10, P-11 ------------------------

QUICK_RESPONSE_WORKING_DAYS = 3
CONSULTATION_RESPONSE_DAYS = 10


def check_response_period(
    procedure: Procedure | str,
    documents_issued_at: dt.datetime,
    responses_due: dt.datetime,
    *,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
) -> None:
    """Procurement without tendering, from documents issued to first responses due:
    - competitive negotiation, request for quotation, P-10 (MOF 74, to confirm): ≥ 3 working days;
    - competitive consultation, P-11 (MOF 214 art. 10, to confirm): ≥ 10 days.
    Code `deadline.too_short`."""
    procedure = Procedure(procedure)
    if procedure in QUICK_PROCEDURES:
        return _require_period(
            Unit.working_days,
            QUICK_RESPONSE_WORKING_DAYS,
            documents_issued_at,
            responses_due,
            zone=zone,
            calendar=calendar,
            code="deadline.too_short",
            rule="P-10",
            zh=f"{PROCEDURE_ZH[procedure]}自文件发出之日起至提交首次响应文件截止之日止不得少于"
            "{required}个工作日，当前为{actual}个工作日（最早为{earliest}）",
            en="at least {required} working days from documents issued to responses due; this section "
            "gives {actual} (earliest {earliest})",
            keys=("documents_issued_on", "responses_due_on", "earliest_deadline"),
        )
    if procedure is Procedure.competitive_consultation:
        return _require_period(
            Unit.days,
            CONSULTATION_RESPONSE_DAYS,
            documents_issued_at,
            responses_due,
            zone=zone,
            calendar=calendar,
            code="deadline.too_short",
            rule="P-11",
            zh="竞争性磋商自磋商文件发出之日起至提交首次响应文件截止之日止不得少于{required}日，"
            "当前为{actual}日（最早为{earliest}）",
            en="at least {required} days from consultation documents issued to responses due; this section "
            "gives {actual} (earliest {earliest})",
            keys=("documents_issued_on", "responses_due_on", "earliest_deadline"),
        )
    return None


# --- working-day periods: P-12, L-02, R-01, R-05 -----------------------------------------------


def _check_working_period(
    *,
    rule: str,
    code: str,
    what_zh: str,
    what_en: str,
    required: int,
    start: dt.datetime,
    end: dt.datetime,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
) -> None:
    """A period "of at least N working days" from `start` to `end` (listing, disclosure,
    publicity), counted from the day after it starts (D-01)."""
    return _require_period(
        Unit.working_days,
        required,
        start,
        end,
        zone=zone,
        calendar=calendar,
        code=code,
        rule=rule,
        zh=what_zh + "不得少于{required}个工作日，当前为{actual}个工作日（最早可于{earliest}结束）",
        en=f"the {what_en} " + "must last at least {required} working days; this section gives {actual} "
        "(earliest end {earliest})",
        keys=("start_on", "end_on", "earliest_end"),
    )


SINGLE_SOURCE_PUBLICITY_WORKING_DAYS = 5


def check_single_source_publicity(
    publicity_start: dt.datetime, publicity_end: dt.datetime, *, zone: ZoneInfo, calendar: WorkingCalendar
) -> None:
    """P-12 (GPR art. 38): single-source publicity of at least 5 working days, first and last day
    counted. Code `publicity.too_short`."""
    return _check_working_period(
        rule="P-12",
        code="publicity.too_short",
        what_zh="单一来源采购公示期",
        what_en="single-source publicity",
        required=SINGLE_SOURCE_PUBLICITY_WORKING_DAYS,
        start=publicity_start,
        end=publicity_end,
        zone=zone,
        calendar=calendar,
    )


LISTING_WORKING_DAYS = 10


def check_listing_period(
    listing_start: dt.datetime, listing_end: dt.datetime, *, zone: ZoneInfo, calendar: WorkingCalendar
) -> None:
    """L-02 (MLR 39 art. 19): a land listing period of at least 10 working days, first and last
    day counted. Code `listing.too_short`."""
    return _check_working_period(
        rule="L-02",
        code="listing.too_short",
        what_zh="挂牌时间",
        what_en="listing period",
        required=LISTING_WORKING_DAYS,
        start=listing_start,
        end=listing_end,
        zone=zone,
        calendar=calendar,
    )


DISCLOSURE_WORKING_DAYS = {Procedure.listed_transfer: 20, Procedure.capital_increase: 40}


def check_disclosure_period(
    procedure: Procedure | str,
    disclosure_start: dt.datetime,
    disclosure_end: dt.datetime,
    *,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
) -> None:
    """Property-rights disclosure, first and last day counted: a listed transfer ≥ 20 working
    days (R-01, SASAC 32 art. 13), a capital increase ≥ 40 working days (R-05, SASAC 32 art. 41).
    Code `disclosure.too_short`."""
    procedure = Procedure(procedure)
    if procedure not in DISCLOSURE_WORKING_DAYS:
        return None
    increase = procedure is Procedure.capital_increase
    return _check_working_period(
        rule="R-05" if increase else "R-01",
        code="disclosure.too_short",
        what_zh="增资信息披露时间" if increase else "转让信息披露时间",
        what_en="capital increase disclosure" if increase else "disclosure period",
        required=DISCLOSURE_WORKING_DAYS[procedure],
        start=disclosure_start,
        end=disclosure_end,
        zone=zone,
        calendar=calendar,
    )


# --- candidates' publicity: C-14 ----------------------------------------------------------------

CANDIDATES_PUBLICITY_DAYS = 3


def check_candidates_publicity(
    *, published_at: dt.datetime, publicity_end: dt.datetime, zone: ZoneInfo, calendar: WorkingCalendar
) -> None:
    """C-14: the candidates' publicity lasts at least 3 days, counted from the day after its
    publication (D-01): published on 2 March, it may end on 5 March at the earliest, so a
    48-hour publicity is too short. Code `publicity.too_short`.

    招标投标法实施条例 第五十四条：依法必须进行招标的项目，招标人应当自收到评标报告之日起3日内公示中标候选人，
    公示期不得少于3日。"""
    return _require_period(
        Unit.days,
        CANDIDATES_PUBLICITY_DAYS,
        published_at,
        publicity_end,
        zone=zone,
        calendar=calendar,
        code="publicity.too_short",
        rule="C-14",
        zh="中标候选人公示期不得少于{required}日，当前为{actual}日（最早可于{earliest}结束）",
        en="the candidates' publicity must last at least {required} days; this one gives {actual} "
        "(earliest end {earliest})",
        keys=("start_on", "end_on", "earliest_end"),
    )


# --- land: announcement ahead of the sale (L-01), reserve price (L-03, L-04) --------------------

LAND_ANNOUNCEMENT_DAYS = 20


def check_land_announcement(
    announcement_published_at: dt.datetime,
    sale_start: dt.datetime,
    *,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
) -> None:
    """L-01 (MLR 39 art. 10): the transfer announcement at least 20 days before the tender,
    auction or listing starts. Code `announcement.too_late`."""
    return _require_period(
        Unit.days,
        LAND_ANNOUNCEMENT_DAYS,
        announcement_published_at,
        sale_start,
        zone=zone,
        calendar=calendar,
        code="announcement.too_late",
        rule="L-01",
        zh="出让公告应当至少在投标、拍卖或者挂牌开始日前{required}日发布，当前仅提前{actual}日（最早可于{earliest}开始）",
        en="the transfer announcement must be published at least {required} days before the sale starts; "
        "this section gives {actual} (earliest start {earliest})",
        keys=("published_on", "sale_start_on", "earliest_start"),
    )


def check_reserve(
    bid_fen: int, reserve_fen: int | None, *, procedure: Procedure | str = Procedure.land_auction
) -> None:
    """A land sale with a reserve price (底价) fails when the best bid is below it: auction L-04,
    the highest offer at the end of a listing L-03. Code `price.below_reserve`.

    The reserve is confidential: the messages do not state it, only `details` does (for staff);
    whoever shows this error to bidders must not pass `details` on before the result is public."""
    _require_non_negative(bid_fen=bid_fen)
    if reserve_fen is None or bid_fen >= reserve_fen:
        return None
    listing = Procedure(procedure) is Procedure.land_listing
    raise RuleViolation(
        "price.below_reserve",
        f"最高报价{_yuan(bid_fen)}元低于底价，{'挂牌' if listing else '拍卖'}不成交",
        f"the best bid, {_yuan(bid_fen)} yuan, is below the reserve price: the "
        f"{'listing' if listing else 'auction'} fails",
        rule="L-03" if listing else "L-04",
        details={"bid_fen": bid_fen, "reserve_fen": reserve_fen},
    )


# --- property: listing price against the appraisal (R-02) -------------------------------------

APPRAISAL_FLOOR_PERCENT = 90


def check_listing_price(listing_fen: int, appraised_fen: int, consent: bool) -> None:
    """R-02 (SASAC 32 art. 12, 18): a listing price below 90% of the appraised value needs the
    approving body's written consent before the transfer continues. Integer test:
    `listing × 100 ≥ appraised × 90`. Code `price.below_appraisal_floor`."""
    _require_non_negative(listing_fen=listing_fen, appraised_fen=appraised_fen)
    if consent or listing_fen * 100 >= appraised_fen * APPRAISAL_FLOOR_PERCENT:
        return None
    floor = -(-appraised_fen * APPRAISAL_FLOOR_PERCENT // 100)  # rounded up: the floor must be reached
    raise RuleViolation(
        "price.below_appraisal_floor",
        f"挂牌价格低于评估结果的{APPRAISAL_FLOOR_PERCENT}%（即{_yuan(floor)}元），当前为{_yuan(listing_fen)}元，"
        "须经转让行为批准单位书面同意后方可继续",
        f"a listing price below {APPRAISAL_FLOOR_PERCENT}% of the appraised value ({_yuan(floor)} yuan) "
        f"needs the approving body's consent; this listing asks {_yuan(listing_fen)} yuan",
        rule="R-02",
        details={
            "percent": APPRAISAL_FLOOR_PERCENT,
            "listing_fen": listing_fen,
            "appraised_fen": appraised_fen,
            "floor_fen": floor,
            "listing": _yuan(listing_fen),
            "floor": _yuan(floor),
        },
    )


# --- a section's whole schedule ----------------------------------------------------------------


def schedule_violations(
    sector: Sector | str,
    procedure: Procedure | str,
    *,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
    documents_issued_at: dt.datetime | None = None,
    documents_sale_start: dt.datetime | None = None,
    documents_sale_end: dt.datetime | None = None,
    bid_deadline: dt.datetime | None = None,
    sale_start: dt.datetime | None = None,
    listing_start: dt.datetime | None = None,
    listing_end: dt.datetime | None = None,
    announcement_published_at: dt.datetime | None = None,
    publicity_end: dt.datetime | None = None,
) -> list[RuleViolation]:
    """Every schedule rule the section breaks, in catalogue order, for its sector and procedure.

    A rule is checked when the dates it needs are given; a date not yet set is not an error here
    (the section's own service decides which dates a step requires). The dates each rule reads:
    - construction tenders: C-02 documents_issued_at → bid_deadline; C-03 documents_sale_start/end;
    - procurement open/invited tender: P-01 as C-02; P-02 documents_sale_start/end;
    - competitive negotiation, request for quotation: P-10 documents_issued_at → bid_deadline
      (responses due); competitive consultation: P-11 likewise;
    - single source: P-12 announcement_published_at → publicity_end;
    - land: L-01 announcement_published_at → sale_start (for a listing, listing_start when
      sale_start is not given); L-02 listing_start/end for a listing;
    - property: R-01 (listed transfer) / R-05 (capital increase) listing_start/end, the
      disclosure period.
    A year without a loaded notice is judged on the provisional calendar (D-03).
    """
    sector, procedure = Sector(sector), Procedure(procedure)
    if procedure not in PROCEDURES[sector]:
        raise DomainError(
            "procedure.not_in_sector",
            f"{SECTOR_ZH[sector]}不适用{PROCEDURE_ZH[procedure]}方式",
            f"the {procedure.value} procedure does not belong to the {sector.value} sector",
            status=422,
            details={"sector": sector.value, "procedure": procedure.value},
        )
    found: list[RuleViolation] = []

    def attempt(check: Callable[..., None], *args: Any, **kwargs: Any) -> None:
        try:
            check(*args, **kwargs)
        except RuleViolation as violation:
            found.append(violation)

    if sector in (Sector.construction, Sector.procurement) and procedure in TENDER_PROCEDURES:
        if documents_issued_at and bid_deadline:
            attempt(check_bid_period, sector, documents_issued_at, bid_deadline, zone=zone, calendar=calendar)
        if documents_sale_start and documents_sale_end:
            attempt(
                check_sale_period,
                sector,
                documents_sale_start,
                documents_sale_end,
                zone=zone,
                calendar=calendar,
            )
    elif sector is Sector.procurement and procedure is Procedure.single_source:
        if announcement_published_at and publicity_end:
            attempt(
                check_single_source_publicity,
                announcement_published_at,
                publicity_end,
                zone=zone,
                calendar=calendar,
            )
    elif sector is Sector.procurement:
        if documents_issued_at and bid_deadline:
            attempt(
                check_response_period,
                procedure,
                documents_issued_at,
                bid_deadline,
                zone=zone,
                calendar=calendar,
            )
    elif sector is Sector.land:
        start = sale_start or (listing_start if procedure is Procedure.land_listing else None)
        if announcement_published_at and start:
            attempt(check_land_announcement, announcement_published_at, start, zone=zone, calendar=calendar)
        if procedure is Procedure.land_listing and listing_start and listing_end:
            attempt(
                check_listing_period,
                listing_start,
                listing_end,
                zone=zone,
                calendar=calendar,
            )
    elif sector is Sector.property and listing_start and listing_end:
        attempt(
            check_disclosure_period,
            procedure,
            listing_start,
            listing_end,
            zone=zone,
            calendar=calendar,
        )
    return found


def check_section_schedule(sector: Sector | str, procedure: Procedure | str, **schedule: Any) -> None:
    """Apply `schedule_violations` (same arguments) and raise one `RuleViolation` if any rule
    is broken.

    The error carries the first violation's code and rule (so a client switching on the code sees
    the most basic problem first), messages joining every violation's, and
    `details["violations"]`: every violation as {code, rule, zh, en, details}, always a list,
    even of one.
    """
    found = schedule_violations(sector, procedure, **schedule)
    if found:
        raise joined(found)
    return None


def joined(found: list[RuleViolation]) -> RuleViolation:
    """Several schedule violations as one refusal (see `check_section_schedule`)."""
    first = found[0]
    return RuleViolation(
        first.code,
        "；".join(v.zh for v in found),
        "; ".join(v.en for v in found),
        rule=first.rule,
        details={**first.details, "violations": [v.as_dict() for v in found]},
    )
