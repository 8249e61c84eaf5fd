"""Checks of catalogue rules that were written but never applied (issue 15, point 4), as pure
functions beside `checks.py`: C-01 must-tender procedures, C-05 objections to the tender
documents, C-06 who the basic-account rule binds, P-06 qualified bidders, P-12 the single-source
publicity's end.

Each check returns None when the rule is met and raises `RuleViolation` (422) citing the rule id
otherwise. Days are counted as the Civil Code counts them (D-01, art. 201): the day of the event
is not counted, a period ends at 24:00 of its last day, so "≥ 10 days before the deadline" means
the deadline's date is at least the objection's date + 10.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from trading.calendar.periods import Unit, period
from trading.calendar.service import WorkingCalendar
from trading.clock import ensure_utc, local_date, local_time
from trading.money import format_yuan
from trading.rules.checks import (
    MUST_TENDER_THRESHOLD_FEN,
    TENDER_PROCEDURES,
    ContractKind,
    RuleViolation,
    is_must_tender,
)
from trading.sectors import PROCEDURE_ZH, Procedure, Sector


def _day(instant: dt.datetime, zone: ZoneInfo) -> dt.date:
    return local_date(ensure_utc(instant), zone)


# --- C-01 must-tender thresholds ----------------------------------------------------------------

KIND_ZH = {ContractKind.works: "施工", ContractKind.goods: "货物", ContractKind.services: "服务"}
# GPR art. 7, 25: works (and works-related goods and services) procured by a procedure other than a
# tender fall under the Government Procurement Law; only below the thresholds may they do so.
WORKS_RELATED_SECTORS = frozenset({Sector.construction, Sector.procurement})


def check_must_tender(
    sector: Sector | str, procedure: Procedure | str, contract_kind: str | None, estimated_fen: int | None
) -> None:
    """C-01 (MUST art. 5): a works contract of 4,000,000 yuan or more, a works-related goods
    contract of 2,000,000 or more, a works-related services contract of 1,000,000 or more must be
    tendered: open or invited tender only. A section states its contract kind only when it is a
    construction contract (works, or goods and services related to works); a procurement section
    without one is not a construction contract and is not bound. Code `procedure.must_tender`."""
    sector, procedure = Sector(sector), Procedure(procedure)
    if sector not in WORKS_RELATED_SECTORS or contract_kind is None or estimated_fen is None:
        return None
    kind = ContractKind(contract_kind)
    if not is_must_tender(kind, estimated_fen) or procedure in TENDER_PROCEDURES:
        return None
    threshold = MUST_TENDER_THRESHOLD_FEN[kind]
    raise RuleViolation(
        "procedure.must_tender",
        f"{KIND_ZH[kind]}合同估算价{format_yuan(estimated_fen)}元，达到{format_yuan(threshold)}元的必须招标标准，"
        f"只能采用公开招标或邀请招标，不能采用{PROCEDURE_ZH[procedure]}（《必须招标的工程项目规定》第五条）",
        f"a {kind.value} contract estimated at {format_yuan(estimated_fen)} yuan reaches the must-tender "
        f"threshold of {format_yuan(threshold)} yuan: only an open or invited tender may be used, not "
        f"{procedure.value.replace('_', ' ')} (MUST art. 5)",
        rule="C-01",
        details={
            "contract_kind": kind.value,
            "estimated_fen": estimated_fen,
            "threshold_fen": threshold,
            "estimated": format_yuan(estimated_fen),
            "threshold": format_yuan(threshold),
            "procedure": procedure.value,
            "allowed": sorted(p.value for p in TENDER_PROCEDURES),
        },
    )


# --- C-05 objections to the tender documents ----------------------------------------------------

OBJECTION_DAYS_BEFORE_DEADLINE = 10
OBJECTION_ANSWER_DAYS = 3


def check_objection_in_time(filed_at: dt.datetime, bid_deadline: dt.datetime, *, zone: ZoneInfo) -> None:
    """C-05, TLR art. 22: "潜在投标人或者其他利害关系人对资格预审文件有异议的，应当在提交资格预审申请
    文件截止时间2日前提出；对招标文件有异议的，应当在投标截止时间10日前提出。招标人应当自收到异议之日起
    3日内作出答复；作出答复前，应当暂停招标投标活动。"

    An objection to the tender documents is in time when the deadline's date is at least the
    objection's date + 10 (D-01). Code `objection.too_late`."""
    filed, deadline = _day(filed_at, zone), _day(bid_deadline, zone)
    latest = deadline - dt.timedelta(days=OBJECTION_DAYS_BEFORE_DEADLINE)
    if filed <= latest:
        return None
    raise RuleViolation(
        "objection.too_late",
        f"对招标文件有异议的，应当在投标截止时间{OBJECTION_DAYS_BEFORE_DEADLINE}日前提出；"
        f"投标截止时间为{local_time(bid_deadline, zone)}，最迟应于{latest.isoformat()}提出"
        "（《招标投标法实施条例》第二十二条）",
        f"an objection to the tender documents must be raised at least {OBJECTION_DAYS_BEFORE_DEADLINE} "
        f"days before the bid deadline ({local_time(bid_deadline, zone)}): on {latest.isoformat()} at the "
        "latest (TLR art. 22)",
        rule="C-05",
        details={
            "required_days": OBJECTION_DAYS_BEFORE_DEADLINE,
            "actual_days": (deadline - filed).days,
            "filed_on": filed.isoformat(),
            "bid_deadline_on": deadline.isoformat(),
            "latest_filing_on": latest.isoformat(),
        },
    )


def objection_answer_due(filed_at: dt.datetime, *, zone: ZoneInfo, calendar: WorkingCalendar) -> dt.datetime:
    """C-05: the answer is due within 3 days of receiving the objection: the receiving day is not
    counted, the third day ends at 24:00 (D-01) and a third day on a holiday moves past it (D-02)."""
    return period(calendar, _day(filed_at, zone), OBJECTION_ANSWER_DAYS, Unit.days).ends_at(zone)


def deadline_after_answer(
    answered_at: dt.datetime,
    bid_deadline: dt.datetime,
    *,
    zone: ZoneInfo,
    calendar: WorkingCalendar,
) -> dt.datetime | None:
    """The bid deadline once the tenderee answers, or None when it stays.

    While an objection waits for its answer the procedure is paused (TLR art. 22), so potential
    bidders cannot rely on the tender documents; once answered, the deadline keeps the distance
    C-05 gives an objection: its date at least the answer's date + 10 (D-01). A deadline already
    that far stays; a nearer one moves out to that date, at its own time of day, or past it to the
    next working day when that date is a holiday (D-02) or a weekend (an opening is held on a
    working day)."""
    earliest = period(calendar, _day(answered_at, zone), OBJECTION_DAYS_BEFORE_DEADLINE, Unit.days).last_day
    local = ensure_utc(bid_deadline).astimezone(zone)
    if local.date() >= earliest:
        return None
    while not calendar.is_working_day(earliest):
        earliest += dt.timedelta(days=1)
    return dt.datetime.combine(earliest, local.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(dt.UTC)


# --- C-06 the basic-account rule ---------------------------------------------------------------


def basic_account_binds(
    *, sector: Sector | str, contract_kind: str | None, estimated_fen: int | None, natural_person: bool
) -> bool:
    """C-06, TLR art. 26 ¶2: "依法必须进行招标的项目的境内投标单位，以现金或者支票形式提交的投标保证金
    应当从其基本账户转出。"

    Only a unit (not a natural person) bidding on a must-tender construction contract is bound.
    Money reaching the escrow account through the bank feed is a cash deposit (a guarantee is
    lodged, not paid), so every such credit of a bound bidder must come from its basic account.
    Land, property and procurement deposits, and natural persons, may pay from any account."""
    if natural_person or Sector(sector) is not Sector.construction:
        return False
    if contract_kind is None or estimated_fen is None:
        return False
    return is_must_tender(contract_kind, estimated_fen)


# --- P-06 qualified bidders at the deadline ----------------------------------------------------

MIN_QUALIFIED_BIDDERS = 3


def check_qualified_bidders(procedure: Procedure | str, qualified: int) -> None:
    """P-06, GPL art. 36: "在招标采购中，出现下列情形之一的，应予废标：（一）符合专业条件的供应商或者
    对招标文件作实质响应的供应商不足三家的；……废标后，采购人应当将废标理由通知所有投标人。"

    At the bid deadline of a procurement tender, the suppliers that count are those whose bid
    stands and whose qualification was accepted (符合专业条件); fewer than 3: no opening, the
    tender fails (废标). Code `bidders.too_few`."""
    if Procedure(procedure) not in TENDER_PROCEDURES or qualified >= MIN_QUALIFIED_BIDDERS:
        return None
    raise RuleViolation(
        "bidders.too_few",
        f"投标截止时符合专业条件的供应商不足{MIN_QUALIFIED_BIDDERS}家（当前{qualified}家），不得开标，"
        "应予废标（《政府采购法》第三十六条）",
        f"fewer than {MIN_QUALIFIED_BIDDERS} qualified suppliers at the bid deadline ({qualified}): no "
        "opening, the tender fails (GPL art. 36)",
        rule="P-06",
        details={"required_bidders": MIN_QUALIFIED_BIDDERS, "qualified_bidders": qualified},
    )


# --- P-12 single-source publicity --------------------------------------------------------------


def check_single_source_publicity_end(
    publicity_end: dt.datetime | None, responses_due: dt.datetime | None, *, zone: ZoneInfo
) -> None:
    """P-12, GPR art. 38: "……采购人应当将采购项目信息和唯一供应商名称在省级以上人民政府财政部门指定的
    媒体上公示，公示期不得少于5个工作日。" A single-source call is that publicity: it must say when
    it ends, so that its length can be checked (`checks.check_single_source_publicity`), and the
    procurement may not proceed (the supplier's response, the section's bid deadline) before it
    ends. Codes `publicity.end_required`, `publicity.not_over`."""
    if publicity_end is None:
        raise RuleViolation(
            "publicity.end_required",
            "单一来源采购公示须注明公示截止时间（公示期不得少于5个工作日，《政府采购法实施条例》第三十八条）",
            "a single-source publicity must state when it ends (at least 5 working days, GPR art. 38)",
            rule="P-12",
        )
    if responses_due is None or ensure_utc(responses_due) >= ensure_utc(publicity_end):
        return None
    raise RuleViolation(
        "publicity.not_over",
        f"单一来源采购公示期至{local_time(publicity_end, zone)}，公示期满前不得进行采购"
        f"（当前响应截止时间为{local_time(responses_due, zone)}）",
        f"the single-source publicity runs until {local_time(publicity_end, zone)}; the procurement may "
        f"not proceed before it ends (responses are due {local_time(responses_due, zone)})",
        rule="P-12",
        details={"publicity_end": publicity_end.isoformat(), "bid_deadline": responses_due.isoformat()},
    )
