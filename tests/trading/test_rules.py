"""The rules catalogue and the checks on dates, amounts and counts: for each rule a case that
passes and one that fails, with the code, the rule id and the figures a user is shown."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from trading.calendar.service import WorkingCalendar, chinese_calendar_schedules
from trading.errors import DomainError, NotFound
from trading.rules import checks
from trading.rules.catalogue import RULES, rule
from trading.rules.checks import RuleViolation
from trading.sectors import Procedure, Sector

ZONE = ZoneInfo("Asia/Shanghai")
D = dt.date
YUAN = 100  # fen


def at(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """An instant on the center's wall clock, as the database stores it (UTC)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=ZONE).astimezone(dt.UTC)


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar.from_schedules(chinese_calendar_schedules())


def violation(call, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    assert caught.value.status == 422
    return caught.value


# --- catalogue ---------------------------------------------------------------------------------


def test_catalogue_has_every_row_of_rules_md():
    """Every id in RULES.md's order; tests/trading/test_rules_catalogue.py compares the texts."""
    expected = (
        [f"D-{n:02d}" for n in range(1, 4)]
        + [f"C-{n:02d}" for n in (*range(1, 17), 18, 19, 20, 21, 17)]
        + [f"P-{n:02d}" for n in (*range(1, 13), 14, 15, 16, 13)]
        + [f"L-{n:02d}" for n in range(1, 7)]
        + [f"R-{n:02d}" for n in range(1, 6)]
        + [f"E-{n:02d}" for n in range(1, 11)]
    )
    assert list(RULES) == expected


def test_each_rule_states_its_sector_text_and_source():
    sector_of_prefix = {
        "D": "all",
        "C": "construction",
        "P": "procurement",
        "L": "land",
        "R": "property",
        "E": "all",
    }
    for rule_id, entry in RULES.items():
        assert entry.id == rule_id
        assert entry.sector == sector_of_prefix[rule_id[0]]
        assert entry.text_en and entry.text_zh and entry.source


def test_sources_are_kept_as_given_including_check_marks():
    assert rule("C-02").source == "TL art. 24"
    assert rule("P-02").source == "GPR art. 31 ¶1 (MOF 87 art. 18, check)"
    assert rule("P-06").source == "GPL art. 36; MOF 87 (check article)"
    assert rule("E-09").source == "seed: 全縣行政審批推進方案 (四) 6"
    assert "20日" in rule("C-02").text_zh


def test_an_unknown_rule_is_not_found():
    with pytest.raises(NotFound) as caught:
        rule("X-99")
    assert caught.value.code == "rule.not_found"
    assert caught.value.status == 404


def test_a_violation_must_cite_a_catalogued_rule():
    with pytest.raises(ValueError, match="X-99"):
        RuleViolation("deadline.too_short", "…", "…", rule="X-99")


# --- C-01 must-tender thresholds ---------------------------------------------------------------


def test_must_tender_thresholds_by_contract_kind():
    assert checks.is_must_tender("works", 4_000_000 * YUAN) is True
    assert checks.is_must_tender("works", 4_000_000 * YUAN - 1) is False
    assert checks.is_must_tender("goods", 2_000_000 * YUAN) is True
    assert checks.is_must_tender("goods", 1_999_999 * YUAN) is False
    assert checks.is_must_tender("services", 1_000_000 * YUAN) is True
    assert checks.is_must_tender("services", 999_999 * YUAN) is False


# --- C-02 / P-01 bid preparation period (counted by D-01, D-02) -------------------------------


def test_documents_issued_on_1_december_allow_a_deadline_on_21_december_not_20(calendar):
    # D-01's own example: the issue day is not counted, so the 20th day is 21 December.
    assert (
        checks.check_bid_period(
            "construction", at(2025, 12, 1), at(2025, 12, 21), zone=ZONE, calendar=calendar
        )
        is None
    )
    error = violation(
        checks.check_bid_period,
        Sector.construction,
        at(2025, 12, 1),
        at(2025, 12, 20, 17),
        zone=ZONE,
        calendar=calendar,
    )
    assert (error.code, error.rule) == ("deadline.too_short", "C-02")
    assert "不得少于20日，当前为19日" in error.zh
    assert "at least 20 days" in error.en and "this section gives 19" in error.en
    assert (error.details["required_days"], error.details["actual_days"]) == (20, 19)
    assert error.details["earliest_deadline"] == "2025-12-21"
    assert error.details["provisional"] is False


def test_procurement_tender_period_cites_p01(calendar):
    error = violation(
        checks.check_bid_period, "procurement", at(2025, 7, 1), at(2025, 7, 20), zone=ZONE, calendar=calendar
    )
    assert (error.rule, error.details["actual_days"]) == ("P-01", 19)
    assert (
        checks.check_bid_period("procurement", at(2025, 7, 1), at(2025, 7, 21), zone=ZONE, calendar=calendar)
        is None
    )


def test_a_period_whose_last_day_is_a_holiday_runs_to_the_next_working_day(calendar):
    # D-02: issued 11 September 2025, the 20th day is 1 October, National Day; the holiday runs to
    # 8 October, so the earliest deadline is 9 October.
    error = violation(
        checks.check_bid_period,
        "construction",
        at(2025, 9, 11),
        at(2025, 10, 8, 9, 30),
        zone=ZONE,
        calendar=calendar,
    )
    assert error.details["earliest_deadline"] == "2025-10-09"
    assert error.details["actual_days"] == 27
    assert (
        checks.check_bid_period(
            "construction", at(2025, 9, 11), at(2025, 10, 9, 9, 30), zone=ZONE, calendar=calendar
        )
        is None
    )


def test_days_are_counted_on_the_centers_calendar_not_in_utc(calendar):
    # 01:00 on 1 July in Shanghai is still 30 June in UTC: counted in UTC this would be 20 days.
    issued = at(2025, 7, 1, 1, 0)
    assert issued.date() == D(2025, 6, 30)
    error = violation(
        checks.check_bid_period, "construction", issued, at(2025, 7, 20), zone=ZONE, calendar=calendar
    )
    assert error.details["actual_days"] == 19


def test_naive_times_are_refused_not_guessed(calendar):
    with pytest.raises(ValueError, match="naive"):
        checks.check_bid_period(
            "construction", dt.datetime(2025, 7, 1), at(2025, 7, 21), zone=ZONE, calendar=calendar
        )


def test_a_period_into_a_year_without_its_notice_is_judged_and_marked_provisional(calendar):
    error = violation(
        checks.check_bid_period,
        "construction",
        at(2039, 12, 20),
        at(2040, 1, 8),
        zone=ZONE,
        calendar=calendar,
    )
    assert error.details["provisional"] is True
    assert error.details["earliest_deadline"] == "2040-01-09"


# --- C-03 / P-02 documents on sale ------------------------------------------------------------


def test_construction_documents_on_sale_from_a_monday_run_to_saturday(calendar):
    # Monday 7 July 2025: the five days are Tuesday to Saturday (D-01); a weekend does not move it.
    monday = at(2025, 7, 7)
    assert (
        checks.check_sale_period("construction", monday, at(2025, 7, 12, 17), zone=ZONE, calendar=calendar)
        is None
    )
    error = violation(
        checks.check_sale_period, "construction", monday, at(2025, 7, 11, 17), zone=ZONE, calendar=calendar
    )
    assert (error.code, error.rule) == ("sale_period.too_short", "C-03")
    assert "不得少于5日，当前为4日" in error.zh
    assert (error.details["required_days"], error.details["actual_days"]) == (5, 4)
    assert error.details["earliest_end"] == "2025-07-12"


def test_procurement_documents_offered_five_working_days_across_national_day(calendar):
    # From 2025-09-29: 9/30, 10/9, 10/10, the make-up Saturday 10/11, and Monday 10/13 is the 5th.
    error = violation(
        checks.check_sale_period,
        "procurement",
        at(2025, 9, 29),
        at(2025, 10, 11, 17),
        zone=ZONE,
        calendar=calendar,
    )
    assert (error.code, error.rule) == ("sale_period.too_short", "P-02")
    assert "不得少于5个工作日，当前为4个工作日" in error.zh
    assert error.details["earliest_end"] == "2025-10-13"
    assert (
        checks.check_sale_period(
            "procurement", at(2025, 9, 29), at(2025, 10, 13, 17), zone=ZONE, calendar=calendar
        )
        is None
    )


# --- C-04 / P-03 / P-11 amendments ------------------------------------------------------------


def test_amendment_fifteen_days_before_deadline_is_in_time(calendar):
    assert (
        checks.check_amendment("construction", at(2025, 7, 1), at(2025, 7, 16), zone=ZONE, calendar=calendar)
        is None
    )


def test_a_late_amendment_names_the_date_the_deadline_must_move_to(calendar):
    error = violation(
        checks.check_amendment, "construction", at(2025, 7, 1), at(2025, 7, 10), zone=ZONE, calendar=calendar
    )
    assert (error.code, error.rule) == ("amendment.too_late", "C-04")
    assert "至少15日前" in error.zh and "当前仅提前9日" in error.zh and "2025-07-16" in error.zh
    assert "this one gives 9" in error.en
    assert error.details["earliest_deadline"] == "2025-07-16"
    earliest = checks.earliest_deadline_after_amendment(at(2025, 7, 1), zone=ZONE, calendar=calendar)
    assert earliest.last_day == D(2025, 7, 16)


def test_an_amendment_that_cannot_affect_bids_has_no_minimum(calendar):
    assert (
        checks.check_amendment(
            "construction", at(2025, 7, 1), at(2025, 7, 2), zone=ZONE, calendar=calendar, affects_bids=False
        )
        is None
    )


def test_procurement_amendments_cite_p03_and_consultation_needs_five_days(calendar):
    error = violation(
        checks.check_amendment, "procurement", at(2025, 7, 1), at(2025, 7, 10), zone=ZONE, calendar=calendar
    )
    assert error.rule == "P-03"
    consultation = Procedure.competitive_consultation
    assert (
        checks.check_amendment(
            "procurement",
            at(2025, 7, 1),
            at(2025, 7, 6),
            zone=ZONE,
            calendar=calendar,
            procedure=consultation,
        )
        is None
    )
    error = violation(
        checks.check_amendment,
        "procurement",
        at(2025, 7, 1),
        at(2025, 7, 5),
        zone=ZONE,
        calendar=calendar,
        procedure=consultation,
    )
    assert (error.rule, error.details["required_days"], error.details["earliest_deadline"]) == (
        "P-11",
        5,
        "2025-07-06",
    )


# --- C-06 / P-04 deposit cap --------------------------------------------------------------------


def test_deposit_of_two_percent_is_allowed():
    assert checks.check_deposit("construction", 20_000 * YUAN, 1_000_000 * YUAN) is None


def test_deposit_one_fen_over_two_percent_is_refused():
    error = violation(checks.check_deposit, "construction", 20_000 * YUAN + 1, 1_000_000 * YUAN)
    assert (error.code, error.rule) == ("deposit.too_high", "C-06")
    assert "估算价的2%（即20000.00元），当前为20000.01元" in error.zh
    assert "20000.00 yuan" in error.en and "20000.01 yuan" in error.en
    assert error.details["cap_fen"] == 2_000_000
    assert error.details["deposit_fen"] == 2_000_001


def test_deposit_cap_uses_whole_fen_without_rounding_up():
    # 2% of 99 fen is 1.98 fen: 1 fen is allowed, 2 fen is not.
    assert checks.check_deposit("procurement", 1, 99) is None
    error = violation(checks.check_deposit, "procurement", 2, 99)
    assert (error.rule, error.details["cap_fen"]) == ("P-04", 1)
    assert "预算金额" in error.zh


def test_land_and_property_deposits_have_no_catalogued_cap():
    assert checks.check_deposit("land", 50_000_000 * YUAN, 100_000_000 * YUAN) is None
    assert checks.check_deposit("property", 30 * YUAN, 100 * YUAN) is None


# --- C-09 / P-06 / P-10 number of bids ----------------------------------------------------------


def test_three_bids_open_and_two_do_not():
    assert checks.check_bid_count("construction", 3) is None
    error = violation(checks.check_bid_count, "construction", 2)
    assert (error.code, error.rule) == ("bidders.too_few", "C-09")
    assert "少于3个的不得开标，当前为2个" in error.zh
    assert (error.details["required_bids"], error.details["actual_bids"]) == (3, 2)


def test_procurement_bid_counts_cite_p06_for_tenders_and_p10_for_quotations():
    assert violation(checks.check_bid_count, "procurement", 2).rule == "P-06"
    error = violation(checks.check_bid_count, "procurement", 1, procedure="request_for_quotation")
    assert error.rule == "P-10"
    assert "询价的供应商不得少于3家，当前为1家" in error.zh
    assert checks.check_bid_count("procurement", 1, procedure="single_source") is None


# --- C-10 / P-07 evaluation committee -----------------------------------------------------------


def test_committee_of_five_with_four_experts_is_valid():
    assert checks.check_committee("construction", 5, 4) is None
    assert checks.check_committee("construction", 7, 5) is None


@pytest.mark.parametrize(
    ("members", "experts", "problems"),
    [
        (6, 5, ["even"]),
        (5, 3, ["too_few_experts"]),
        (3, 3, ["too_small"]),
        (4, 2, ["too_small", "even", "too_few_experts"]),
    ],
)
def test_committee_that_is_small_even_or_short_of_experts_is_invalid(members, experts, problems):
    error = violation(checks.check_committee, "construction", members, experts)
    assert (error.code, error.rule) == ("committee.invalid", "C-10")
    assert error.details["problems"] == problems
    assert f"当前为{members}人，其中专家{experts}人" in error.zh
    assert f"this one has {members} members, {experts} of them experts" in error.en


def test_procurement_committee_needs_seven_from_ten_million_yuan():
    assert checks.check_committee("procurement", 5, 4, budget_fen=10_000_000 * YUAN - 1) is None
    error = violation(checks.check_committee, "procurement", 5, 4, budget_fen=10_000_000 * YUAN)
    assert (error.rule, error.details["required_members"], error.details["problems"]) == (
        "P-07",
        7,
        ["too_small"],
    )
    assert "应为7人以上单数" in error.zh
    assert checks.check_committee("procurement", 7, 5, budget_fen=10_000_000 * YUAN) is None
    assert violation(checks.check_committee, "procurement", 5, 4, complex_project=True).rule == "P-07"


# --- P-10 / P-11 response periods ---------------------------------------------------------------


def test_negotiation_needs_three_working_days_after_documents_issued(calendar):
    # Issued 2025-09-30; 10/1-10/8 are holidays: 10/9 and 10/10 are the 1st and 2nd working days,
    # the make-up Saturday 10/11 the 3rd.
    negotiation = Procedure.competitive_negotiation
    error = violation(
        checks.check_response_period,
        negotiation,
        at(2025, 9, 30),
        at(2025, 10, 10),
        zone=ZONE,
        calendar=calendar,
    )
    assert (error.code, error.rule) == ("deadline.too_short", "P-10")
    assert "不得少于3个工作日，当前为2个工作日" in error.zh
    assert error.details["earliest_deadline"] == "2025-10-11"
    assert (
        checks.check_response_period(
            negotiation, at(2025, 9, 30), at(2025, 10, 11), zone=ZONE, calendar=calendar
        )
        is None
    )


def test_consultation_needs_ten_days_after_documents_issued(calendar):
    consultation = Procedure.competitive_consultation
    assert (
        checks.check_response_period(
            consultation, at(2025, 7, 1), at(2025, 7, 11), zone=ZONE, calendar=calendar
        )
        is None
    )
    error = violation(
        checks.check_response_period,
        consultation,
        at(2025, 7, 1),
        at(2025, 7, 10),
        zone=ZONE,
        calendar=calendar,
    )
    assert (error.rule, error.details["required_days"], error.details["actual_days"]) == ("P-11", 10, 9)


# --- P-12 single-source publicity, C-14 candidates' publicity ------------------------------------


def test_single_source_publicity_of_five_working_days(calendar):
    # From Monday 9 March 2026 the five working days are 10 to 13 and 16 March.
    assert (
        checks.check_single_source_publicity(
            at(2026, 3, 9), at(2026, 3, 16, 17), zone=ZONE, calendar=calendar
        )
        is None
    )
    error = violation(
        checks.check_single_source_publicity,
        at(2026, 3, 9),
        at(2026, 3, 13, 17),
        zone=ZONE,
        calendar=calendar,
    )
    assert (error.code, error.rule) == ("publicity.too_short", "P-12")
    assert (error.details["required_working_days"], error.details["actual_working_days"]) == (5, 4)
    assert error.details["earliest_end"] == "2026-03-16"


def test_candidates_publicity_of_three_days_and_48_hours_is_too_short(calendar):
    assert (
        checks.check_candidates_publicity(
            published_at=at(2026, 3, 9), publicity_end=at(2026, 3, 12, 17), zone=ZONE, calendar=calendar
        )
        is None
    )
    error = violation(
        checks.check_candidates_publicity,
        published_at=at(2026, 3, 9, 9),
        publicity_end=at(2026, 3, 11, 9),
        zone=ZONE,
        calendar=calendar,
    )
    assert (error.code, error.rule, error.details["actual_days"]) == ("publicity.too_short", "C-14", 2)
    assert "不得少于3日，当前为2日" in error.zh
    assert error.details["earliest_end"] == "2026-03-12"


# --- L-01 / L-02 / L-03 / L-04 land --------------------------------------------------------------


def test_land_announcement_twenty_days_before_the_sale(calendar):
    assert (
        checks.check_land_announcement(at(2025, 7, 1), at(2025, 7, 21), zone=ZONE, calendar=calendar) is None
    )
    error = violation(
        checks.check_land_announcement, at(2025, 7, 1), at(2025, 7, 15), zone=ZONE, calendar=calendar
    )
    assert (error.code, error.rule) == ("announcement.too_late", "L-01")
    assert "前20日发布，当前仅提前14日" in error.zh
    assert error.details["earliest_start"] == "2025-07-21"


def test_listing_period_of_ten_working_days_across_the_2026_spring_festival(calendar):
    # From Monday 2/9: 2/10-2/13 (4), Saturday 2/14 make-up (5), 2/15-2/23 off, 2/24-2/27 (9),
    # and the make-up Saturday 2/28 is the 10th.
    assert (
        checks.check_listing_period(at(2026, 2, 9), at(2026, 2, 28, 17), zone=ZONE, calendar=calendar) is None
    )
    error = violation(
        checks.check_listing_period, at(2026, 2, 9), at(2026, 2, 27, 17), zone=ZONE, calendar=calendar
    )
    assert (error.code, error.rule) == ("listing.too_short", "L-02")
    assert "挂牌时间不得少于10个工作日，当前为9个工作日" in error.zh
    assert error.details["earliest_end"] == "2026-02-28"


def test_a_bid_below_the_reserve_fails_without_revealing_it():
    assert checks.check_reserve(1_000_000 * YUAN, 1_000_000 * YUAN) is None
    assert checks.check_reserve(1, None) is None
    error = violation(checks.check_reserve, 999_999 * YUAN, 1_000_000 * YUAN)
    assert (error.code, error.rule) == ("price.below_reserve", "L-04")
    assert "999999.00元低于底价" in error.zh
    assert "1000000" not in error.zh and "1000000" not in error.en
    assert error.details["reserve_fen"] == 1_000_000 * YUAN
    assert violation(checks.check_reserve, 1, 2, procedure="land_listing").rule == "L-03"


# --- property -----------------------------------------------------------------


def test_disclosure_of_twenty_working_days(calendar):
    # From Monday 2026-03-02: 3/3 … 3/27 are 19 working days, Monday 3/30 the 20th.
    listed = Procedure.listed_transfer
    assert (
        checks.check_disclosure_period(listed, at(2026, 3, 2), at(2026, 3, 30), zone=ZONE, calendar=calendar)
        is None
    )
    error = violation(
        checks.check_disclosure_period, listed, at(2026, 3, 2), at(2026, 3, 27), zone=ZONE, calendar=calendar
    )
    assert (error.code, error.rule) == ("disclosure.too_short", "R-01")
    assert (error.details["required_working_days"], error.details["actual_working_days"]) == (20, 19)


def test_capital_increase_disclosure_needs_forty_working_days(calendar):
    error = violation(
        checks.check_disclosure_period,
        "capital_increase",
        at(2026, 3, 2),
        at(2026, 3, 27),
        zone=ZONE,
        calendar=calendar,
    )
    assert (error.rule, error.details["required_working_days"], error.details["actual_working_days"]) == (
        "R-05",
        40,
        19,
    )
    assert "不得少于40个工作日，当前为19个工作日" in error.zh


def test_listing_price_below_ninety_percent_needs_consent():
    appraised = 1_000_000 * YUAN
    assert checks.check_listing_price(900_000 * YUAN, appraised, consent=False) is None
    assert checks.check_listing_price(800_000 * YUAN, appraised, consent=True) is None
    error = violation(checks.check_listing_price, 900_000 * YUAN - 1, appraised, consent=False)
    assert (error.code, error.rule) == ("price.below_appraisal_floor", "R-02")
    assert "评估结果的90%（即900000.00元），当前为899999.99元" in error.zh
    assert error.details["floor_fen"] == 90_000_000


def test_appraisal_floor_is_rounded_up_to_a_whole_fen():
    # 90% of 11 fen is 9.9 fen: 9 fen is below it, 10 fen is not.
    assert checks.check_listing_price(10, 11, consent=False) is None
    assert violation(checks.check_listing_price, 9, 11, consent=False).details["floor_fen"] == 10


# --- the whole schedule of a section ------------------------------------------------------------


def test_a_section_schedule_within_the_rules_passes(calendar):
    assert (
        checks.check_section_schedule(
            "construction",
            "open_tender",
            zone=ZONE,
            calendar=calendar,
            documents_issued_at=at(2026, 3, 2),
            documents_sale_start=at(2026, 3, 2),
            documents_sale_end=at(2026, 3, 7, 17),
            bid_deadline=at(2026, 3, 23, 9, 30),
        )
        is None
    )


def test_a_section_schedule_reports_every_broken_rule_at_once(calendar):
    error = violation(
        checks.check_section_schedule,
        Sector.construction,
        Procedure.open_tender,
        zone=ZONE,
        calendar=calendar,
        documents_issued_at=at(2026, 3, 2),
        documents_sale_start=at(2026, 3, 2),
        documents_sale_end=at(2026, 3, 4, 17),
        bid_deadline=at(2026, 3, 17, 9, 30),
    )
    assert (error.code, error.rule) == ("deadline.too_short", "C-02")
    assert [(v["code"], v["rule"]) for v in error.details["violations"]] == [
        ("deadline.too_short", "C-02"),
        ("sale_period.too_short", "C-03"),
    ]
    assert "当前为15日" in error.zh and "当前为2日" in error.zh
    assert error.details["violations"][1]["details"]["actual_days"] == 2


def test_a_land_listing_schedule_checks_announcement_and_listing_period(calendar):
    error = violation(
        checks.check_section_schedule,
        "land",
        "land_listing",
        zone=ZONE,
        calendar=calendar,
        announcement_published_at=at(2026, 2, 1),
        listing_start=at(2026, 2, 9),
        listing_end=at(2026, 2, 26, 17),
    )
    assert [v["rule"] for v in error.details["violations"]] == ["L-01", "L-02"]


def test_a_single_violation_is_still_listed(calendar):
    error = violation(
        checks.check_section_schedule,
        "procurement",
        "single_source",
        zone=ZONE,
        calendar=calendar,
        announcement_published_at=at(2026, 3, 9),
        publicity_end=at(2026, 3, 13, 17),
    )
    assert [v["rule"] for v in error.details["violations"]] == ["P-12"]
    assert error.details["actual_working_days"] == 4


def test_a_schedule_in_a_year_without_its_notice_is_judged_provisionally(calendar):
    # 2040's notice is not loaded: the estimate keeps the Spring Festival block (11-19 February)
    # off, so a listing from Monday 6 February needs until Monday 27 February.
    error = violation(
        checks.check_section_schedule,
        "land",
        "land_listing",
        zone=ZONE,
        calendar=calendar,
        listing_start=at(2040, 2, 6),
        listing_end=at(2040, 2, 24),
    )
    assert error.rule == "L-02"
    assert error.details["provisional"] is True
    assert error.details["earliest_end"] == "2040-02-27"


def test_a_procedure_of_another_sector_is_refused(calendar):
    with pytest.raises(DomainError) as caught:
        checks.check_section_schedule("land", "open_tender", zone=ZONE, calendar=calendar)
    assert (caught.value.code, caught.value.status) == ("procedure.not_in_sector", 422)
